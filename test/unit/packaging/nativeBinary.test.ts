import * as assert from 'node:assert/strict';
import { identifyNative, isNativeName, nativeDependencies, parseTarget } from '../../../scripts/lib/native-binary.mjs';
import { elf, fat, macho, pe } from './syntheticNatives';

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const CPU_ARM64 = 0x0100000c;
const CPU_X86_64 = 0x01000007;
const PE_AMD64 = 0x8664;
const PE_ARM64 = 0xaa64;

describe('native binary headers (scripts/lib/native-binary.mjs)', () => {
  it('tells ELF x86-64 from ELF aarch64 by e_machine', () => {
    assert.deepEqual(identifyNative(elf(EM_X86_64)), { format: 'elf', arch: 'x64', archs: ['x64'], machine: 62, bits: 64, kind: 'shared', littleEndian: true });
    assert.equal(identifyNative(elf(EM_AARCH64))?.arch, 'arm64');
    const arm32 = identifyNative(elf(40, { bits: 32 }));
    assert.equal(arm32?.arch, 'arm');
    assert.equal(arm32?.bits, 32);
    assert.equal(identifyNative(elf(999))?.arch, 'unknown-999');
  });

  it('tells Mach-O arm64 from x86_64 by cputype, and lists a universal binary\'s slices', () => {
    const arm = identifyNative(macho(CPU_ARM64));
    assert.equal(arm?.format, 'macho');
    assert.equal(arm?.arch, 'arm64');
    assert.equal(arm?.kind, 'shared');
    assert.equal(identifyNative(macho(CPU_X86_64, { filetype: 8 }))?.kind, 'bundle');
    assert.equal(identifyNative(macho(CPU_X86_64))?.arch, 'x64');
    const universal = identifyNative(fat([{ cputype: CPU_X86_64, data: macho(CPU_X86_64) }, { cputype: CPU_ARM64, data: macho(CPU_ARM64) }]));
    assert.deepEqual(universal?.archs, ['x64', 'arm64']);
    assert.equal(universal?.arch, 'universal');
  });

  it('tells PE AMD64 from PE ARM64 by the COFF machine, and a DLL from an executable', () => {
    const x64 = identifyNative(pe(PE_AMD64));
    assert.deepEqual([x64?.format, x64?.arch, x64?.bits, x64?.kind], ['pe', 'x64', 64, 'shared']);
    assert.equal(identifyNative(pe(PE_ARM64))?.arch, 'arm64');
  });

  it('returns null for what is no native binary', () => {
    assert.equal(identifyNative(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), null); // PNG
    assert.equal(identifyNative(new TextEncoder().encode('module.exports = {};')), null);
    assert.equal(identifyNative(new Uint8Array(0)), null);
    // A Java class file shares the universal Mach-O magic; its next field is a version (>= 45).
    assert.equal(identifyNative(new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52])), null);
    // "MZ" alone is a DOS program, not PE.
    const dos = new Uint8Array(128);
    dos.set([0x4d, 0x5a]);
    assert.equal(identifyNative(dos), null);
  });

  it('throws on a truncated header instead of reading past the end', () => {
    assert.throws(() => identifyNative(elf(EM_X86_64).subarray(0, 12)), /ELF: truncated/);
    assert.throws(() => nativeDependencies(macho(CPU_ARM64, { dylibs: ['@rpath/libx.dylib'] }).subarray(0, 40)), /truncated/);
  });

  it('reads an ELF file\'s DT_NEEDED and DT_RUNPATH through the string table\'s address', () => {
    const so = elf(EM_AARCH64, { needed: ['libvips-cpp.so.8.18.7', 'libc.so.6'], runpath: '$ORIGIN/../lib:$ORIGIN/' });
    assert.deepEqual(nativeDependencies(so), { needed: ['libvips-cpp.so.8.18.7', 'libc.so.6'], rpaths: ['$ORIGIN/../lib', '$ORIGIN/'] });
    assert.deepEqual(nativeDependencies(elf(EM_X86_64)), { needed: [], rpaths: [] });
  });

  it('reads a Mach-O file\'s LC_LOAD_DYLIB and LC_RPATH, from the right slice of a universal one', () => {
    const lib = macho(CPU_ARM64, { dylibs: ['@rpath/libonnxruntime.1.dylib', '/usr/lib/libc++.1.dylib'], rpaths: ['@loader_path'] });
    assert.deepEqual(nativeDependencies(lib), { needed: ['@rpath/libonnxruntime.1.dylib', '/usr/lib/libc++.1.dylib'], rpaths: ['@loader_path'] });
    const universal = fat([
      { cputype: CPU_X86_64, data: macho(CPU_X86_64, { dylibs: ['/usr/lib/x64-only.dylib'] }) },
      { cputype: CPU_ARM64, data: lib },
    ]);
    assert.deepEqual(nativeDependencies(universal, 'arm64').needed, ['@rpath/libonnxruntime.1.dylib', '/usr/lib/libc++.1.dylib']);
    assert.deepEqual(nativeDependencies(universal, 'x64').needed, ['/usr/lib/x64-only.dylib']);
    assert.throws(() => nativeDependencies(universal, 'arm'), /no arm slice/);
  });

  it('reads a PE file\'s import and delay-load import tables', () => {
    const dll = pe(PE_ARM64, { imports: ['onnxruntime.dll', 'KERNEL32.dll'], delayImports: ['NODE.EXE'] });
    assert.deepEqual(nativeDependencies(dll), { needed: ['onnxruntime.dll', 'KERNEL32.dll', 'NODE.EXE'], rpaths: [] });
    assert.deepEqual(nativeDependencies(pe(PE_AMD64)), { needed: [], rpaths: [] });
  });

  it('knows native file names and the supported targets', () => {
    for (const n of ['a.node', 'libvips-cpp.so.8.18.7', 'libonnxruntime.so.1', 'x.so', 'libvips-cpp.8.18.7.dylib', 'DirectML.dll']) assert.ok(isNativeName(n), n);
    for (const n of ['a.js', 'model.onnx', 'so.txt', 'README.md']) assert.ok(!isNativeName(n), n);
    assert.deepEqual(parseTarget('win32-arm64'), { os: 'win32', arch: 'arm64', format: 'pe' });
    assert.throws(() => parseTarget('linux-ia32'), /unsupported target/);
  });
});
