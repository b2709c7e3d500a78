/**
 * PASCAL VOC `Annotations/*.xml` writer (the detection part of a VOC dataset: one `<object>` with
 * a `<bndbox>` per object) and the class list written beside the segmentation PNGs.
 */

/** One object of a VOC annotation. Box corners are 1-based inclusive pixel indices as in VOC. */
export interface VocObject {
  readonly name: string;
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  readonly truncated: boolean;
  readonly difficult: boolean;
}

/** What one `Annotations/<id>.xml` describes. */
export interface VocAnnotation {
  readonly folder: string;
  readonly filename: string;
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly segmented: boolean;
  readonly objects: readonly VocObject[];
}

/** Escape text for XML element content. */
export function escapeXml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
  // XML 1.0 allows no control characters but tab, line feed and carriage return.
  // eslint-disable-next-line no-control-regex
  return escaped.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * A VOC box from a pixel bounding box `[x, y, w, h]` in 0-based pixel units (the pixels x..x+w-1):
 * VOC counts pixels from 1 and its max corner is inclusive.
 */
export function vocBoxFromPixelBbox(bbox: readonly [number, number, number, number], width: number, height: number) {
  const [x, y, w, h] = bbox;
  const xmin = Math.max(1, Math.floor(x) + 1);
  const ymin = Math.max(1, Math.floor(y) + 1);
  const xmax = Math.min(width, Math.ceil(x + w));
  const ymax = Math.min(height, Math.ceil(y + h));
  const truncated = x <= 0 || y <= 0 || x + w >= width || y + h >= height;
  return { xmin, ymin, xmax, ymax, truncated };
}

/** Serialise one VOC annotation as XML (2-space indent, trailing newline). */
export function writeVocXml(a: VocAnnotation): string {
  const lines: string[] = [];
  lines.push('<annotation>');
  lines.push(`  <folder>${escapeXml(a.folder)}</folder>`);
  lines.push(`  <filename>${escapeXml(a.filename)}</filename>`);
  lines.push('  <source>');
  lines.push('    <database>EdgeFlow Annotator</database>');
  lines.push('  </source>');
  lines.push('  <size>');
  lines.push(`    <width>${a.width}</width>`);
  lines.push(`    <height>${a.height}</height>`);
  lines.push(`    <depth>${a.depth}</depth>`);
  lines.push('  </size>');
  lines.push(`  <segmented>${a.segmented ? 1 : 0}</segmented>`);
  for (const o of a.objects) {
    lines.push('  <object>');
    lines.push(`    <name>${escapeXml(o.name)}</name>`);
    lines.push('    <pose>Unspecified</pose>');
    lines.push(`    <truncated>${o.truncated ? 1 : 0}</truncated>`);
    lines.push(`    <difficult>${o.difficult ? 1 : 0}</difficult>`);
    lines.push('    <bndbox>');
    lines.push(`      <xmin>${o.xmin}</xmin>`);
    lines.push(`      <ymin>${o.ymin}</ymin>`);
    lines.push(`      <xmax>${o.xmax}</xmax>`);
    lines.push(`      <ymax>${o.ymax}</ymax>`);
    lines.push('    </bndbox>');
    lines.push('  </object>');
  }
  lines.push('</annotation>');
  return lines.join('\n') + '\n';
}

/**
 * Parse the `<object>` names of a VOC annotation XML, in document order. Enough to name the
 * instances of a `SegmentationObject` PNG on import (the n-th object is instance index n).
 */
export function readVocObjectNames(xml: string): string[] {
  const names: string[] = [];
  const objectRe = /<object\b[^>]*>([\s\S]*?)<\/object>/g;
  let m: RegExpExecArray | null;
  while ((m = objectRe.exec(xml)) !== null) {
    const nm = /<name\b[^>]*>([\s\S]*?)<\/name>/.exec(m[1]);
    names.push(nm ? unescapeXml(nm[1].trim()) : '');
  }
  return names;
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
    }
  });
}
