/**
 * The ladder webview's page: a strict CSP (no inline script or style, no eval), one nonce'd script
 * and one stylesheet from the webview bundle's own folder (dist/webview/), the only folder the webview
 * may load from (its localResourceRoots). No `vscode` import, so tests can build the same page and
 * options outside VS Code.
 */
import { randomBytes } from 'node:crypto';

/** The webview bundle's folder, as path segments under the extension's root (esbuild.mjs writes it). */
export const WEBVIEW_BUNDLE_DIR: readonly string[] = ['dist', 'webview'];
/** The bundle's script and stylesheet, in WEBVIEW_BUNDLE_DIR. */
export const WEBVIEW_SCRIPT = 'webview.js';
export const WEBVIEW_STYLE = 'webview.css';

/** What the panel needs of its webview bundle, for any URI type (vscode.Uri in the extension). */
export interface LadderWebviewResources<U> {
  /** The webview's options: scripts on, and resources from the bundle's folder only. */
  options: { enableScripts: true; localResourceRoots: U[] };
  /** The bundle's script and stylesheet (before `asWebviewUri`). */
  script: U;
  style: U;
}

/**
 * The ladder webview's options and bundle files, the one place that says where the webview may load
 * from: `localResourceRoots` is exactly the bundle's folder, never dist/ (server, CLI, extension and
 * source maps) or the extension's root. `join` is `vscode.Uri.joinPath` in the extension; tests pass
 * strings.
 */
export function ladderWebviewResources<U>(
  extensionUri: U,
  join: (base: U, ...segments: string[]) => U,
): LadderWebviewResources<U> {
  const dir = join(extensionUri, ...WEBVIEW_BUNDLE_DIR);
  return {
    options: { enableScripts: true, localResourceRoots: [dir] },
    script: join(dir, WEBVIEW_SCRIPT),
    style: join(dir, WEBVIEW_STYLE),
  };
}

export interface LadderPageOptions {
  /** `webview.cspSource`: the origin the script and stylesheet come from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview/webview.js)` and `.../webview.css`, as strings. */
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

/** A fresh nonce per page load, from the platform's CSPRNG. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function ladderPage(o: LadderPageOptions): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(o.nonce)) throw new Error('bad nonce');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Packet Trace Ladder</title>
</head>
<body>
<div id="app"></div>
<script nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
