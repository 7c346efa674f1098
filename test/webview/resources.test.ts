// What the ladder webview may load (issue 5: `localResourceRoots` limited to the webview bundle).
// The options come from one function, ladderWebviewResources (client/src/ladder/html.ts); these tests
// call it without VS Code, check that its one root is the bundle's own folder and that esbuild.mjs puts
// nothing else there, and read the panel's source to check that every place that gives a ladder
// webview its options takes them from that function. They fail if the roots ever widen again (to
// dist/, the extension's root, or VS Code's default: the workspace folders and the extension).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  ladderWebviewResources,
  WEBVIEW_BUNDLE_DIR,
  WEBVIEW_SCRIPT,
  WEBVIEW_STYLE,
} from '../../client/src/ladder/html';

/** The repository (this file runs from out/test/webview/). */
const REPO = path.resolve(__dirname, '..', '..', '..');
const LADDER_SRC = path.join(REPO, 'client', 'src', 'ladder');

/** vscode.Uri.joinPath on strings. */
const join = (base: string, ...segments: string[]) => [base, ...segments].join('/');

/** The arguments of every call `name(...)` in `source`, split at their top-level commas. */
function callArguments(source: string, name: string): string[][] {
  const calls: string[][] = [];
  for (const m of source.matchAll(new RegExp(`\\b${name}\\s*\\(`, 'g'))) {
    const args: string[] = [];
    let depth = 0;
    let from = m.index + m[0].length;
    for (let i = from; i < source.length; i++) {
      const ch = source[i]!;
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) {
        if (depth === 0) {
          args.push(source.slice(from, i).trim());
          break;
        }
        depth--;
      } else if (ch === ',' && depth === 0) {
        args.push(source.slice(from, i).trim());
        from = i + 1;
      }
    }
    calls.push(args.filter((a) => a !== ''));
  }
  return calls;
}

/** Whether `expr` is the options of ladderWebviewResources: the call's `.options`, or a variable's. */
function isBundleOptions(source: string, expr: string): boolean {
  if (/^ladderWebviewResources\([^;]*\)\.options$/.test(expr)) return true;
  const v = /^(\w+)\.options$/.exec(expr);
  return !!v && new RegExp(`\\bconst ${v[1]} = ladderWebviewResources\\(`).test(source);
}

describe("the ladder webview's resources", () => {
  test('localResourceRoots is exactly the bundle folder dist/webview/, with scripts on', () => {
    const r = ladderWebviewResources('file:///ext', join);
    assert.deepEqual(WEBVIEW_BUNDLE_DIR, ['dist', 'webview']);
    assert.deepEqual(r.options, { enableScripts: true, localResourceRoots: ['file:///ext/dist/webview'] });
    assert.equal(r.script, `file:///ext/dist/webview/${WEBVIEW_SCRIPT}`);
    assert.equal(r.style, `file:///ext/dist/webview/${WEBVIEW_STYLE}`);
    // The page's two files are inside the one root; dist/ and the extension's root are not roots.
    const [root] = r.options.localResourceRoots;
    for (const f of [r.script, r.style]) assert.ok(f.startsWith(`${root}/`), f);
    for (const wide of ['file:///ext', 'file:///ext/dist', 'file:///ext/dist/'])
      assert.ok(!r.options.localResourceRoots.includes(wide), wide);
  });

  test('the bundle folder holds only the webview bundle (and its maps), none of the node bundles', (t) => {
    const dir = path.join(REPO, ...WEBVIEW_BUNDLE_DIR);
    if (!fs.existsSync(dir)) return t.skip(`${dir} is missing: run \`node esbuild.mjs\` first`);
    const files = fs.readdirSync(dir).sort();
    assert.ok(files.includes(WEBVIEW_SCRIPT) && files.includes(WEBVIEW_STYLE), files.join(', '));
    for (const f of files) assert.match(f, /^webview\.(js|css)(\.map)?$/, `unexpected ${f} in the root`);
    // And the node bundles sit outside it, so the webview cannot load them.
    const root = ladderWebviewResources(REPO, (b, ...s) => path.join(b, ...s)).options.localResourceRoots[0]!;
    for (const b of ['cli.js', 'server.js', 'extension.js']) {
      const rel = path.relative(root, path.join(REPO, 'dist', b));
      assert.ok(rel.startsWith('..'), `dist/${b} is inside the webview's root`);
    }
    // No stale copy of the bundle left in dist/ itself (the .vsix packs dist/*.js).
    for (const f of ['webview.js', 'webview.css']) assert.ok(!fs.existsSync(path.join(REPO, 'dist', f)), f);
  });

  test('the panel takes its webview options from ladderWebviewResources, nowhere else', () => {
    const sources = fs
      .readdirSync(LADDER_SRC)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ file: f, text: fs.readFileSync(path.join(LADDER_SRC, f), 'utf8') }));
    // Roots are spelled out in one place only.
    for (const { file, text } of sources)
      if (file !== 'html.ts')
        assert.doesNotMatch(text, /localResourceRoots/, `${file} sets localResourceRoots`);
    const panel = sources.find((s) => s.file === 'ladderPanel.ts')!.text;
    // createWebviewPanel(viewType, title, showOptions, options): the options are the bundle's.
    const creates = callArguments(panel, 'createWebviewPanel');
    assert.ok(creates.length >= 1, 'no createWebviewPanel call found');
    for (const args of creates) {
      assert.equal(args.length, 4, `createWebviewPanel(${args.join(', ')}) without options`);
      assert.ok(isBundleOptions(panel, args[3]!), `createWebviewPanel options: ${args[3]}`);
    }
    // `webview.options = ...` (set again on every panel, revived ones included): the bundle's too.
    const assigns = [...panel.matchAll(/\.webview\.options\s*=\s*([^;]+);/g)].map((m) => m[1]!.trim());
    assert.ok(assigns.length >= 1, 'the panel never sets webview.options (a revived panel keeps old ones)');
    for (const a of assigns) assert.ok(isBundleOptions(panel, a), `webview.options = ${a}`);
    // And every ladderWebviewResources call there is on the extension's own root.
    for (const args of callArguments(panel, 'ladderWebviewResources'))
      assert.match(args[0]!, /^(this|manager)\.extensionUri$/, args.join(', '));
  });

  test('the source checks see what they look for', () => {
    const bad = `const panel = vscode.window.createWebviewPanel(T, 'x', { viewColumn: 1 }, { enableScripts: true });
      panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };`;
    const [args] = callArguments(bad, 'createWebviewPanel');
    assert.equal(args!.length, 4);
    assert.equal(isBundleOptions(bad, args![3]!), false);
    assert.equal(isBundleOptions(bad, '{ enableScripts: true, localResourceRoots: [dist] }'), false);
    const good = 'const bundle = ladderWebviewResources(manager.extensionUri, joinPath);';
    assert.equal(isBundleOptions(good, 'bundle.options'), true);
    assert.equal(isBundleOptions(good, 'other.options'), false);
    assert.equal(isBundleOptions('', 'ladderWebviewResources(this.extensionUri, joinPath).options'), true);
  });
});
