/**
 * Webview localisation: the host sends `vscode.l10n.t` translations of the strings listed in
 * src/shared/webviewStrings.ts; `t()` looks them up (English fallback) and fills `{0}` placeholders.
 */
let table: Record<string, string> = {};

/** Installs the translation table from the host's `init` message. */
export function setStrings(strings: Record<string, string> | undefined): void {
  table = strings ?? {};
}

/** Translates `message` and substitutes `{0}`, `{1}`... with `args`. */
export function t(message: string, ...args: (string | number)[]): string {
  const s = table[message] ?? message;
  return args.length ? s.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m)) : s;
}
