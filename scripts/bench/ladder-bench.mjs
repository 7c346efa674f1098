#!/usr/bin/env node
// Benchmark of the ladder webview in Chromium (playwright-core with Debian's /usr/bin/chromium, never a
// downloaded browser). Prints measured figures only; the targets are reported as PASS/MISS, never
// asserted.
//
//   node scripts/bench/ladder-bench.mjs [--packets N] [--runs N] [--no-build]
//   node scripts/bench/ladder-bench.mjs --help   this text, and whether the webview bundle is built
//
// The trace: one generated bulk transfer of N packets (default 100 000): handshake, data from the
// server ACKed every second segment, a segment lost from the capture now and then (resent after three
// duplicate ACKs), a few idle gaps, FIN close. The model is what the language server computes for it
// (server/src/features/ladder.ts, bundled here with esbuild), handed to the BUILT
// dist/webview/webview.js in the page the client builds (client/src/ladder/html.ts: same CSP and
// bundle paths), as the client would post it.
//
// Figures:
//   first paint   postMessage(model as UTF-8 JSON, as the client posts it) -> parsed, laid out, drawn and
//                 the next frame presented, median of runs;
//                 for the default view (runs collapsed) and with every packet as a row (collapse off)
//   scroll fps    frames per second while scrolling the all-rows view at 2 400 px/s (40 px a frame),
//                 and at 12 000 px/s (200 px a frame), 3 s each, with the slowest frame
// Targets: first paint <= 300 ms, scrolling >= 50 fps.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleSources } from './bundle-sources.mjs';
import { CHROMIUM, launchOptions } from '../chromium.mjs';
import { bulkTransferTrace } from './bulk-transfer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const PACKETS = opt('--packets', 100_000);
const RUNS = opt('--runs', 5);
const ORIGIN = 'https://ladder.test';
const TARGET_PAINT_MS = 300;
const TARGET_FPS = 50;
// The webview bundle esbuild.mjs writes (client/src/ladder/html.ts: WEBVIEW_BUNDLE_DIR, the panel's
// only localResourceRoot), and its two files.
const BUNDLE = path.join(ROOT, 'dist', 'webview');
const SCRIPT = path.join(BUNDLE, 'webview.js');
const STYLE = path.join(BUNDLE, 'webview.css');

if (argv.includes('--help') || argv.includes('-h')) {
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const head = text.split('\n').slice(1);
  console.log(
    head
      .slice(
        0,
        head.findIndex((l) => !l.startsWith('//')),
      )
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n'),
  );
  for (const f of [SCRIPT, STYLE])
    console.log(
      `${path.relative(ROOT, f)}: ${fs.existsSync(f) ? 'built' : 'missing (run node esbuild.mjs)'}`,
    );
  process.exit(0);
}

