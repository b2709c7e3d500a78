// Types of native-binary.mjs for the TypeScript unit tests (test/unit/packaging).
export type NativeFormat = 'elf' | 'macho' | 'pe';
export interface NativeId {
  format: NativeFormat;
  arch: string;
  archs: string[];
  machine: number;
  bits: number;
  kind: string;
  littleEndian?: boolean;
}
export const TARGET_FORMATS: Record<'linux' | 'darwin' | 'win32', NativeFormat>;
export function parseTarget(target: string): { os: 'linux' | 'darwin' | 'win32'; arch: 'x64' | 'arm64'; format: NativeFormat };
export function isNativeName(name: string): boolean;
export function identifyNative(buf: Uint8Array): NativeId | null;
export function nativeDependencies(buf: Uint8Array, arch?: string): { needed: string[]; rpaths: string[] };
