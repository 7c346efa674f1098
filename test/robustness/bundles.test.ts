// Nothing the extension ships evaluates code, runs a shell, or reaches the network.
//
// Two views of the bundles:
//  - dist/*.js and dist/webview/*.js as built (development or production): no `eval(`, no `new Function(`, and every
//    child_process option `shell: true` is one of vscode-languageserver's two constant Windows commands
//    (`npm.cmd config get prefix`, `yarn.cmd global dir`, in Files.resolveGlobalNodePath/YarnPath, which
//    the server never calls);
//  - the same entry points bundled again here, unminified, in memory, and cut into the modules esbuild
//    marks (`// path/to/module`): our own modules (server, CLI, client, webview, protocol) load no
//    child_process, http, https, net, tls, dgram or http2, call no global fetch, XMLHttpRequest,
//    WebSocket or sendBeacon, open no terminal and run no task; of the libraries, only vscode-jsonrpc
//    loads `net` (the LSP transport's local pipes and sockets) and only vscode-languageclient (starting
//    the server with fork, no shell) and vscode-languageserver/files.js load child_process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { ROOT } from './support';

const DIST = path.join(ROOT, 'dist');

interface Module {
  bundle: string;
  path: string;
  code: string;
}

/** Cuts an unminified esbuild bundle at its `// path` module markers. */
function modules(bundle: string, text: string): Module[] {
  const marker = /^[ \t]*\/\/ ((?:\.\.\/)*[\w@.+-]+(?:\/[\w@.+-]+)*\.(?:[cm]?[jt]sx?|json))$/gm;
  const out: Module[] = [];
  let last: { path: string; at: number } | undefined;
  let m: RegExpExecArray | null;
  while ((m = marker.exec(text))) {
    if (last) out.push({ bundle, path: last.path, code: text.slice(last.at, m.index) });
    // A library reached through a symlinked node_modules is named from its node_modules/ on.
    const p = m[1]!;
    const nm = p.lastIndexOf('node_modules/');
    last = { path: nm > 0 ? p.slice(nm) : p, at: m.index + m[0].length };
  }
  if (last) out.push({ bundle, path: last.path, code: text.slice(last.at) });
  return out;
}

/** The entry points of esbuild.mjs (`{ in: '...', out: '...' }`), script entries only. */
function entryPoints(): Array<{ in: string; out: string }> {
  const config = fs.readFileSync(path.join(ROOT, 'esbuild.mjs'), 'utf8');
  const out: Array<{ in: string; out: string }> = [];
  for (const m of config.matchAll(/\{\s*in:\s*'([^']+)',\s*out:\s*'([^']+)'\s*\}/g))
    if (/\.[cm]?[jt]sx?$/.test(m[1]!)) out.push({ in: m[1]!, out: m[2]! });
  return out;
}

let built: Module[] | undefined;

/** Every entry point bundled like esbuild.mjs does, but unminified and in memory. */
async function builtModules(): Promise<Module[]> {
  if (built) return built;
  const mods: Module[] = [];
  for (const e of entryPoints()) {
    const browser = e.in.startsWith('webview/');
    const r = await esbuild.build({
      absWorkingDir: fs.realpathSync(ROOT),
      entryPoints: [e.in],
      bundle: true,
      write: false,
      outdir: 'robustness-bundle-check',
      platform: browser ? 'browser' : 'node',
      target: browser ? 'chrome114' : 'node20',
      format: browser ? 'iife' : 'cjs',
      minify: false,
      external: ['vscode'],
      logLevel: 'silent',
    });
    for (const f of r.outputFiles.filter((o) => o.path.endsWith('.js'))) mods.push(...modules(e.out, f.text));
  }
  built = mods;
  return mods;
}

const ours = (m: Module) => !m.path.includes('node_modules/');

/** Code without comments and string contents, so that words in messages and docs do not count. */
function codeOnly(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/[^\n]*/g, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, '""');
}

