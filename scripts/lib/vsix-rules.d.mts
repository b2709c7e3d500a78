// Types of vsix-rules.mjs for the TypeScript unit tests (test/unit/packaging).
import type { NativeFormat } from './native-binary.mjs';
export const TARGETS: string[];
export const BASE_TARGET: string;
export const MAX_VSIX_BYTES: number;
export const VSCE_PACKAGE_FLAGS: string[];
export function vsixName(manifest: { name: string; version: string }, target: string): string;
export function targetIgnoreFile(base: string, target: string, options?: { hasLibvipsPackage?: boolean }): string;
export function runtimePackages(target: string): string[];
export function disallowedReason(rel: string, target: string, options?: { icon?: string }): string | null;
export function requiredFiles(target: string, manifest: { main: string }): string[];
export type Resolution = { kind: 'bundled'; path: string } | { kind: 'system' | 'host' | 'vcruntime' | 'missing' };
export function resolveNeeded(format: NativeFormat, from: string, name: string, rpaths: string[], files: Set<string>): Resolution;
