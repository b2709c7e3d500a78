// The sidecar's Problems-panel entries (sidecarDiagnostics.ts) with a fake Problems panel: the
// reader's problems plus one warning per class id missing from the labels file.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { JsonProblem } from '../../../src/extension/diagnostics';
import { LabelsView, SidecarDiagnostics, unknownClassProblems } from '../../../src/extension/sidecar/sidecarDiagnostics';
import type { Label } from '../../../src/shared/labels';

const t = (m: string, ...a: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, n: string) => String(a[Number(n)]));
const fakeUri = (p: string) => ({ path: p, fsPath: p, toString: () => `file://${p}` }) as unknown as vscode.Uri;
const SIDECAR = fakeUri('/ws/a.png.coco.json');
const refs = [
  { classId: 1, path: 'annotations[0].category_id' },
  { classId: 7, path: 'annotations[1].category_id' },
  { classId: 9, path: 'annotations[2].category_id' },
  { classId: 7, path: 'annotations[3].category_id' },
];

describe('sidecar diagnostics', () => {
  it('one warning per unknown class id, at its first use, with the number of objects', () => {
    assert.deepEqual(unknownClassProblems(refs, new Set([1]), '/ws/.edgeflow/labels.json', t), [
      { severity: 'warning', message: 'class id 7 (used by 2 object(s)) is not in the labels file /ws/.edgeflow/labels.json', path: 'annotations[1].category_id', code: 'unknown-class' },
      { severity: 'warning', message: 'class id 9 (used by 1 object(s)) is not in the labels file /ws/.edgeflow/labels.json', path: 'annotations[2].category_id', code: 'unknown-class' },
    ]);
    assert.deepEqual(unknownClassProblems(refs, new Set([1, 7, 9]), 'l.json', t), []);
  });

  it('shows the reader\'s problems and the unknown classes; redone when the labels change; cleared on close', () => {
    const shown = new Map<string, { text: string | undefined; problems: readonly JsonProblem[] }>();
    const sink = { set: (u: vscode.Uri, text: string | undefined, problems: readonly JsonProblem[]) => void shown.set(u.path, { text, problems }), clear: (u: vscode.Uri) => void shown.delete(u.path) };
    let labels: Label[] = [{ id: 1, name: 'car', color: '#f00' }];
    const view: LabelsView = { uri: fakeUri('/ws/labels.json'), error: undefined, get: () => labels };
    const d = new SidecarDiagnostics(SIDECAR, view, sink, t);
    const readerProblem: JsonProblem = { severity: 'error', message: 'bad polygon', path: 'annotations[4].segmentation', code: 'invalid-annotation' };
    d.setDisk('{"text":1}', [readerProblem], refs);
    const now = shown.get(SIDECAR.path)!;
    assert.equal(now.text, '{"text":1}');
    assert.deepEqual(now.problems.map((p) => p.code), ['invalid-annotation', 'unknown-class', 'unknown-class']);
    labels = [...labels, { id: 7, name: 'bus', color: '#0f0' }, { id: 9, name: 'tram', color: '#00f' }];
    d.refresh();
    assert.deepEqual(shown.get(SIDECAR.path)!.problems, [readerProblem]);
    d.clear();
    assert.equal(shown.has(SIDECAR.path), false);
  });

  it('reports no unknown classes while the labels file cannot be read', () => {
    const shown: (readonly JsonProblem[])[] = [];
    const view: LabelsView = { uri: fakeUri('/ws/labels.json'), error: 'Unexpected token', get: () => [] };
    const d = new SidecarDiagnostics(SIDECAR, view, { set: (_u, _t, p) => void shown.push(p), clear: () => undefined }, t);
    d.setDisk(undefined, [], refs);
    assert.deepEqual(shown, [[]]);
  });
});
