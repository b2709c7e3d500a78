// Types of system-packages.mjs for the TypeScript unit tests (test/unit/packaging).
export interface SystemEnvironment {
  platform: string;
  isRoot: boolean;
  hasDpkg: boolean;
  hasApt: boolean;
  installed(name: string): boolean;
  run(cmd: string, args: string[]): number | null;
  log(msg: string): void;
}
export const SYSTEM_PACKAGES: { codeServer: string[]; browser: string[]; tools: string[] };
export const ALL_SYSTEM_PACKAGES: string[];
export function missingPackages(names: string[], env?: SystemEnvironment): string[];
export function ensureSystemPackages(names: string[], why: string, env?: SystemEnvironment): string[];
