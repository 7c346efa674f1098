// Exports of the shown range, produced by the built webview in Chromium: Mermaid, PlantUML and plain
// text equal reviewed golden files (test/webview/golden/; UPDATE_GOLDEN=1 rewrites them, review the
// diff), SVG stands alone with the theme's colours resolved, PNG is a PNG.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { LadderModel } from '../../protocol/lsp';
import type { ExportFormat, FromWebview } from '../../protocol/webview';
import {
  REPO,
  browserForTests,
  corpusModel,
  exampleModel,
  openLadder,
  skipReason,
  type LadderPage,
} from './harness';

const skip = skipReason();
const browser = browserForTests(skip);
const GOLDEN = path.join(REPO, 'test', 'webview', 'golden');

async function exportOf(
  lp: LadderPage,
  format: ExportFormat,
): Promise<Extract<FromWebview, { type: 'export' }>> {
  const since = await lp.mark();
  const destination = format === 'svg' || format === 'png' ? 'file' : 'editor';
  await lp.send({ type: 'export', format, destination });
  return lp.waitFor('export', (m) => m.format === format, since, 20_000);
}

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  assert.ok(fs.existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${name} differs from the golden file`);
}

const CASES: Array<[string, () => LadderModel]> = [
  ['zero-window-probe', () => corpusModel('crafted-zero-window-probe/nn.trace')],
  ['mistakes-to-fix', () => exampleModel('mistakes-to-fix.trace')],
];

describe('ladder exports', { skip }, () => {
  for (const [name, model] of CASES) {
    test(`${name}: Mermaid, PlantUML and plain text equal the golden files`, async () => {
      const lp = await openLadder(browser());
      try {
        await lp.show(model());
        const mermaid = await exportOf(lp, 'mermaid');
        assert.equal(mermaid.destination, 'editor');
        golden(`${name}.mmd`, mermaid.data);
        const plantuml = await exportOf(lp, 'plantuml');
        golden(`${name}.puml`, plantuml.data);
        const text = await exportOf(lp, 'text');
        golden(`${name}.txt`, text.data);
        // One row per packet, and in the all-connections view (two or more) a header per connection.
        const m = model();
        const shown = new Set(m.arrows.map((a) => a.connection)).size;
        const headers = m.connection === 0 && shown > 1 ? shown : 0;
        assert.equal(text.rows, m.arrows.length + headers);
      } finally {
        await lp.close();
      }
    });
  }

  test('the shown range: filters and collapsed runs are in the export, said so', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('bulk-loss-tx/nn.trace');
      await lp.show(model);
      const text = (await exportOf(lp, 'text')).data;
      assert.match(text, /collapsed: \d+ segments · [\d ]+ B · .* \(lines \d+-\d+\)/);
      await lp.page.click('button[data-kind="findingsOnly"]');
      const mermaid = (await exportOf(lp, 'mermaid')).data;
      const arrows = mermaid.split('\n').filter((l) => /^ {4}L\d+-/.test(l));
      assert.equal(arrows.length, model.arrows.filter((a) => a.findings.length).length);
      assert.match(mermaid, /Note over L1,L2: \d+ packets? without findings/);
      const plantuml = (await exportOf(lp, 'plantuml')).data;
      assert.match(plantuml, /^L2 ->\(\d+\) L1 : /m, 'slanted arrows');
      assert.match(plantuml, /^' Arrows ->\(\d+\): slant from the handshake: one-way delay ≈ RTT \/ 2 = /m);
    } finally {
      await lp.close();
    }
  });

  test('SVG: a standalone document with the theme resolved; PNG: an image', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('capture-gap/nn.trace', { line: 2 });
      const r = await lp.show(model);
      const svg = await exportOf(lp, 'svg');
      assert.equal(svg.destination, 'file');
      assert.equal(svg.rows, r.rows);
      assert.match(
        svg.data,
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
      );
      assert.doesNotMatch(svg.data, /var\(--/);
      assert.doesNotMatch(svg.data, /<script|<foreignObject|on\w+=/i);
      assert.equal(
        (svg.data.match(/class="row arrow /g) ?? []).length,
        r.rows - (svg.data.match(/class="row run"/g) ?? []).length,
      );
      assert.match(svg.data, /class="shaft" [^>]*stroke="rgb\(/, 'colours written into the file');
      assert.match(svg.data, />handshake complete · closed by server FIN; Zeek SF ShADadgfF</);
      // The document parses as XML and has the size it says.
      const parsed = await lp.page.evaluate(
        `(() => { const d = new DOMParser().parseFromString(${JSON.stringify(svg.data)}, 'image/svg+xml');
           const e = d.querySelector('parsererror'); const s = d.documentElement;
           return { error: e ? e.textContent : null, w: s.getAttribute('width'), h: s.getAttribute('height') }; })()`,
      );
      assert.equal((parsed as { error: string | null }).error, null);
      const png = await exportOf(lp, 'png');
      assert.match(png.data, /^data:image\/png;base64,/);
      const bytes = Buffer.from(png.data.slice(png.data.indexOf(',') + 1), 'base64');
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const width = bytes.readUInt32BE(16);
      const height = bytes.readUInt32BE(20);
      assert.ok(width >= 800 && height >= 400, `${width}x${height}`);
      fs.mkdirSync(path.join(REPO, 'test-results'), { recursive: true });
      fs.writeFileSync(path.join(REPO, 'test-results', 'webview-export.png'), bytes);
      fs.writeFileSync(path.join(REPO, 'test-results', 'webview-export.svg'), svg.data);
    } finally {
      await lp.close();
    }
  });
});
