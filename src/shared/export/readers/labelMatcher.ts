/** Class names from label files -> label ids of the workspace labels file. */
import { parseHexColour } from '../../formats/vocPalette';
import { Label, MAX_LABEL_ID, newLabelColor, nextLabelId } from '../../labels';

/** Maps class names to label ids, adding labels for new names. */
export class LabelMatcher {
  readonly labels: Label[];
  readonly added: string[] = [];

  constructor(labels: readonly Label[]) {
    this.labels = labels.map((l) => ({ ...l }));
  }

  /** The id of `name`, adding a label (preferring `preferredId`) if no label has that name. */
  idFor(name: string, preferredId?: number, colour?: string): number {
    const trimmed = name.trim();
    const exact = this.labels.find((l) => l.name === trimmed) ?? this.labels.find((l) => l.name.toLowerCase() === trimmed.toLowerCase());
    if (exact) return exact.id;
    const free = (id: number | undefined) => id !== undefined && Number.isInteger(id) && id >= 1 && id <= MAX_LABEL_ID && !this.labels.some((l) => l.id === id);
    const id = free(preferredId) ? (preferredId as number) : nextLabelId(this.labels);
    if (id === undefined) throw new Error(`the labels file is full (${MAX_LABEL_ID} classes): cannot add "${trimmed}"`);
    const color = colour && parseHexColour(colour) && /^#[0-9a-fA-F]{6}$/.test(colour) ? colour.toLowerCase() : newLabelColor(this.labels);
    this.labels.push({ id, name: trimmed, color });
    this.labels.sort((a, b) => a.id - b.id);
    this.added.push(trimmed);
    return id;
  }
}
