/**
 * Nests each image's sidecars under it in the Explorer (VS Code's file nesting), so annotating a
 * folder does not double its length (issue 30): `photo.jpg` gets `photo.jpg.coco.json`,
 * `photo.jpg.mask.png` and the `.bak-<time>` copies as children. Set by "Use as Default Image
 * Editor in This Workspace" and offered once, after a save, in a folder with a few sidecars
 * ("Nest" / "Not now" / "Never"). The workspace's own patterns are merged, never replaced.
 */
import * as vscode from 'vscode';
import { COCO_SIDECAR_SUFFIX, MASK_SIDECAR_SUFFIX } from '../shared/formats/cocoSidecar';
import { IMAGE_EXTENSIONS } from './imageSource';
import { log } from './log';

type Patterns = Record<string, string>;

/** The child patterns nesting an image's sidecars under an image with extension `ext`. */
export function nestingChildren(ext: string): string[] {
  const coco = `\${capture}.${ext}${COCO_SIDECAR_SUFFIX}`;
  return [coco, `\${capture}.${ext}${MASK_SIDECAR_SUFFIX}`, `${coco}.bak-*`];
}

/**
 * The workspace's `explorer.fileNesting.patterns` with our children added to each image pattern
 * (after whatever it already nests there: its own value, else the one in effect from the user's
 * settings or the defaults), or null when nothing is missing. Other keys are kept as they are.
 */
export function mergeNestingPatterns(workspaceValue: Patterns | undefined, effective: Patterns | undefined): Patterns | null {
  const next: Patterns = { ...workspaceValue };
  let changed = false;
  for (const ext of IMAGE_EXTENSIONS) {
    const key = `*.${ext}`;
    const base = workspaceValue?.[key] ?? effective?.[key] ?? '';
    const have = base.split(',').map((s) => s.trim()).filter(Boolean);
    const add = nestingChildren(ext).filter((c) => !have.includes(c));
    if (add.length === 0) continue;
    next[key] = [...have, ...add].join(', ');
    changed = true;
  }
  return changed ? next : null;
}

/** True when the Explorer already nests our sidecars (enabled, every image pattern complete). */
export function nestingInEffect(): boolean {
  const explorer = vscode.workspace.getConfiguration('explorer');
  if (explorer.get<boolean>('fileNesting.enabled') !== true) return false;
  return mergeNestingPatterns(undefined, explorer.get<Patterns>('fileNesting.patterns')) === null;
}

/**
 * Writes the nesting into the workspace settings: enabled, the patterns merged, and nests shown
 * collapsed unless the user chose otherwise (expanded nests would not shorten the Explorer).
 */
export async function applyFileNesting(): Promise<void> {
  const explorer = vscode.workspace.getConfiguration('explorer');
  const patterns = explorer.inspect<Patterns>('fileNesting.patterns');
  const merged = mergeNestingPatterns(patterns?.workspaceValue, explorer.get<Patterns>('fileNesting.patterns'));
  if (merged) await explorer.update('fileNesting.patterns', merged, vscode.ConfigurationTarget.Workspace);
  if (explorer.get<boolean>('fileNesting.enabled') !== true) await explorer.update('fileNesting.enabled', true, vscode.ConfigurationTarget.Workspace);
  const expand = explorer.inspect<boolean>('fileNesting.expand');
  if (expand?.workspaceValue === undefined && expand?.globalValue === undefined) {
    await explorer.update('fileNesting.expand', false, vscode.ConfigurationTarget.Workspace);
  }
}

/** Sidecars in a folder at which the offer is worth making. */
export const OFFER_AT_SIDECARS = 3;
/** Global state: the user answered "Never" (no workspace asks again). */
export const NEVER_KEY = 'edgeflow.fileNesting.never';
/** Workspace state: this workspace was asked (and answered "Nest" or "Not now"). */
export const ASKED_KEY = 'edgeflow.fileNesting.asked';

/** What the offer needs (a fake in unit tests). */
export interface NestingOfferEnv {
  readonly globalState: vscode.Memento;
  readonly workspaceState: vscode.Memento;
  /** `.coco.json` sidecars in a folder. */
  countSidecars(folder: vscode.Uri): Promise<number>;
}

/** Counts the `.coco.json` files of a folder (0 when it cannot be read). */
export async function countCocoSidecars(folder: vscode.Uri): Promise<number> {
  try {
    const entries = await vscode.workspace.fs.readDirectory(folder);
    return entries.filter(([name, type]) => (type & vscode.FileType.File) !== 0 && name.endsWith(COCO_SIDECAR_SUFFIX)).length;
  } catch {
    return 0;
  }
}

/** Offers the nesting once per workspace (never again after "Never", in any workspace). */
export class FileNestingOffer {
  private busy = false;

  constructor(private readonly env: NestingOfferEnv) {}

  /** After a save of `image`: asks, when its folder has a few sidecars and nothing nests them. */
  async afterSave(image: vscode.Uri): Promise<void> {
    if (this.busy || !vscode.workspace.workspaceFolders?.length || !vscode.workspace.getWorkspaceFolder(image)) return;
    if (this.env.globalState.get(NEVER_KEY) === true || this.env.workspaceState.get(ASKED_KEY) === true) return;
    if (nestingInEffect()) return;
    this.busy = true;
    try {
      if ((await this.env.countSidecars(vscode.Uri.joinPath(image, '..'))) < OFFER_AT_SIDECARS) return;
      await this.env.workspaceState.update(ASKED_KEY, true);
      const nest = vscode.l10n.t('Nest');
      const notNow = vscode.l10n.t('Not now');
      const never = vscode.l10n.t('Never');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('Show annotation files nested under their image in the Explorer? (Sets explorer.fileNesting in this workspace.)'),
        nest, notNow, never,
      );
      if (choice === nest) await applyFileNesting();
      else if (choice === never) await this.env.globalState.update(NEVER_KEY, true);
    } catch (e) {
      log().warn(`file nesting: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
  }
}
