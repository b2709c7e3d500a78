/**
 * Webview entry point. Boots the editor controller, registers the built-in tools and renders the
 * UI. Feature tools register themselves by being imported here (one line each).
 *
 * Test hooks: `document.body.dataset.edgeflowReady = "1"` once the image is drawn, and
 * `window.__edgeflowDebug` in builds with the test hooks (see debugApi.ts and test/e2e/README-hooks.md).
 */
import { render } from 'preact';
import './styles.css';
import { App } from './components/App';
import { Editor } from './editor';
import { HostConnection } from './host';
import { segmentTool } from './segment/segmentTool';
import { brushTool, eraserTool } from './segment/brushTool';
import { registerTool } from './tools';
import { polygonTool } from './tools/polygonTool';
import { selectTool } from './tools/selectTool';

registerTool(selectTool);
registerTool(polygonTool);
registerTool(segmentTool);
registerTool(brushTool);
registerTool(eraserTool);

const host = new HostConnection();
window.addEventListener('error', (e) => host.reportError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => host.reportError(e.reason));
const editor = new Editor(host);
render(<App editor={editor} />, document.getElementById('root')!);
editor.start();
