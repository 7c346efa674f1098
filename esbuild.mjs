// Bundles every entry point into dist/. tsc only type-checks; esbuild ships.
import fs from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const entries = [
  { in: 'server/src/cli.ts', out: 'cli' },
  { in: 'server/src/main.ts', out: 'server' },
  { in: 'client/src/extension.ts', out: 'extension' },
];

const ctx = await esbuild.context({
  entryPoints: entries.map((e) => ({ in: e.in, out: e.out })),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode'],
  logLevel: 'warning',
});

// The ladder webview: browser code in one IIFE (its page's CSP allows only this nonce'd script) and
// its stylesheet, dist/webview/webview.js and dist/webview/webview.css. They get a folder of their own
// because the panel's localResourceRoots is exactly that folder (client/src/ladder/html.ts): the page
// can load nothing else of the extension (not the server, CLI or extension bundles, nor their maps).
const webview = await esbuild.context({
  entryPoints: [
    { in: 'webview/src/main.ts', out: 'webview' },
    { in: 'webview/src/ladder.css', out: 'webview' },
  ],
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'chrome114',
  format: 'iife',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
});

// Builds before the bundle had its folder left it in dist/ itself: remove it, so that nothing (the
// .vsix included) picks up a stale copy.
for (const f of ['webview.js', 'webview.js.map', 'webview.css', 'webview.css.map'])
  fs.rmSync(`dist/${f}`, { force: true });

if (watch) {
  await Promise.all([ctx.watch(), webview.watch()]);
} else {
  await Promise.all([ctx.rebuild(), webview.rebuild()]);
  await Promise.all([ctx.dispose(), webview.dispose()]);
}
