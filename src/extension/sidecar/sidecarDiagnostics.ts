/**
 * The Problems-panel entries of one COCO sidecar: what the reader found when it last read the
 * file (or none after we wrote it), plus one warning per class id that objects use but the labels
 * file lacks, at its first use (redone when the labels change). Reaches the Problems panel through
 * the `ProblemsSink` port (diagnostics.ts), so it runs in unit tests without VS Code.
 */
import type * as vscode from 'vscode';
import type { Label } from '../../shared/labels';
import type { JsonProblem } from '../diagnostics';
import type { ClassRef, Translate } from './sidecarStore';

/** Where problems go (`setFileProblems` / `clearFileProblems` of diagnostics.ts). */
export interface ProblemsSink {
  set(uri: vscode.Uri, text: string | undefined, problems: readonly JsonProblem[]): void;
  clear(uri: vscode.Uri): void;
}

/** The labels file as the diagnostics see it (a `LabelsStore` fits). */
export interface LabelsView {
  readonly uri: vscode.Uri;
  /** Why the labels file could not be read (then no class is reported unknown). */
  readonly error: string | undefined;
  get(): readonly Label[];
}

/**
 * One warning per class id that objects use but `knownIds` lacks, at its first use, with the
 * number of objects using it.
 */
export function unknownClassProblems(classRefs: readonly ClassRef[], knownIds: ReadonlySet<number>, labelsFile: string, t: Translate): JsonProblem[] {
  const uses = new Map<number, { path: string; count: number }>();
  for (const ref of classRefs) {
    if (knownIds.has(ref.classId)) continue;
    const u = uses.get(ref.classId);
    if (u) u.count++;
    else uses.set(ref.classId, { path: ref.path, count: 1 });
  }
  return [...uses].map(([classId, u]) => ({
    severity: 'warning',
    message: t('class id {0} (used by {1} object(s)) is not in the labels file {2}', classId, u.count, labelsFile),
    path: u.path,
    code: 'unknown-class',
  }));
}

/** The Problems-panel entries of one sidecar. */
export class SidecarDiagnostics {
  /** The sidecar on disk as last read or written, and what is wrong with it. */
  private disk: { text: string | undefined; problems: JsonProblem[]; classRefs: ClassRef[] } = { text: undefined, problems: [], classRefs: [] };

  constructor(
    private readonly sidecarUri: vscode.Uri,
    private readonly labels: LabelsView,
    private readonly sink: ProblemsSink,
    private readonly t: Translate,
  ) {}

  /** Records the sidecar on disk and shows its problems. */
  setDisk(text: string | undefined, problems: JsonProblem[], classRefs: ClassRef[]): void {
    this.disk = { text, problems, classRefs };
    this.refresh();
  }

  /** Shows the problems again (the labels changed). */
  refresh(): void {
    const unknown = this.labels.error
      ? []
      : unknownClassProblems(this.disk.classRefs, new Set(this.labels.get().map((l) => l.id)), this.labels.uri.fsPath, this.t);
    this.sink.set(this.sidecarUri, this.disk.text, [...this.disk.problems, ...unknown]);
  }

  /** Removes the sidecar's problems (the document closed). */
  clear(): void {
    this.sink.clear(this.sidecarUri);
  }
}
