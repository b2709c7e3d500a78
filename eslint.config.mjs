// ESLint: the import boundaries between the runtimes (src/extension: the extension host;
// src/webview: the browser; src/shared: any runtime) where types cannot draw them, and the security
// rules (no code from strings; in the webview no HTML injection sinks and no remote URLs; webview
// options in one place). Syntax-only (no type information), so it stays fast;
// `npm run typecheck` runs it after tsc.
//
// The type programs draw the rest: tsconfig.json (host, CLI, host tests: no DOM lib),
// src/webview/tsconfig.json (DOM, no Node types) and test/unit/webview/tsconfig.json.
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Node's built-in modules by their bare names ('fs', 'fs/promises', ...); `node:*` is a pattern. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
/** Packages only the extension host (and the CLI) may load: the VS Code API and native modules. */
const HOST_PACKAGES = ['vscode', 'sharp', 'onnxruntime-node'];

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Module specifiers of host-only code, as one regex source (for selectors on dynamic imports). */
const HOST_ONLY_SPECIFIER = `^(node:.*|${[...HOST_PACKAGES, ...NODE_BUILTINS].map(escapeRegex).join('|')})$`;

/**
 * `no-restricted-imports` options that keep a folder free of host-only modules and of the
 * folders named in `siblings` (relative imports such as '../extension/log' or '../../webview/x').
 */
function boundary(runtime, why, siblings) {
  return {
    paths: [...HOST_PACKAGES, ...NODE_BUILTINS].map((name) => ({ name, message: `${runtime} ${why}` })),
    patterns: [
      { group: ['node:*'], message: `${runtime} ${why}` },
      ...siblings.map((folder) => ({
        regex: `^(\\.\\./)+${folder}(/|$)`,
        message: `${runtime} may not import from src/${folder}: move what both need to src/shared.`,
      })),
    ],
  };
}

/** `no-restricted-syntax` entries: host-only modules by `import()` or in `import('…')` types (require() is refused everywhere). */
function hostOnlyDynamic(runtime, why) {
  const re = `/${HOST_ONLY_SPECIFIER}/`;
  return [
    { selector: `ImportExpression[source.value=${re}]`, message: `${runtime} ${why}` },
    { selector: `TSImportType[argument.literal.value=${re}]`, message: `${runtime} ${why}` },
  ];
}

/** In every runtime: no code from strings; control characters in a regex only on purpose. */
const EVERYWHERE = {
  'no-eval': 'error',
  'no-implied-eval': 'error',
  'no-new-func': 'error',
  'no-script-url': 'error',
  'no-control-regex': 'error',
  // require() only where it is needed and said why (src/extension/sharp.ts).
  '@typescript-eslint/no-require-imports': 'error',
};

/** The webview renders with Preact and text nodes: no HTML parsed from strings, no remote URLs. */
const WEBVIEW_SINKS = [
  {
    selector: "AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]",
    message: 'No HTML from strings in the webview: build elements (Preact) and set textContent.',
  },
  {
    selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
    message: 'No HTML from strings in the webview: render children, not dangerouslySetInnerHTML.',
  },
  {
    // Everything the webview loads comes from the extension by asWebviewUri, and the CSP refuses
    // any other origin; a remote URL in the code is a bug. (The SVG namespace is a name, not a load.)
    selector: 'Literal[value=/https?:\\/\\/(?!www\\.w3\\.org\\/)/], TemplateElement[value.raw=/https?:\\/\\/(?!www\\.w3\\.org\\/)/]',
    message: 'No remote URLs in the webview: everything it loads comes from the extension (asWebviewUri).',
  },
];
const WEBVIEW_SINK_PROPERTIES = [
  { property: 'insertAdjacentHTML', message: 'No HTML from strings in the webview.' },
  { property: 'createContextualFragment', message: 'No HTML from strings in the webview.' },
  { object: 'document', property: 'write', message: 'No HTML from strings in the webview.' },
  { object: 'document', property: 'writeln', message: 'No HTML from strings in the webview.' },
];

/**
 * The webview's options (scripts, command URIs, resource roots) are decided in one place,
 * src/extension/webviewCsp.ts; everything else asks annotatorWebviewOptions() for them.
 */
const WEBVIEW_OPTIONS_ELSEWHERE = [
  {
    selector: 'Property[key.name=/^(localResourceRoots|enableScripts|enableCommandUris|enableForms)$/]',
    message: 'Webview options come from annotatorWebviewOptions() in src/extension/webviewCsp.ts (one place for the policy).',
  },
  {
    selector: "AssignmentExpression[left.property.name='options'][left.object.property.name='webview'][right.type!='CallExpression']",
    message: 'Webview options come from annotatorWebviewOptions() in src/extension/webviewCsp.ts (one place for the policy).',
  },
];

const SHARED_WHY = 'is runtime-neutral (host, webview, CLI, workers): no vscode, no Node built-ins, no native modules. Host-only code belongs in src/extension.';
const WEBVIEW_WHY = 'runs in the browser: no vscode, no Node built-ins, no native modules; talk to the host through src/shared/protocol.ts.';

export default defineConfig([
  globalIgnores(['dist/', 'out/', 'test/e2e/out/', '.tools/', '.artifacts/', 'test-results/', 'models/', 'samples/', 'docs/']),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    // The timers as globals, so that no-implied-eval sees setTimeout('code', …).
    languageOptions: { globals: { setTimeout: 'readonly', setInterval: 'readonly', globalThis: 'readonly', window: 'readonly', self: 'readonly' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: EVERYWHERE,
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', boundary('src/shared', SHARED_WHY, ['extension', 'webview', 'cli'])],
      'no-restricted-syntax': ['error', ...hostOnlyDynamic('src/shared', SHARED_WHY)],
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', '__dirname', '__filename', 'require', 'module', 'global'].map((name) => ({ name, message: `src/shared ${SHARED_WHY}` })),
        ...['document', 'window', 'navigator', 'self', 'HTMLElement'].map((name) => ({ name, message: 'src/shared has no DOM: browser code belongs in src/webview.' })),
      ],
    },
  },
  {
    files: ['src/webview/**/*.ts', 'src/webview/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', boundary('src/webview', WEBVIEW_WHY, ['extension', 'cli'])],
      'no-restricted-syntax': ['error', ...hostOnlyDynamic('src/webview', WEBVIEW_WHY), ...WEBVIEW_SINKS],
      'no-restricted-properties': ['error', ...WEBVIEW_SINK_PROPERTIES],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+webview(/|$)', message: 'Host code may not import the webview: move what both need to src/shared.' }] },
      ],
    },
  },
  {
    // The host's program (tsconfig.json) has no DOM, and no file in it may add it: one
    // `/// <reference lib="dom" />` there would give every host file the DOM types. Tests of the
    // webview live in test/unit/webview, under its own tsconfig.json.
    files: ['src/extension/**/*.ts', 'src/shared/**/*.ts', 'src/cli/**/*.ts', 'test/**/*.ts'],
    ignores: ['test/unit/webview/**'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/triple-slash-reference': ['error', { lib: 'never', path: 'never', types: 'never' }] },
  },
  {
    files: ['test/**/*.ts'],
    ignores: ['test/unit/webview/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)src/webview(/|$)', message: 'Tests of the webview live in test/unit/webview (its own tsconfig, with the DOM).' }] },
      ],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/webviewCsp.ts'],
    rules: { 'no-restricted-syntax': ['error', ...WEBVIEW_OPTIONS_ELSEWHERE] },
  },
]);
