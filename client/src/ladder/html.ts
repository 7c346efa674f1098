/**
 * The ladder webview's page: a strict CSP (no inline script or style, no eval), one nonce'd script
 * and one stylesheet from the extension's dist/ folder. No `vscode` import, so tests can build the
 * same page outside VS Code.
 */
import { randomBytes } from 'node:crypto';

export interface LadderPageOptions {
  /** `webview.cspSource`: the origin the script and stylesheet come from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)` and `.../webview.css`, as strings. */
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
