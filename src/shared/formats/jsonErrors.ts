/**
 * Where a problem in a JSON text is: the offset JSON.parse reports in its error message, and the
 * offset of a value named by a path such as `annotations[3].segmentation[0]`, found by a small
 * scanner (linear time, no recursion, so a huge or deeply nested file cannot overflow the stack).
 * Used to put Problems-panel diagnostics on the right line of a sidecar or labels file.
 *
 * Why not jsonc-parser (which reads VS Code's settings files here, trust.ts): sidecars and labels
 * files are untrusted input, and jsonc-parser parses recursively: measured, 10,000 nested `[`
 * throw a RangeError (stack overflow) in its `parse`, where these scanners and V8's JSON.parse
 * answer with an offset. They are strict JSON too (no comments: the editor rewrites these files).
 */

/** The character offset JSON.parse reports in its message ("at position N", "line L column C"). */
export function jsonErrorOffset(message: string, text: string): number | undefined {
  const pos = /at position (\d+)/.exec(message);
  if (pos) return Math.min(Number(pos[1]), text.length);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return Math.min(offsetOfLineColumn(text, Number(lc[1]) - 1, Number(lc[2]) - 1), text.length);
  if (/end of (JSON )?input/i.test(message)) return text.length;
  // Newer V8 messages quote a snippet instead of a position: find the place ourselves.
  return jsonSyntaxErrorOffset(text);
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** End of a strictly valid JSON string starting at `i` (a `"`), or -(offset of the error) - 1. */
function scanString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -i - 1;
        i += 6;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
      else return -i - 1;
    } else i++;
  }
  return -text.length - 1;
}

/**
 * Offset of the first JSON syntax error in `text`, undefined when it is valid JSON. A small
 * iterative checker (no recursion: deep nesting cannot overflow the stack).
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const stack: string[] = [];
  let i = skipWs(text, 0);
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    if (state === 'value') {
      const c = text[i];
      if (c === '{') {
        stack.push('{');
        i = skipWs(text, i + 1);
        if (text[i] === '}') {
          stack.pop();
          i++;
          state = 'after';
        } else state = 'key';
        continue;
      }
      if (c === '[') {
        stack.push('[');
        i = skipWs(text, i + 1);
        if (text[i] === ']') {
          stack.pop();
          i++;
          state = 'after';
        }
        continue;
      }
      if (c === '"') {
        const end = scanString(text, i);
        if (end < 0) return -end - 1;
        i = end;
      } else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else {
        NUMBER_RE.lastIndex = i;
        const m = NUMBER_RE.exec(text);
        if (!m || m[0] === '' || m[0] === '-') return i;
        i += m[0].length;
      }
      state = 'after';
      continue;
    }
    if (state === 'key') {
      if (text[i] !== '"') return i;
      const end = scanString(text, i);
      if (end < 0) return -end - 1;
      i = skipWs(text, end);
      if (text[i] !== ':') return i;
      i = skipWs(text, i + 1);
      state = 'value';
      continue;
    }
    i = skipWs(text, i);
    const top = stack[stack.length - 1];
    if (top === undefined) return i < text.length ? i : undefined;
    if (text[i] === ',') {
      i = skipWs(text, i + 1);
      state = top === '{' ? 'key' : 'value';
    } else if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
      stack.pop();
      i++;
    } else return i;
  }
}

/** Offset of a 0-based line and column. */
function offsetOfLineColumn(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at + Math.max(0, column);
}

/** 0-based line and column (UTF-16 units) of an offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: end - lineStart };
}

/** Splits `a.b[3].c` into ['a', 'b', 3, 'c']; undefined when it is not such a path. */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m.index !== consumed && !(path[consumed] === '.' && m.index === consumed + 1)) return undefined;
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    consumed = re.lastIndex;
  }
  return consumed === path.length && out.length ? out : undefined;
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End of the string starting at `i` (a `"`), just past its closing quote. */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return text.length;
}

/** End of the value starting at `i` (bracket matching outside strings, no recursion). */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c !== '{' && c !== '[') {
    while (i < text.length && !',]}'.includes(text[i]) && !/\s/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const d = text[i];
    if (d === '"') {
      i = skipString(text, i);
      continue;
    }
    if (d === '{' || d === '[') depth++;
    else if (d === '}' || d === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return text.length;
}

/**
 * Offset of the value at `path` in a JSON text (the deepest part of the path that exists, when
 * not all of it does); undefined when the text is not shaped like the path at all. The text is
 * assumed to be valid JSON (the path came from reading it); nothing here throws.
 */
export function locateJsonPath(text: string, path: string): number | undefined {
  const parts = parseJsonPath(path);
  if (!parts) return undefined;
  let i = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  let found: number | undefined = i;
  for (const part of parts) {
    if (typeof part === 'number') {
      if (text[i] !== '[') return found;
      i = skipWs(text, i + 1);
      for (let k = 0; k < part; k++) {
        if (text[i] === ']' || i >= text.length) return found;
        i = skipWs(text, skipValue(text, i));
        if (text[i] !== ',') return found;
        i = skipWs(text, i + 1);
      }
      if (text[i] === ']' || i >= text.length) return found;
    } else {
      if (text[i] !== '{') return found;
      i = skipWs(text, i + 1);
      let hit = false;
      while (i < text.length && text[i] === '"') {
        const end = skipString(text, i);
        let key: unknown;
        try {
          key = JSON.parse(text.slice(i, end));
        } catch {
          return found;
        }
        i = skipWs(text, end);
        if (text[i] !== ':') return found;
        i = skipWs(text, i + 1);
        if (key === part) {
          hit = true;
          break;
        }
        i = skipWs(text, skipValue(text, i));
        if (text[i] !== ',') break;
        i = skipWs(text, i + 1);
      }
      if (!hit) return found;
    }
    found = i;
  }
  return found;
}
