/**
 * The setting a model error tells the user to change: the first quoted `"edgeflow.…"` key in
 * the message (modelCheck.ts's `explainModelError` and the missing-model message quote it), or
 * null when the message names none. The click panel and the status bar offer to open it.
 */
export function settingInMessage(message: string): string | null {
  const m = /"(edgeflow(?:\.[A-Za-z][A-Za-z0-9]*)+)"/.exec(message);
  return m ? m[1] : null;
}

/** True for a key the webview may ask the host to open in the Settings editor. */
export function isEdgeflowSettingKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= 100 && /^edgeflow(?:\.[A-Za-z][A-Za-z0-9]*)+$/.test(key);
}