/** `eval(` and `new Function(` in code. */
function evaluates(source: string): string[] {
  const code = codeOnly(source);
  const out: string[] = [];
  if (/(?<![\w$.])eval\s*\(/.test(code)) out.push('eval(');
  if (/new\s+Function\s*\(/.test(code)) out.push('new Function(');
  return out;
}

/** Node modules that start processes or open connections. */
function bannedLoads(code: string): string[] {
  const banned =
    /require\(\s*"(?:node:)?(child_process|http|https|http2|net|tls|dgram|dns|undici|worker_threads|cluster|vm)"\s*\)/g;
  return [...code.matchAll(banned)].map((m) => m[1]!);
}

/** Network calls, terminals, tasks, external links, npm/yarn lookups and shell options. */
function outsideCalls(source: string): string[] {
  const code = codeOnly(source);
  const out: string[] = [];
  // A module may name its own helper `fetch` (the capture reader does); the global one is banned.
  const ownFetch = /(?:function\s+fetch\s*\(|(?:const|let|var)\s+fetch\s*=)/.test(code);
  if (!ownFetch && /(?<![\w$.])fetch\s*\(/.test(code)) out.push('fetch(');
  if (/globalThis\.fetch|window\.fetch|self\.fetch/.test(code)) out.push('global fetch');
  for (const word of [
    'XMLHttpRequest',
    'WebSocket',
    'EventSource',
    'sendBeacon',
    'RTCPeerConnection',
    'createTerminal',
    'sendText',
    'ShellExecution',
    'ProcessExecution',
    'executeTask',
    'openExternal',
    'resolveGlobalNodePath',
    'resolveGlobalYarnPath',
  ])
    if (new RegExp(`\\b${word}\\b`).test(code)) out.push(word);
  // (`shell: 514` in the port table is a service name, not an option.)
  if (/\bshell\s*[:=]\s*(?:true|!0|[A-Za-z_$])/.test(code)) out.push('shell option');
  return out;
}

describe('the shipped bundles (dist/)', () => {
  // The node bundles in dist/, the webview's in its own folder (its localResourceRoots).
  const bundles = ['.', 'webview'].flatMap((dir) =>
    fs.existsSync(path.join(DIST, dir))
      ? fs
          .readdirSync(path.join(DIST, dir))
          .filter((f) => f.endsWith('.js'))
          .map((f) => path.posix.join(dir, f))
      : [],
  );

  test('dist/ holds the bundles (node esbuild.mjs ran)', () => {
    for (const b of ['cli.js', 'server.js', 'extension.js', 'webview/webview.js'])
      assert.ok(bundles.includes(b), `dist/${b}`);
  });

  for (const b of bundles) {
    test(`dist/${b}: no eval, no new Function, no shell but vscode-languageserver's constant npm/yarn calls`, () => {
      const text = fs.readFileSync(path.join(DIST, b), 'utf8');
      assert.doesNotMatch(text, /(?<![\w$.])eval\s*\(/, 'eval(');
      assert.doesNotMatch(text, /new\s+Function\s*\(/, 'new Function(');
      assert.doesNotMatch(text, /(?<![\w$.])Function\s*\(\s*["'`]/, "Function('...')");
      for (const m of text.matchAll(/\bshell\s*[:=]\s*(?:true|!0)\b/g)) {
        const around = text.slice(Math.max(0, m.index - 400), m.index + 100);
        assert.match(
          around,
          /(npm|yarn)\.cmd/,
          `a shell: true that is not vscode-languageserver's: …${around}…`,
        );
      }
    });
  }
});

describe('every module of every entry point (bundled again, unminified)', () => {
  test('the bundles cut into modules, ours among them', async () => {
    const mods = await builtModules();
    assert.ok(mods.some((m) => m.path.endsWith('server/src/server.ts')));
    assert.ok(mods.some((m) => m.path.endsWith('server/src/trace/parser.ts')));
    assert.ok(mods.some((m) => m.path.includes('client/src/')));
    assert.ok(mods.some((m) => m.path.startsWith('node_modules/vscode-jsonrpc/')));
  });

  test('no module evaluates code', async () => {
    for (const m of await builtModules()) assert.deepEqual(evaluates(m.code), [], m.path);
  });

  test('our modules load no process, network or socket module', async () => {
    for (const m of (await builtModules()).filter(ours)) assert.deepEqual(bannedLoads(m.code), [], m.path);
  });

  test('our modules call no network API and open no terminal, task or external link', async () => {
    for (const m of (await builtModules()).filter(ours)) assert.deepEqual(outsideCalls(m.code), [], m.path);
  });

  test('the checks find what they look for', () => {
    const bad = [
      'const x = eval(text);',
      'const f = new Function("a", body);',
      'var cp = require("child_process"); cp.exec(line, { shell: true });',
      'var h = require("node:https");',
      'fetch(url).then(() => 0);',
      'vscode.window.createTerminal().sendText(cmd);',
    ].join('\n');
    assert.deepEqual(evaluates(bad), ['eval(', 'new Function(']);
    assert.deepEqual(bannedLoads(bad), ['child_process', 'https']);
    assert.deepEqual(outsideCalls(bad), ['fetch(', 'createTerminal', 'sendText', 'shell option']);
    assert.deepEqual(outsideCalls('const fetch = () => buf[i++]; fetch(); var ports = { shell: 514 };'), []);
    assert.deepEqual(evaluates('// eval(x) in a comment\nconst s = "new Function(";'), []);
  });

  test('of the libraries, only the LSP transport loads net, only the client and files.js child_process', async () => {
    const mods = (await builtModules()).filter((m) => !ours(m));
    const loads = (m: Module, what: string) =>
      new RegExp(`require\\(\\s*"(?:node:)?${what}"\\s*\\)`).test(m.code);
    for (const m of mods) {
      for (const mod of ['http', 'https', 'http2', 'tls', 'dgram', 'undici'])
        assert.ok(!loads(m, mod), `${m.path} loads ${mod}`);
      if (loads(m, 'net'))
        assert.match(m.path, /^node_modules\/vscode-jsonrpc\/lib\/node\//, `${m.path} loads net`);
      if (loads(m, 'child_process'))
        assert.match(
          m.path,
          /^node_modules\/(vscode-languageclient\/lib\/node\/|vscode-languageserver\/lib\/node\/files\.js$)/,
          `${m.path} loads child_process`,
        );
      for (const s of m.code.matchAll(/\bshell\s*[:=]\s*(?:true|!0)\b/g)) {
        const around = m.code.slice(Math.max(0, s.index - 400), s.index + 50);
        assert.equal(
          m.path,
          'node_modules/vscode-languageserver/lib/node/files.js',
          `shell: true in ${m.path}`,
        );
        assert.match(around, /(npm|yarn)\.cmd/, 'a constant command');
      }
    }
  });

  test('the language client starts the server with fork or spawn without a shell', async () => {
    const client = (await builtModules()).filter((m) =>
      m.path.startsWith('node_modules/vscode-languageclient/'),
    );
    assert.ok(client.length > 0, 'the extension bundles vscode-languageclient');
    for (const m of client) assert.doesNotMatch(m.code, /\bshell\s*[:=]\s*(true|!0)/, m.path);
  });
});
