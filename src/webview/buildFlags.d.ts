/**
 * Compile-time flags, replaced by esbuild's `define` (esbuild.mjs).
 *
 * `__EDGEFLOW_DEBUG__`: the test/debug API `window.__edgeflowDebug` and the frame statistics it
 * reads are compiled in (test/e2e/README-hooks.md). True in development builds and in the VSIX
 * the e2e tests package (EDGEFLOW_TEST_HOOKS=1); false in the VSIX that ships, where the code
 * behind it is dropped.
 */
declare const __EDGEFLOW_DEBUG__: boolean;
