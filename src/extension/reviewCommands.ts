/**
 * Approve / Needs Fix / Clear Review for the active image (editor title bar and palette). Each is
 * one `setReview` edit through the document, so Undo, the dirty dot and Save work as for any
 * edit, and the sidecar gets its `edgeflow_review` on save. The reviewer's name is stored only
 * when the setting `edgeflow.review.reviewer` names one.
 */
import * as vscode from 'vscode';
import { ReviewDecision, ReviewRecord, makeReview, reviewsEqual } from '../shared/annotation/review';
import type { AnnotationEditorProvider } from './editorProvider';
import { registerCommand } from './log';

/** The commands this module registers (tests compare them with package.json). */
export const REVIEW_COMMAND_IDS = ['edgeflow.approveImage', 'edgeflow.markNeedsFix', 'edgeflow.clearReview'] as const;

function reviewer(scope: vscode.Uri): string | undefined {
  const v = vscode.workspace.getConfiguration('edgeflow', scope).get<unknown>('review.reviewer');
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Registers the review commands. */
export function registerReviewCommands(provider: AnnotationEditorProvider): vscode.Disposable[] {
  const apply = (decision: ReviewDecision | undefined, note?: string) => {
    const p = provider.activePanel;
    if (!p) throw new Error(vscode.l10n.t('No EdgeFlow Annotator editor is active.'));
    const doc = p.document;
    const before: ReviewRecord | undefined = doc.model.state.review;
    const after = decision ? makeReview(decision, note, reviewer(doc.uri)) : undefined;
    if (reviewsEqual(before, after)) return;
    doc.applyEdit({ kind: 'setReview', before: before ? { ...before } : null, after: after ?? null });
    const words = after?.status === 'approved' ? vscode.l10n.t('Image approved') : after ? vscode.l10n.t('Image marked as needing a fix') : vscode.l10n.t('Review cleared');
    vscode.window.setStatusBarMessage(`$(pass) ${words}`, 3000);
  };
  return [
    registerCommand('edgeflow.approveImage', () => apply('approved')),
    registerCommand('edgeflow.markNeedsFix', async () => {
      const p = provider.activePanel;
      if (!p) throw new Error(vscode.l10n.t('No EdgeFlow Annotator editor is active.'));
      const current = p.document.model.state.review;
      const note = await vscode.window.showInputBox({
        title: vscode.l10n.t('Needs Fix'),
        prompt: vscode.l10n.t('What needs fixing? (stored in the sidecar; may be empty)'),
        value: current?.status === 'needs-fix' ? current.note ?? '' : '',
        validateInput: (v) => (v.length > 2000 ? vscode.l10n.t('At most 2000 characters') : undefined),
      });
      if (note === undefined) return;
      apply('needs-fix', note);
    }),
    registerCommand('edgeflow.clearReview', () => apply(undefined)),
  ];
}
