// Types of vsix-check.mjs for the TypeScript unit tests (test/unit/packaging).
export interface VsixCheck {
  target: string;
  files: string[];
  natives: { path: string; label: string; size: number }[];
  notes: string[];
  problems: string[];
  load: string | null;
}
export function isHostTarget(target: string): boolean;
export function checkVsix(vsix: string, options?: { target?: string; load?: boolean }): VsixCheck;
export function reportCheck(vsix: string, result: VsixCheck, options?: { quiet?: boolean }): boolean;
