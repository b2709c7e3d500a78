/**
 * Setting a sidecar's review without re-serialising its labels: the parsed JSON gets its
 * `edgeflow_review` key set (right after "annotations", where the editor writes it) or removed,
 * every other key kept in its place. For a file the editor wrote, the result is what the editor
 * would write with that review (write -> read -> write is byte-identical); a file another tool
 * wrote keeps all its data, in the editor's layout.
 */
import { reviewJson, type ReviewRecord } from '../annotation/review';
import { REVIEW_KEY } from '../formats/cocoSidecar';
import { stringifyCompactNumbers } from '../formats/json';

/** The sidecar text with `review` set (undefined: removed). `text` must be a JSON object. */
export function setReviewInText(text: string, review: ReviewRecord | undefined): string {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const raw = JSON.parse(bom ? text.slice(1) : text) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('a sidecar must be a JSON object');
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  let placed = false;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === REVIEW_KEY) continue;
    put(k, v);
    if (k === 'annotations' && review) {
      put(REVIEW_KEY, reviewJson(review));
      placed = true;
    }
  }
  if (review && !placed) put(REVIEW_KEY, reviewJson(review));
  return stringifyCompactNumbers(out) + '\n';
}
