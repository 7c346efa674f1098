#!/usr/bin/env node
// `npm start`: try the extension in a real VS Code in your browser. Builds the production bundles and
// packages the .vsix (vsce), installs it into code-server (installed once into a cache folder by
// scripts/e2e/setup-code-server.sh), opens examples/ and prints the URL. Runs until Ctrl-C.
//
//   npm start                      http://127.0.0.1:8710/?folder=<repo>/examples (or a free port)
//   PORT=9000 npm start            another port
//   npm start -- --folder DIR      open another folder
//
// code-server listens on 127.0.0.1 only, without a password. Its profile (settings, installed
// extension, logs) lives in $PACKET_TRACE_CACHE/start (default ~/.cache/packet-trace/start), not in
// your own VS Code profile; the extension is reinstalled from the fresh .vsix on every start.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CACHE_ROOT, REPO, codeServerProfile, ensureCodeServer, freePort, serveArgs } from './e2e/common.mjs';

const argv = process.argv.slice(2);
const folderArg = argv.indexOf('--folder');
const folder = path.resolve(folderArg >= 0 ? argv[folderArg + 1] : path.join(REPO, 'examples'));
const say = (...a) => console.log('[start]', ...a);

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// 1. code-server (once per machine).
let codeServer;
try {
  codeServer = ensureCodeServer();
} catch (e) {
  say(e.message);
  process.exit(1);
}

// 2. Production bundles and the .vsix (vsce runs `vscode:prepublish`, i.e. esbuild --production).
const home = path.join(CACHE_ROOT, 'start');
const vsix = path.join(home, 'packet-trace-annotator.vsix');
fs.mkdirSync(home, { recursive: true });
say('building and packaging the extension');
const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
let r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], {
  cwd: REPO,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (r.status !== 0) process.exit(r.status ?? 1);

// 3. A profile of its own, the fresh .vsix installed into it.
const dirs = {
  userData: path.join(home, 'user-data'),
  extensions: path.join(home, 'extensions'),
  xdg: path.join(home, 'xdg'),
};
fs.rmSync(dirs.extensions, { recursive: true, force: true });
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
const settings = path.join(dirs.userData, 'User', 'settings.json');
if (!fs.existsSync(settings)) {
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(
    settings,
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'security.workspace.trust.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
}
const { env, args: profile } = codeServerProfile(path.join(home, 'config.yaml'), dirs);
r = spawnSync(codeServer, [...profile, '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
if (r.status !== 0) {
  say(`installing the .vsix failed:\n${r.stdout}${r.stderr}`);
  process.exit(1);
}
say(`installed ${vsix} (${(fs.statSync(vsix).size / 1024).toFixed(1)} KB)`);

// 4. Serve it.
const wanted = Number(process.env.PORT || 8710);
const port = (await portFree(wanted)) ? wanted : await freePort();
const server = spawn(codeServer, [...profile, ...serveArgs(`127.0.0.1:${port}`), folder], {
  env,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
});
const logFile = fs.createWriteStream(path.join(home, 'code-server.log'));
server.stdout.pipe(logFile);
server.stderr.pipe(logFile);

const stop = (code) => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // gone
    }
    process.exit(code);
  }, 2000).unref();
  server.once('exit', () => process.exit(code));
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.on('exit', (code, signal) => {
  say(`code-server exited (${code ?? signal}); log: ${path.join(home, 'code-server.log')}`);
  process.exit(code ?? 1);
});

const url = `http://127.0.0.1:${port}/?folder=${folder.split('/').map(encodeURIComponent).join('/')}`;
const deadline = Date.now() + 30_000;
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // not yet
  }
  if (Date.now() > deadline) {
    say('code-server did not answer within 30 s');
    stop(1);
    break;
  }
  await new Promise((res) => setTimeout(res, 200));
}
say(`VS Code (code-server) with Packet Trace Annotator is ready. Open in your browser:\n\n    ${url}\n`);
say('Press Ctrl-C to stop.');
