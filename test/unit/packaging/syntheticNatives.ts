/**
 * Tiny synthetic native binaries (a few hundred bytes each): just the headers and tables the
 * VSIX check reads, laid out as the ELF, Mach-O and PE specifications say.
 */
import { crc32 } from 'node:zlib';

const ascii = (s: string) => new TextEncoder().encode(s);

/** A 64-bit little-endian ELF shared object, or a header-only 32-bit one. */
export function elf(machine: number, { bits = 64, needed = [] as string[], runpath = '' } = {}): Uint8Array {
  if (bits === 32) {
    const b = new Uint8Array(52);
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    const v = new DataView(b.buffer);
    v.setUint16(16, 3, true);
    v.setUint16(18, machine, true);
    return b;
  }
  // Layout: ELF header (64), two program headers (PT_LOAD, PT_DYNAMIC; 56 each), the dynamic
  // section, then the string table. The file is loaded at 0x400000, so DT_STRTAB (an address)
  // must be translated back to a file offset through PT_LOAD.
  const names = [...needed, ...(runpath ? [runpath] : [])];
  let strtab = [0];
  const nameOffsets = names.map((n) => {
    const off = strtab.length;
    strtab = [...strtab, ...ascii(n), 0];
    return off;
  });
  const dynEntries: [number, number][] = needed.map((_, i) => [1, nameOffsets[i]]);
  if (runpath) dynEntries.push([29, nameOffsets[needed.length]]);
  const dynOff = 64 + 2 * 56;
  const strOff = dynOff + (dynEntries.length + 2) * 16;
  const base = 0x400000;
  dynEntries.push([5, base + strOff], [0, 0]);
  const b = new Uint8Array(strOff + strtab.length);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 3, true); // ET_DYN
  v.setUint16(18, machine, true);
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(54, 56, true); // e_phentsize
  v.setUint16(56, 2, true); // e_phnum
  const ph = (i: number, type: number, offset: number, size: number) => {
    const p = 64 + i * 56;
    v.setUint32(p, type, true);
    v.setBigUint64(p + 8, BigInt(offset), true);
    v.setBigUint64(p + 16, BigInt(base + offset), true);
    v.setBigUint64(p + 32, BigInt(size), true);
  };
  ph(0, 1, 0, b.length);
  ph(1, 2, dynOff, strOff - dynOff);
  dynEntries.forEach(([tag, val], i) => {
    v.setBigUint64(dynOff + i * 16, BigInt(tag), true);
    v.setBigUint64(dynOff + i * 16 + 8, BigInt(val), true);
  });
  b.set(strtab, strOff);
  return b;
}

/** A 64-bit little-endian Mach-O with LC_LOAD_DYLIB and LC_RPATH commands. */
export function macho(cputype: number, { filetype = 6, dylibs = [] as string[], rpaths = [] as string[] } = {}): Uint8Array {
  const pad8 = (n: number) => (n + 7) & ~7;
  const cmds: Uint8Array[] = [];
  for (const d of dylibs) {
    const c = new Uint8Array(pad8(24 + d.length + 1));
    const v = new DataView(c.buffer);
    v.setUint32(0, 0xc, true); // LC_LOAD_DYLIB
    v.setUint32(4, c.length, true);
    v.setUint32(8, 24, true); // name offset
    c.set(ascii(d), 24);
    cmds.push(c);
  }
  for (const r of rpaths) {
    const c = new Uint8Array(pad8(12 + r.length + 1));
    const v = new DataView(c.buffer);
    v.setUint32(0, 0x8000001c, true); // LC_RPATH
    v.setUint32(4, c.length, true);
    v.setUint32(8, 12, true);
    c.set(ascii(r), 12);
    cmds.push(c);
  }
  const size = cmds.reduce((s, c) => s + c.length, 0);
  const b = new Uint8Array(32 + size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xfeedfacf, true);
  v.setUint32(4, cputype, true);
  v.setUint32(12, filetype, true);
  v.setUint32(16, cmds.length, true);
  v.setUint32(20, size, true);
  let off = 32;
  for (const c of cmds) {
    b.set(c, off);
    off += c.length;
  }
  return b;
}

/** A universal (fat) Mach-O holding the given thin slices. */
export function fat(slices: { cputype: number; data: Uint8Array }[]): Uint8Array {
  const header = 8 + slices.length * 20;
  const total = slices.reduce((s, x) => s + x.data.length, header);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xcafebabe, false);
  v.setUint32(4, slices.length, false);
  let off = header;
  slices.forEach((s, i) => {
    v.setUint32(8 + i * 20, s.cputype, false);
    v.setUint32(8 + i * 20 + 8, off, false);
    v.setUint32(8 + i * 20 + 12, s.data.length, false);
    b.set(s.data, off);
    off += s.data.length;
  });
  return b;
}

/** A PE32+ DLL with one section holding an import table and a delay-load import table. */
export function pe(machine: number, { imports = [] as string[], delayImports = [] as string[] } = {}): Uint8Array {
  const peOff = 64;
  const optSize = 112 + 16 * 8;
  const sectionHeader = peOff + 24 + optSize;
  const raw = 0x200;
  const va = 0x1000;
  const importsOff = raw;
  const delayOff = importsOff + (imports.length + 1) * 20;
  let namesOff = delayOff + (delayImports.length + 1) * 32;
  const b = new Uint8Array(namesOff + [...imports, ...delayImports].reduce((s, n) => s + n.length + 1, 0) + 16);
  const v = new DataView(b.buffer);
  const rva = (off: number) => va + (off - raw);
  b.set(ascii('MZ'));
  v.setUint32(0x3c, peOff, true);
  b.set(ascii('PE\0\0'), peOff);
  v.setUint16(peOff + 4, machine, true);
  v.setUint16(peOff + 6, 1, true); // one section
  v.setUint16(peOff + 20, optSize, true);
  v.setUint16(peOff + 22, 0x2022, true); // DLL | EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
  const opt = peOff + 24;
  v.setUint16(opt, 0x20b, true); // PE32+
  v.setBigUint64(opt + 24, 0x180000000n, true); // ImageBase
  v.setUint32(opt + 108, 16, true); // NumberOfRvaAndSizes
  v.setUint32(sectionHeader + 8, b.length - raw, true); // VirtualSize
  v.setUint32(sectionHeader + 12, va, true);
  v.setUint32(sectionHeader + 16, b.length - raw, true); // SizeOfRawData
  v.setUint32(sectionHeader + 20, raw, true);
  const name = (n: string) => {
    const off = namesOff;
    b.set(ascii(n), off);
    namesOff += n.length + 1;
    return rva(off);
  };
  if (imports.length) {
    v.setUint32(opt + 112 + 8, rva(importsOff), true); // data directory 1: imports
    imports.forEach((n, i) => v.setUint32(importsOff + i * 20 + 12, name(n), true));
  }
  if (delayImports.length) {
    v.setUint32(opt + 112 + 13 * 8, rva(delayOff), true); // data directory 13: delay imports
    delayImports.forEach((n, i) => {
      v.setUint32(delayOff + i * 32, 1, true); // attributes: RVAs
      v.setUint32(delayOff + i * 32 + 4, name(n), true);
    });
  }
  return b;
}

/** A zip archive of the given files, stored uncompressed (enough for unzip and the VSIX check). */
export function zip(files: Record<string, Uint8Array | string>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [path, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? ascii(content) : content;
    const name = ascii(path);
    const crc = crc32(data);
    const local = new Uint8Array(30 + name.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(data, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let o = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}
