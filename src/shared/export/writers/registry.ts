/**
 * Every export format. Adding one: a file in this folder exporting a `FormatSpec` (see
 * ./types.ts), and its entry below; the CLI, the export config and the palette read the list.
 */
import { cocoFormat } from './coco';
import { labelmeFormat } from './labelme';
import { maskFormat } from './masks';
import { pseudoFormat } from './pseudo';
import type { FormatSpec } from './types';
import { vocFormat } from './voc';
import { yoloFormat } from './yolo';

/** The formats in the order they are documented and written (and their warnings raised). */
export const FORMATS = [cocoFormat, vocFormat, maskFormat, pseudoFormat, yoloFormat, labelmeFormat] as const;

/** Dataset formats an export can write. */
export type ExportFormat = (typeof FORMATS)[number]['format'];

/** Every format's name, in the order they are documented. */
export const EXPORT_FORMATS: readonly ExportFormat[] = FORMATS.map((f) => f.format);

/** The format named `name` (its name or an alias, lower case); undefined if there is none. */
export function findFormat(name: string): FormatSpec<ExportFormat> | undefined {
  return FORMATS.find((f) => f.format === name || (f.aliases ?? []).includes(name));
}

/** The format named `name`; throws naming the known formats if there is none. */
export function formatSpec(name: string): FormatSpec<ExportFormat> {
  const spec = findFormat(name);
  if (!spec) throw new Error(`unknown export format "${name}" (use ${EXPORT_FORMATS.join(', ')})`);
  return spec;
}
