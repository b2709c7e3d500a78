/**
 * The one place the extension loads sharp.
 *
 * sharp is native and large, so it is loaded on first use, not at activation. It is loaded with
 * `require`: a dynamic `import()` would resolve sharp's ESM entry, which the VSIX does not ship
 * (only its CommonJS files).
 */
export type SharpModule = typeof import('sharp').default;

let sharpModule: SharpModule | undefined;

/** Returns sharp, loading it on the first call. */
export function loadSharp(): SharpModule {
  if (!sharpModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('sharp') as SharpModule & { default?: SharpModule };
    sharpModule = m.default ?? m;
  }
  return sharpModule;
}
