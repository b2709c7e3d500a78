/**
 * The review of one image, stored in its sidecar as the top-level key `edgeflow_review`:
 * `{"status": "approved" | "needs-fix", "note"?: text, "reviewer"?: name}`; absent means not
 * reviewed. Deterministic and diffable: no timestamps, and a reviewer name only when the user
 * configures one. The image's status (unlabelled, labelled, approved, needs fix) follows from the
 * review and the object count (`imageStatus`).
 */
import { Result, err, ok } from './result';

/** A review decision. */
export type ReviewDecision = 'approved' | 'needs-fix';

/** All review decisions, in the order the UI and the CLI list them. */
export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['approved', 'needs-fix'];

/** The review stored in a sidecar. */
export interface ReviewRecord {
  status: ReviewDecision;
  /** Free text (why it needs a fix); absent when empty. */
  note?: string;
  /** Who reviewed, only when the user configured a reviewer name. */
  reviewer?: string;
}

/** Longest note or reviewer name kept (characters): a note, not a document. */
export const MAX_REVIEW_TEXT = 2000;

/** An image's place in the labelling workflow. */
export type ImageStatus = 'unlabelled' | 'labelled' | 'approved' | 'needsFix';

/** All image statuses, in workflow order. */
export const IMAGE_STATUSES: readonly ImageStatus[] = ['unlabelled', 'labelled', 'approved', 'needsFix'];

/**
 * The status of an image with `objectCount` objects and `review`: a review decision wins (an
 * image approved with no objects is a checked negative); otherwise labelled from one object on.
 */
export function imageStatus(objectCount: number, review: ReviewRecord | undefined): ImageStatus {
  if (review?.status === 'approved') return 'approved';
  if (review?.status === 'needs-fix') return 'needsFix';
  return objectCount > 0 ? 'labelled' : 'unlabelled';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds a record, leaving out empty texts (so the JSON holds only what was said). */
export function makeReview(status: ReviewDecision, note?: string, reviewer?: string): ReviewRecord {
  const r: ReviewRecord = { status };
  const n = note?.trim();
  const who = reviewer?.trim();
  if (n) r.note = n;
  if (who) r.reviewer = who;
  return r;
}

/** Why `text` cannot be a note or a reviewer name, or undefined. */
function textProblem(v: unknown, what: string): string | undefined {
  if (typeof v !== 'string') return `${what} must be a string`;
  if (v.length > MAX_REVIEW_TEXT) return `${what} is longer than ${MAX_REVIEW_TEXT} characters`;
  return undefined;
}

/** Checks a value read from a sidecar or a backup; the message names the bad part. */
export function parseReview(v: unknown): Result<ReviewRecord, string> {
  if (!isObj(v)) return err('expected {"status": "approved" | "needs-fix", "note"?, "reviewer"?}');
  if (v.status !== 'approved' && v.status !== 'needs-fix') return err(`status must be "approved" or "needs-fix"`);
  for (const k of Object.keys(v)) if (k !== 'status' && k !== 'note' && k !== 'reviewer') return err(`unknown key "${k.slice(0, 40)}"`);
  for (const k of ['note', 'reviewer'] as const) {
    if (v[k] === undefined) continue;
    const p = textProblem(v[k], k);
    if (p) return err(p);
  }
  return ok(makeReview(v.status, v.note as string | undefined, v.reviewer as string | undefined));
}

/** Equality of two optional reviews. */
export function reviewsEqual(a: ReviewRecord | undefined, b: ReviewRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && (a.note ?? '') === (b.note ?? '') && (a.reviewer ?? '') === (b.reviewer ?? '');
}

/** The JSON written to the sidecar (fixed key order). */
export function reviewJson(r: ReviewRecord): Record<string, string> {
  const out: Record<string, string> = { status: r.status };
  if (r.note) out.note = r.note;
  if (r.reviewer) out.reviewer = r.reviewer;
  return out;
}
