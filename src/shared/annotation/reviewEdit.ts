/**
 * The rule that keeps approvals honest: an image edited after approval goes back to labelled.
 * An edit that changes what the labels say (geometry, class, attributes, drawing order, objects
 * added or removed) clears an `approved` review, in the same undo step, so undoing the edit
 * restores the approval. Hiding or showing an object changes only the editor's view and keeps it.
 * A `needs-fix` review stays through edits: its note is the reviewer's request, and only a
 * reviewer (approving) or the user (clearing it) decides that the fix is done.
 */
import type { AnnotationEdit } from './edits';
import type { AnnotationState } from './types';

/** True when `edit` changes the labels themselves (not only visibility or the review). */
export function changesLabels(edit: AnnotationEdit): boolean {
  switch (edit.kind) {
    case 'setHidden':
    case 'setReview':
      return false;
    case 'batch':
      return edit.edits.some(changesLabels);
    default:
      return true;
  }
}

/**
 * The edit to apply for the user's `edit` on `state`: `edit` itself, or, when it changes the
 * labels of an approved image, a batch of `edit` and the clearing of the approval.
 */
export function withReviewRule(state: Readonly<AnnotationState>, edit: AnnotationEdit): AnnotationEdit {
  if (state.review?.status !== 'approved' || !changesLabels(edit)) return edit;
  return { kind: 'batch', edits: [edit, { kind: 'setReview', before: { ...state.review }, after: null }] };
}
