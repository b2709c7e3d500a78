// Reads native binaries' headers (ELF, Mach-O, PE) without running them: the format, the CPU
// architecture, and the libraries each one loads, so a VSIX built for another platform can be
// checked on this machine (scripts/check-vsix.mjs). Only what that check needs is parsed; a
// truncated or malformed file throws with a specific message rather than reading past its end.

/** ELF e_machine values we name. */
const ELF_MACHINES = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64', 21: 'ppc64', 22: 's390x' };
/** Mach-O cputype values (CPU_ARCH_ABI64 = 0x01000000). */
const MACHO_CPUS = { 7: 'ia32', 0x01000007: 'x64', 12: 'arm', 0x0100000c: 'arm64' };
/** PE COFF Machine values. */
const PE_MACHINES = { 0x014c: 'ia32', 0x8664: 'x64', 0xaa64: 'arm64', 0x01c4: 'arm', 0xa641: 'arm64ec' };

/** The binary format each VS Code target's native files must have. */
export const TARGET_FORMATS = { linux: 'elf', darwin: 'macho', win32: 'pe' };

/** `linux-x64` -> { os: 'linux', arch: 'x64', format: 'elf' }. */
export function parseTarget(target) {
  const m = /^(linux|darwin|win32)-(x64|arm64)$/.exec(target);
  if (!m) throw new Error(`unsupported target "${target}" (expected linux|darwin|win32 - x64|arm64)`);
  return { os: m[1], arch: m[2], format: TARGET_FORMATS[m[1]] };
}

/** Whether a file name is one a native library or addon has (.node, .so, .so.1.2, .dylib, .dll). */
export function isNativeName(name) {
  return /\.(node|dylib|dll|exe)$/i.test(name) || /\.so(\.\d+)*$/.test(name);
}

