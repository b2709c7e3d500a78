/**
 * A stand-in for the `vscode` module, so that unit tests can run host code (activation, the
 * editor panel) without VS Code: the parts of the API that code touches, recording what it
 * registers, posts and shows. The unit-test bundles keep `vscode` external, so after
 * `installFakeVscode()` a `require('vscode')` gets this module: import the host modules only
 * then, with `await import(...)`. The extension-host suite (test/e2e/suite) runs the same code
 * against the real API.
 */
import Module from 'node:module';
import * as path from 'node:path';

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  constructor(private readonly callOnDispose: () => unknown) {}
  dispose(): void {
    this.callOnDispose();
  }
}

export class EventEmitter<T> {
  private listeners: ((e: T) => unknown)[] = [];
  readonly event = (listener: (e: T) => unknown): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

/** A `file:`-style URI: enough of vscode.Uri for paths, joins and string forms. */
export class Uri {
  static file(p: string): Uri {
    return new Uri('file', p.split(path.sep).join('/'));
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):\/\/([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(s);
    if (!m) throw new Error(`fake vscode.Uri.parse: ${s}`);
    return new Uri(m[1], m[2], m[3] ?? '', m[4] ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return base.with({ path: path.posix.join(base.path, ...segments) });
  }
  constructor(readonly scheme: string, readonly path: string, readonly query = '', readonly fragment = '') {}
  get fsPath(): string {
    return this.path;
  }
  with(c: { scheme?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme ?? this.scheme, c.path ?? this.path, c.query ?? this.query, c.fragment ?? this.fragment);
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
  toJSON(): string {
    return this.toString();
  }
}

export class RelativePattern {
  constructor(readonly base: Uri, readonly pattern: string) {}
}
export class CancellationError extends Error {}
export class FileSystemError extends Error {
  static FileNotFound(what?: unknown): FileSystemError {
    return Object.assign(new FileSystemError(`not found: ${String(what)}`), { code: 'FileNotFound' });
  }
}
export class Range {
  constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {}
}
export class Diagnostic {
  source?: string;
  constructor(readonly range: Range, readonly message: string, readonly severity?: number) {}
}
export class TabInputText {
  constructor(readonly uri: Uri) {}
}
export class TabInputCustom {
  constructor(readonly uri: Uri, readonly viewType: string) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const ViewColumn = { Active: -1, Beside: -2, One: 1 } as const;
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 } as const;
export const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 } as const;
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;

/** What the code under test did through the API, for assertions; `resetFakeVscode()` clears it. */
export const recorded = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  customEditors: new Map<string, { provider: unknown; options: unknown }>(),
  messages: [] as { kind: 'error' | 'warning' | 'information'; text: string; items?: string[] }[],
  log: [] as { level: string; text: string }[],
  /** Settings by full key ("explorer.fileNesting.patterns"), per scope; empty: every default. */
  settings: new Map<string, { defaultValue?: unknown; globalValue?: unknown; workspaceValue?: unknown }>(),
  /** Buttons of the messages shown, and the answer the next message gets (then cleared). */
  answer: undefined as string | undefined,
};

export function resetFakeVscode(): void {
  recorded.commands.clear();
  recorded.customEditors.clear();
  recorded.messages.length = 0;
  recorded.log.length = 0;
  recorded.settings.clear();
  recorded.answer = undefined;
}

const noop = () => undefined;
const event = () => new EventEmitter<unknown>().event;

function show(kind: 'error' | 'warning' | 'information') {
  return (text: string, ...items: unknown[]): Promise<string | undefined> => {
    recorded.messages.push({ kind, text, items: items.filter((i): i is string => typeof i === 'string') });
    const answer = recorded.answer;
    recorded.answer = undefined;
    return Promise.resolve(answer);
  };
}

/** A configuration section over `recorded.settings` (VS Code's precedence: workspace, user, default). */
function configuration(section?: string) {
  const full = (key: string) => (section ? `${section}.${key}` : key);
  return {
    get: <T>(key: string, fallback?: T): T | undefined => {
      const v = recorded.settings.get(full(key));
      return (v?.workspaceValue ?? v?.globalValue ?? v?.defaultValue ?? fallback) as T | undefined;
    },
    has: (key: string) => recorded.settings.has(full(key)),
    inspect: (key: string) => {
      const v = recorded.settings.get(full(key));
      return v ? { key: full(key), ...v } : undefined;
    },
    update: (key: string, value: unknown, target?: number) => {
      const v = recorded.settings.get(full(key)) ?? {};
      if (target === ConfigurationTarget.Global) v.globalValue = value;
      else v.workspaceValue = value;
      recorded.settings.set(full(key), v);
      return Promise.resolve();
    },
  };
}

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
    // VS Code refuses a second registration of an id; so does the fake.
    if (recorded.commands.has(id)) throw new Error(`command '${id}' already exists`);
    recorded.commands.set(id, handler);
    return new Disposable(() => recorded.commands.delete(id));
  },
  executeCommand: (): Promise<undefined> => Promise.resolve(undefined),
};

