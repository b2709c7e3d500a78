// One build script for the extension host, the webview and the unit tests.
//   node esbuild.mjs                 build extension + webview (development: sourcemaps)
//   node esbuild.mjs --production    minified, no sourcemaps (what the VSIX ships)
//   node esbuild.mjs --watch         rebuild extension + webview on change
//   node esbuild.mjs --tests         build every test/unit/**/*.test.ts to out/test/unit/**/*.test.js
// EDGEFLOW_TEST_HOOKS=1 keeps the webview's test API (window.__edgeflowDebug) in a --production
// build; test/e2e/run-e2e.mjs packages the VSIX it tests so. Development builds always have it.
// Native modules (sharp, onnxruntime-node) and vscode stay external: they ship in node_modules.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const testsOnly = args.has('--tests');
/** `__EDGEFLOW_DEBUG__` in the webview: the test/debug API (test/e2e/README-hooks.md) is compiled in. */
const debugHooks = !production || process.env.EDGEFLOW_TEST_HOOKS === '1';

/** Every file under `dir` whose name ends with `suffix` (sorted, so builds are reproducible). */
function findFiles(dir, suffix) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/** Logs build results like `tsc` so editors and CI show them. */
const reporter = (name) => ({
  name: 'report',
  setup(build) {
    build.onEnd((result) => {
      for (const e of result.errors) {
        const loc = e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : '';
        console.error(`✘ [${name}] ${loc}${e.text}`);
      }
      if (watch) console.log(`[${name}] build finished${result.errors.length ? ' with errors' : ''}`);
    });
  },
});

const common = {
  bundle: true,
  logLevel: 'warning',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'linked',
};

/** Extension host bundle (CommonJS for VS Code's loader). */
const extensionOptions = {
  ...common,
  entryPoints: {
    extension: join(root, 'src/extension/extension.ts'),
    // The inference worker thread (onnxruntime-node session), loaded by path at run time.
    inferenceWorker: join(root, 'src/extension/inference/worker.ts'),
    // Parses large sidecars off the extension host's main thread (sidecar/sidecarReader.ts).
    sidecarWorker: join(root, 'src/extension/sidecarWorker.ts'),
  },
  outdir: join(root, 'dist/extension'),
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ES modules first: jsonc-parser's UMD build loads its parts with a require() esbuild cannot
  // follow ("Cannot find module './impl/format'" at activation).
  mainFields: ['module', 'main'],
  external: ['vscode', 'sharp', 'onnxruntime-node'],
  plugins: [reporter('extension')],
};

/** Webview bundle (one IIFE + one CSS file, loaded under a strict CSP). */
const webviewOptions = {
  ...common,
  entryPoints: { main: join(root, 'src/webview/main.tsx') },
  outdir: join(root, 'dist/webview'),
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.ttf': 'file' },
  define: { __EDGEFLOW_DEBUG__: JSON.stringify(debugHooks) },
  plugins: [reporter('webview')],
};

/** The `edgeflow` command-line tool (package.json "bin"): dataset export/import without VS Code. */
const cliOptions = {
  ...common,
  entryPoints: { edgeflow: join(root, 'src/cli/index.ts') },
  outdir: join(root, 'dist/cli'),
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  mainFields: ['module', 'main'],
  external: ['sharp'],
  plugins: [reporter('cli')],
};

/** Codicons ship with the webview bundle so localResourceRoots can stay inside dist/. */
function copyCodicons() {
  const src = join(root, 'node_modules/@vscode/codicons/dist');
  const dst = join(root, 'dist/webview/codicons');
  mkdirSync(dst, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(src, f), join(dst, f));
}

/** Unit tests: each test file is its own bundle; packages stay external (resolved from node_modules). */
function testOptions() {
  const entryPoints = findFiles(join(root, 'test/unit'), '.test.ts');
  return {
    ...common,
    sourcemap: 'inline',
    minify: false,
    entryPoints,
    outbase: root,
    outdir: join(root, 'out'),
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    define: { __EDGEFLOW_DEBUG__: 'true' },
    plugins: [reporter('tests')],
  };
}

async function main() {
  if (testsOnly) {
    // Start clean so a deleted test never keeps running from a stale bundle.
    rmSync(join(root, 'out/test/unit'), { recursive: true, force: true });
    const opts = testOptions();
    await esbuild.build(opts);
    console.log(`built ${opts.entryPoints.length} unit test file(s) into ${relative(root, opts.outdir)}/test/unit`);
    return;
  }
  // A production build starts from an empty dist/ so no stale source map or bundle ships.
  if (production) rmSync(join(root, 'dist'), { recursive: true, force: true });
  if (production && debugHooks) console.log('esbuild: production build with the webview test hooks (EDGEFLOW_TEST_HOOKS=1)');
  const builds = [];
  if (existsSync(extensionOptions.entryPoints.extension)) builds.push(extensionOptions);
  else console.warn('esbuild: src/extension/extension.ts missing, extension bundle skipped');
  if (existsSync(webviewOptions.entryPoints.main)) builds.push(webviewOptions);
  else console.warn('esbuild: src/webview/main.tsx missing, webview bundle skipped');
  if (existsSync(cliOptions.entryPoints.edgeflow)) builds.push(cliOptions);
  copyCodicons();
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
    console.log('watching for changes...');
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

main().catch((e) => {
  if (!e?.errors) console.error(e);
  process.exit(1);
});