if (!fs.existsSync(CHROMIUM)) {
  console.log(
    `ladder bench skipped: ${CHROMIUM} is missing (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
  process.exit(0);
}
if (!argv.includes('--no-build')) {
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
for (const f of [SCRIPT, STYLE]) {
  if (!fs.existsSync(f)) {
    console.error(`ladder bench: ${path.relative(ROOT, f)} is missing (run node esbuild.mjs)`);
    process.exit(1);
  }
}

// ---- the server's model and the client's page, bundled from the sources -------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-bench-'));
const bundle = path.join(tmp, 'ladder-model.cjs');
await bundleSources(
  [
    "export { ladderModel } from './server/src/features/ladder';",
    "export { TraceIndex } from './server/src/features/traceIndex';",
    "export { analyzeTrace } from './server/src/trace/index';",
    "export { ladderPage, makeNonce } from './client/src/ladder/html';",
    "export { encodeModel } from './protocol/webview';",
  ],
  bundle,
);
const { ladderModel, TraceIndex, analyzeTrace, ladderPage, makeNonce, encodeModel } = createRequire(
  import.meta.url,
)(bundle);

const text = bulkTransferTrace(PACKETS);
const uri = 'file:///bench/bulk-100k.trace';
let t0 = performance.now();
const index = new TraceIndex(analyzeTrace(text), uri, 1);
const analyzeMs = performance.now() - t0;
t0 = performance.now();
const model = ladderModel(index, { uri, connection: 1 });
const modelMs = performance.now() - t0;
t0 = performance.now();
const json = encodeModel(model);
const jsonMs = performance.now() - t0;
const findings = model.arrows.filter((a) => a.findings.length).length;
console.log(
  `trace: ${model.arrows.length} packets in connection #1 (${findings} with findings); in node: analysis ${Math.round(analyzeMs)} ms (the server has it cached), ladder model ${Math.round(modelMs)} ms, JSON ${Math.round(jsonMs)} ms, ${(json.length / 1e6).toFixed(1)} MB`,
);

// ---- Chromium ----------------------------------------------------------------------------------------

const { chromium } = await import('playwright-core');
const browser = await chromium.launch(launchOptions(CHROMIUM, tmp));

async function freshPage(toggles) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const html = ladderPage({
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/dist/webview/webview.js`,
    styleUri: `${ORIGIN}/dist/webview/webview.css`,
    nonce: makeNonce(),
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
    if (url === `${ORIGIN}/dist/webview/webview.js`)
      return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(SCRIPT) });
    if (url === `${ORIGIN}/dist/webview/webview.css`)
      return route.fulfill({ contentType: 'text/css', body: fs.readFileSync(STYLE) });
    return route.abort();
  });
  // The state the webview would restore holds the view switches: start with the ones measured.
  const state = toggles ? { v: 1, uri: 'none', connection: -1, scrollTop: 0, toggles, expanded: [] } : null;
  await page.addInitScript({
    content: `(() => { const posted = []; window.__posted = posted; let state = ${JSON.stringify(state)};
      window.acquireVsCodeApi = () => ({ postMessage: (m) => posted.push(m), getState: () => state, setState: (s) => { state = s; } }); })();`,
  });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  // As the client posts it: the JSON's UTF-8 bytes.
  await page.evaluate((s) => {
    window.__model = new TextEncoder().encode(s);
  }, json);
  return { page, context };
}

/** postMessage(model) -> 'rendered' posted -> the next frame presented. */
async function firstPaint(page) {
  return page.evaluate(async () => {
    const before = window.__posted.length;
    const start = performance.now();
    window.postMessage({ type: 'model', model: window.__model }, '*');
    await new Promise((resolve) => {
      const check = () =>
        window.__posted.slice(before).some((m) => m.type === 'rendered') ? resolve() : setTimeout(check, 0);
      check();
    });
    const drawn = performance.now() - start;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return { drawn, painted: performance.now() - start, rows: document.querySelectorAll('.row').length };
  });
}

async function scrollFps(page, pxPerFrame, seconds) {
  return page.evaluate(
    async ({ pxPerFrame, seconds }) => {
      const scroller = document.getElementById('scroller');
      const times = [];
      const maxTop = scroller.scrollHeight - scroller.clientHeight;
      await new Promise((resolve) => {
        const end = performance.now() + seconds * 1000;
        const frame = (t) => {
          times.push(t);
          scroller.scrollTop = Math.min(maxTop, scroller.scrollTop + pxPerFrame);
          if (t < end && scroller.scrollTop < maxTop) requestAnimationFrame(frame);
          else resolve();
        };
        requestAnimationFrame(frame);
      });
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      const span = times[times.length - 1] - times[0];
      return {
        fps: ((times.length - 1) / span) * 1000,
        worst: Math.max(...gaps),
        frames: times.length,
        domRows: document.querySelectorAll('.row').length,
        scrolled: scroller.scrollTop,
      };
    },
    { pxPerFrame, seconds },
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, toggles] of [
  ['default view (runs collapsed)', null],
  [
    'every packet a row (collapse off)',
    { absolute: false, timeAxis: false, slant: false, findingsOnly: false, hideAcks: false, collapse: false },
  ],
  [
    'time axis, every packet a row',
    { absolute: false, timeAxis: true, slant: false, findingsOnly: false, hideAcks: false, collapse: false },
  ],
]) {
  const paints = [];
  let rows = 0;
  let page;
  let context;
  for (let r = 0; r < RUNS; r++) {
    ({ page, context } = await freshPage(toggles));
    const p = await firstPaint(page);
    paints.push(p.painted);
    rows = p.rows;
    if (r < RUNS - 1) await context.close();
  }
  const paint = median(paints);
  const entry = { firstPaintMs: Math.round(paint), runs: paints.map(Math.round), domRows: rows };
  if (toggles) {
    entry.scroll40 = await scrollFps(page, 40, 3);
    await page.evaluate(() => (document.getElementById('scroller').scrollTop = 0));
    entry.scroll200 = await scrollFps(page, 200, 3);
  }
  await context.close();
  results[name] = entry;
  console.log(
    `${name}: first paint ${entry.firstPaintMs} ms (median of ${RUNS}: ${entry.runs.join(', ')}) ${entry.firstPaintMs <= TARGET_PAINT_MS ? 'PASS' : 'MISS'} (target ${TARGET_PAINT_MS} ms); ${rows} rows in the DOM`,
  );
  for (const k of ['scroll40', 'scroll200']) {
    const s = entry[k];
    if (!s) continue;
    console.log(
      `  scrolling ${k === 'scroll40' ? '2 400' : '12 000'} px/s: ${s.fps.toFixed(1)} fps ${s.fps >= TARGET_FPS ? 'PASS' : 'MISS'} (target ${TARGET_FPS}); slowest frame ${s.worst.toFixed(1)} ms; ${s.frames} frames; ${s.domRows} rows in the DOM`,
    );
  }
}
await browser.close();
fs.rmSync(tmp, { recursive: true, force: true });
const out = path.join(ROOT, 'bench-results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'ladder-bench.json'),
  JSON.stringify(
    { packets: model.arrows.length, modelMs: Math.round(modelMs), jsonBytes: json.length, results },
    null,
    2,
  ),
);
console.log(`figures written to bench-results/ladder-bench.json`);