function reader(buf, what) {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const need = (off, len) => {
    if (off < 0 || off + len > u8.byteLength) throw new Error(`${what}: truncated (needs bytes ${off}..${off + len}, has ${u8.byteLength})`);
  };
  return {
    u8,
    length: u8.byteLength,
    u16: (off, le) => (need(off, 2), view.getUint16(off, le)),
    u32: (off, le) => (need(off, 4), view.getUint32(off, le)),
    u64: (off, le) => {
      need(off, 8);
      const v = view.getBigUint64(off, le);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what}: offset out of range`);
      return Number(v);
    },
    /** A NUL-terminated string at `off` (at most `max` bytes). */
    cstr: (off, max = 4096) => {
      need(off, 1);
      let end = off;
      while (end < u8.byteLength && end - off < max && u8[end] !== 0) end++;
      return new TextDecoder('latin1').decode(u8.subarray(off, end));
    },
  };
}

/**
 * Identifies a native binary from its first bytes. Returns null when `buf` is none of ELF, Mach-O
 * (thin or universal) or PE; else { format, arch, archs, machine, bits, kind }: `arch` is the
 * architecture's Node name (x64, arm64, ...; `unknown-<n>` for others), `archs` every slice of a
 * universal Mach-O, `machine` the raw header value, `kind` shared|executable|bundle|relocatable|other.
 */
export function identifyNative(buf) {
  const r = reader(buf, 'header');
  if (r.length < 4) return null;
  const b = r.u8;
  // ELF: \x7fELF, class (1: 32-bit, 2: 64-bit), data (1: little, 2: big endian).
  if (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) {
    if (r.length < 20) throw new Error('ELF: truncated header');
    const bits = b[4] === 2 ? 64 : b[4] === 1 ? 32 : 0;
    if (!bits || (b[5] !== 1 && b[5] !== 2)) throw new Error(`ELF: bad class ${b[4]} or data ${b[5]}`);
    const le = b[5] === 1;
    const type = r.u16(16, le);
    const machine = r.u16(18, le);
    const kind = { 1: 'relocatable', 2: 'executable', 3: 'shared' }[type] ?? 'other';
    const arch = ELF_MACHINES[machine] ?? `unknown-${machine}`;
    return { format: 'elf', arch, archs: [arch], machine, bits, kind, littleEndian: le };
  }
  const magicLE = r.u32(0, true);
  const magicBE = r.u32(0, false);
  // Thin Mach-O: MH_MAGIC(_64) in either byte order (CF FA ED FE on disk for little-endian 64-bit).
  if ([0xfeedface, 0xfeedfacf].includes(magicLE) || [0xfeedface, 0xfeedfacf].includes(magicBE)) {
    const le = [0xfeedface, 0xfeedfacf].includes(magicLE);
    const bits = (le ? magicLE : magicBE) === 0xfeedfacf ? 64 : 32;
    const machine = r.u32(4, le);
    const filetype = r.u32(12, le);
    const kind = { 1: 'relocatable', 2: 'executable', 6: 'shared', 8: 'bundle' }[filetype] ?? 'other';
    const arch = MACHO_CPUS[machine] ?? `unknown-${machine}`;
    return { format: 'macho', arch, archs: [arch], machine, bits, kind, littleEndian: le };
  }
  // Universal (fat) Mach-O: CAFEBABE, big-endian, then nfat_arch entries. Java class files share
  // the magic; their next field (a version) is >= 45, a fat header's arch count is small.
  if (magicBE === 0xcafebabe || magicBE === 0xcafebabf) {
    const n = r.u32(4, false);
    if (n === 0 || n > 16) return null;
    const entry = magicBE === 0xcafebabf ? 32 : 20;
    const archs = [];
    for (let i = 0; i < n; i++) archs.push(MACHO_CPUS[r.u32(8 + i * entry, false)] ?? `unknown-${r.u32(8 + i * entry, false)}`);
    return { format: 'macho', arch: archs.length === 1 ? archs[0] : 'universal', archs, machine: 0, bits: 0, kind: 'universal' };
  }
  // PE: "MZ", e_lfanew at 0x3c, "PE\0\0", then the COFF header.
  if (b[0] === 0x4d && b[1] === 0x5a) {
    if (r.length < 0x40) return null;
    const pe = r.u32(0x3c, true);
    if (pe + 24 > r.length || r.u32(pe, true) !== 0x00004550) return null; // a DOS program
    const machine = r.u16(pe + 4, true);
    const characteristics = r.u16(pe + 22, true);
    const optMagic = r.u16(pe + 24, true);
    const bits = optMagic === 0x20b ? 64 : optMagic === 0x10b ? 32 : 0;
    const kind = characteristics & 0x2000 ? 'shared' : characteristics & 0x0002 ? 'executable' : 'other';
    const arch = PE_MACHINES[machine] ?? `unknown-${machine}`;
    return { format: 'pe', arch, archs: [arch], machine, bits, kind, littleEndian: true };
  }
  return null;
}

/**
 * The libraries a native binary loads, with where it looks for them:
 * { needed: string[], rpaths: string[] } (ELF DT_NEEDED + DT_RUNPATH/DT_RPATH; Mach-O
 * LC_LOAD_DYLIB/LC_LOAD_WEAK_DYLIB/LC_REEXPORT_DYLIB + LC_RPATH; PE import and delay-load
 * import tables, rpaths empty). A universal Mach-O is read from its `arch` slice.
 */
export function nativeDependencies(buf, arch) {
  const id = identifyNative(buf);
  if (!id) throw new Error('not a native binary');
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (id.format === 'elf') return elfDependencies(reader(u8, 'ELF'), id);
  if (id.format === 'pe') return peDependencies(reader(u8, 'PE'));
  if (id.kind === 'universal') {
    const r = reader(u8, 'Mach-O');
    const fat64 = r.u32(0, false) === 0xcafebabf;
    const entry = fat64 ? 32 : 20;
    const i = id.archs.indexOf(arch);
    if (i < 0) throw new Error(`Mach-O: no ${arch} slice (has ${id.archs.join(', ')})`);
    const off = fat64 ? r.u64(8 + i * entry + 8, false) : r.u32(8 + i * entry + 8, false);
    const size = fat64 ? r.u64(8 + i * entry + 16, false) : r.u32(8 + i * entry + 12, false);
    if (off + size > u8.byteLength) throw new Error('Mach-O: slice past the end of the file');
    return nativeDependencies(u8.subarray(off, off + size), arch);
  }
  return machoDependencies(reader(u8, 'Mach-O'), id);
}

function elfDependencies(r, { bits, littleEndian: le }) {
  const w = bits === 64;
  const addr = w ? (o) => r.u64(o, le) : (o) => r.u32(o, le);
  const phoff = addr(w ? 32 : 28);
  const phentsize = r.u16(w ? 54 : 42, le);
  const phnum = r.u16(w ? 56 : 44, le);
  const loads = [];
  let dynamic;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const type = r.u32(p, le);
    const seg = w
      ? { offset: r.u64(p + 8, le), vaddr: r.u64(p + 16, le), filesz: r.u64(p + 32, le) }
      : { offset: r.u32(p + 4, le), vaddr: r.u32(p + 8, le), filesz: r.u32(p + 16, le) };
    if (type === 1) loads.push(seg); // PT_LOAD
    if (type === 2) dynamic = seg; // PT_DYNAMIC
  }
  if (!dynamic) return { needed: [], rpaths: [] };
  const toOffset = (vaddr) => {
    const seg = loads.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz);
    if (!seg) throw new Error(`ELF: address 0x${vaddr.toString(16)} is in no loaded segment`);
    return vaddr - seg.vaddr + seg.offset;
  };
  const entry = w ? 16 : 8;
  const needed = [];
  const runpath = [];
  let strtab;
  for (let off = dynamic.offset; off + entry <= dynamic.offset + dynamic.filesz; off += entry) {
    const tag = addr(off);
    const val = addr(off + entry / 2);
    if (tag === 0) break; // DT_NULL
    if (tag === 1) needed.push(val); // DT_NEEDED
    else if (tag === 5) strtab = toOffset(val); // DT_STRTAB
    else if (tag === 15 || tag === 29) runpath.push(val); // DT_RPATH, DT_RUNPATH
  }
  if ((needed.length || runpath.length) && strtab === undefined) throw new Error('ELF: DT_NEEDED without DT_STRTAB');
  return {
    needed: needed.map((o) => r.cstr(strtab + o)),
    rpaths: runpath.flatMap((o) => r.cstr(strtab + o).split(':')).filter(Boolean),
  };
}

function machoDependencies(r, { bits, littleEndian: le }) {
  const ncmds = r.u32(16, le);
  let off = bits === 64 ? 32 : 28;
  const needed = [];
  const rpaths = [];
  for (let i = 0; i < ncmds; i++) {
    const cmd = r.u32(off, le);
    const size = r.u32(off + 4, le);
    if (size < 8) throw new Error(`Mach-O: load command ${i} has size ${size}`);
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB
    if ([0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023].includes(cmd)) needed.push(r.cstr(off + r.u32(off + 8, le), size));
    else if (cmd === 0x8000001c) rpaths.push(r.cstr(off + r.u32(off + 8, le), size)); // LC_RPATH
    off += size;
  }
  return { needed, rpaths };
}

function peDependencies(r) {
  const pe = r.u32(0x3c, true);
  const nsections = r.u16(pe + 6, true);
  const optSize = r.u16(pe + 20, true);
  const opt = pe + 24;
  const pe32plus = r.u16(opt, true) === 0x20b;
  const dirs = opt + (pe32plus ? 112 : 96);
  const ndirs = r.u32(opt + (pe32plus ? 108 : 92), true);
  const sections = [];
  for (let i = 0; i < nsections; i++) {
    const s = opt + optSize + i * 40;
    sections.push({ vsize: r.u32(s + 8, true), va: r.u32(s + 12, true), rawSize: r.u32(s + 16, true), raw: r.u32(s + 20, true) });
  }
  const toOffset = (rva) => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + Math.max(x.vsize, x.rawSize));
    if (!s) throw new Error(`PE: RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.va + s.raw;
  };
  const needed = [];
  const dir = (i) => (i < ndirs ? { rva: r.u32(dirs + i * 8, true), size: r.u32(dirs + i * 8 + 4, true) } : { rva: 0, size: 0 });
  const imports = dir(1);
  if (imports.rva) {
    // IMAGE_IMPORT_DESCRIPTOR: 20 bytes, Name RVA at +12; ends with an all-zero descriptor.
    for (let d = toOffset(imports.rva); r.u32(d + 12, true) !== 0; d += 20) needed.push(r.cstr(toOffset(r.u32(d + 12, true))));
  }
  const delay = dir(13);
  if (delay.rva) {
    // IMAGE_DELAYLOAD_DESCRIPTOR: 32 bytes, DllNameRVA at +4; attribute bit 0 clear (old linkers)
    // means the field holds a virtual address, not an RVA.
    const imageBase = pe32plus ? r.u64(opt + 24, true) : r.u32(opt + 28, true);
    for (let d = toOffset(delay.rva); r.u32(d + 4, true) !== 0; d += 32) {
      const name = r.u32(d + 4, true);
      needed.push(r.cstr(toOffset(r.u32(d, true) & 1 ? name : name - imageBase)));
    }
  }
  return { needed, rpaths: [] };
}