export const window = {
  createOutputChannel(name: string) {
    const write = (level: string) => (text: string) => void recorded.log.push({ level, text: `${name}: ${text}` });
    return { name, trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), appendLine: write('info'), show: noop, dispose: noop };
  },
  createStatusBarItem: (id?: string) => ({ id, text: '', show: noop, hide: noop, dispose: noop }),
  registerCustomEditorProvider(viewType: string, provider: unknown, options: unknown): Disposable {
    recorded.customEditors.set(viewType, { provider, options });
    return new Disposable(() => recorded.customEditors.delete(viewType));
  },
  showErrorMessage: show('error'),
  showWarningMessage: show('warning'),
  showInformationMessage: show('information'),
  activeTextEditor: undefined,
  tabGroups: { all: [], activeTabGroup: { tabs: [], activeTab: undefined } },
};

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined,
  /** Every setting reads as its default (package.json's, through the code's own fallbacks) unless
   * a test put it in `recorded.settings`. */
  getConfiguration: configuration,
  getWorkspaceFolder: noop,
  onDidChangeConfiguration: event(),
  onDidGrantWorkspaceTrust: event(),
  createFileSystemWatcher: () => ({ onDidChange: event(), onDidCreate: event(), onDidDelete: event(), dispose: noop }),
};

export const languages = {
  createDiagnosticCollection: () => ({ set: noop, delete: noop, clear: noop, dispose: noop }),
};

export const env = { language: 'en' };

export const l10n = {
  t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m)),
};

const FAKE_ID = path.join(path.sep, '__edgeflow_fake_vscode__', 'index.js');
const HOOKED = Symbol.for('edgeflow.fakeVscode.hooked');

/**
 * Makes `require('vscode')` return this fake. Every test bundle carries its own copy of this
 * helper (and of the host code), so each install points the module at the calling bundle's copy;
 * host modules already loaded keep the fake they were loaded with.
 */
export function installFakeVscode(): void {
  const g = globalThis as { [HOOKED]?: true };
  if (!g[HOOKED]) {
    g[HOOKED] = true;
    const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
    const resolve = loader._resolveFilename;
    loader._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? FAKE_ID : resolve.call(this, request, ...rest);
    };
  }
  const m = new Module(FAKE_ID);
  m.filename = FAKE_ID;
  m.loaded = true;
  m.exports = {
    Disposable, EventEmitter, Uri, RelativePattern, CancellationError, FileSystemError, Range, Diagnostic, TabInputText, TabInputCustom, ThemeColor,
    StatusBarAlignment, ViewColumn, ConfigurationTarget, FileType, DiagnosticSeverity, ProgressLocation,
    commands, window, workspace, languages, env, l10n,
  };
  require.cache[FAKE_ID] = m;
}
