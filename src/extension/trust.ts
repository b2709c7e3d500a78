/**
 * Workspace Trust for settings that name files: in an untrusted (Restricted Mode) workspace a
 * repository's own settings must not make the extension load a model or write a labels file of
 * its choosing. The decision is a pure function of the setting's inspection and the trust state,
 * so it is unit-tested without VS Code; settings.ts and the model resolution apply it.
 *
 * package.json declares `capabilities.untrustedWorkspaces: {supported: "limited",
 * restrictedConfigurations: ["edgeflow.model"]}`, so VS Code itself may already drop the
 * workspace value; this code does not rely on it and says why a value was ignored.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';

/** The parts of `WorkspaceConfiguration.inspect()` that matter here. */
export interface SettingInspection<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The value to use, and the workspace value that was ignored (with where it came from). */
export interface TrustedValue<T> {
  value: T | undefined;
  /** Set when a workspace or folder value exists but was not used because of Restricted Mode. */
  ignored?: { value: T; scope: 'workspace' | 'workspaceFolder' };
}

/**
 * The effective value of a setting: the usual precedence (folder > workspace > user > default)
 * when the workspace is trusted; in an untrusted workspace only user and default values count,
 * unless `allowWorkspace` accepts the workspace's value (e.g. a path that stays inside it).
 */
export function trustedSetting<T>(
  inspection: SettingInspection<T> | undefined,
  trusted: boolean,
  allowWorkspace: (v: T) => boolean = () => false,
): TrustedValue<T> {
  const i = inspection ?? {};
  const userOrDefault = i.globalValue !== undefined ? i.globalValue : i.defaultValue;
  const scope = i.workspaceFolderValue !== undefined ? 'workspaceFolder' : i.workspaceValue !== undefined ? 'workspace' : undefined;
  if (!scope) return { value: userOrDefault };
  const ws = (scope === 'workspaceFolder' ? i.workspaceFolderValue : i.workspaceValue) as T;
  if (trusted || allowWorkspace(ws)) return { value: ws };
  return ws === userOrDefault ? { value: userOrDefault } : { value: userOrDefault, ignored: { value: ws, scope } };
}

/**
 * Whether a path from a workspace setting stays inside the workspace: relative, no `..` segment,
 * no drive letter or UNC prefix, no home (`~`) expansion.
 */
export function isWorkspaceRelative(p: unknown): boolean {
  if (typeof p !== 'string' || p.trim() === '') return false;
  const s = p.trim();
  if (/^([\\/]|[A-Za-z]:|~)/.test(s) || s.includes('\0')) return false;
  return !s.split(/[\\/]+/).some((seg) => seg === '..');
}

/** Whether a model setting names a file (a path) rather than a shipped model. */
export function isModelPath(model: string): boolean {
  return /[\\/]/.test(model) || model.toLowerCase().endsWith('.onnx');
}

/**
 * Whether an untrusted workspace may have the model file `model` loaded (a path setting, from the
 * user's own settings): not when it is relative (it resolves into the workspace or beside the
 * image) nor when it lies inside one of `workspaceFolders` (absolute, '/'-or-'\\'-separated).
 * A repository's files must not reach ONNX Runtime before the user trusts it.
 */
export function modelFileAllowedUntrusted(model: string, workspaceFolders: readonly string[], home = ''): boolean {
  const m = model.trim().replace(/^~(?=$|[\\/])/, home);
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const absolute = /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(m);
  if (!absolute) return false;
  const file = norm(m);
  if (file.split('/').includes('..')) return false;
  const fold = (p: string) => (/^[A-Za-z]:/.test(p) ? p.toLowerCase() : p);
  return !workspaceFolders.some((f) => {
    const d = fold(norm(f));
    const x = fold(file);
    return x === d || x.startsWith(`${d}/`);
  });
}

/**
 * The message shown once when Restricted Mode made the extension ignore a setting's value; `t`
 * translates (`vscode.l10n.t` in the extension; {0}-placeholders filled in English by default).
 */
export function restrictedSettingMessage(
  key: string,
  ignored: unknown,
  usedInstead: string,
  t: (message: string, ...args: string[]) => string = (m, ...a) => m.replace(/\{(\d+)\}/g, (x, n: string) => a[Number(n)] ?? x),
): string {
  return t('This workspace is in Restricted Mode, so "{0}": {1} (a file of, or chosen by, the workspace) is ignored and {2} is used. Trust the workspace to use it.', key, String(JSON.stringify(ignored)), usedInstead);
}

/**
 * The value of `key` in a VS Code settings file's text (JSON with comments and trailing commas;
 * for a `.code-workspace` file, inside its "settings"), or undefined. In Restricted Mode VS Code
 * hides the workspace's values of settings the extension declared restricted, even from
 * `inspect()`, so the reason a value was ignored is read from the file itself. Never throws.
 */
export function settingFromSettingsText(text: string, key: string, workspaceFile = false): unknown {
  let json: unknown;
  try {
    // VS Code's own JSONC reader. A settings file so deeply nested that its recursion overflows
    // (RangeError) is not a settings file VS Code would read either.
    const errors: ParseError[] = [];
    json = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length) return undefined;
  } catch {
    return undefined;
  }
  const obj = workspaceFile && json && typeof json === 'object' ? (json as Record<string, unknown>).settings : json;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}
