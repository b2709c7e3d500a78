/**
 * The "EdgeFlow" log output channel and the one command wrapper every command goes through:
 * failures are shown to the user as `error.message` and logged with their stack.
 */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The shared log channel (created on first use, disposed with the extension). */
export function log(): vscode.LogOutputChannel {
  if (!channel) channel = vscode.window.createOutputChannel('EdgeFlow', { log: true });
  return channel;
}

/** Disposes the channel (extension deactivation). */
export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}

/** Logs an error with its stack and shows its message (without awaiting the notification). */
export function reportError(error: unknown, context?: string): void {
  if (error instanceof vscode.CancellationError) return;
  const e = error instanceof Error ? error : new Error(String(error));
  log().error(`${context ? context + ': ' : ''}${e.stack ?? e.message}`);
  void vscode.window.showErrorMessage(context ? `${context}: ${e.message}` : e.message);
}

/**
 * Registers a command whose failures are reported (message to the user, stack to the log) and
 * whose result is returned to `executeCommand` callers when it succeeds.
 */
export function registerCommand(id: string, handler: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      reportError(e);
      return undefined;
    }
  });
}
