// The all-connections view in Chromium: each connection's verdict in words and Zeek's conn_state and
// history, in a header row right above its first packet (a row like the others: only drawn when near
// the view, so thousands of connections cost what thousands of packets do), the conn_state counts in
// the page header, clicks, tooltips and exports; markup in any of it is shown as text and runs nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LadderModel } from '../../protocol/lsp';
import {
  browserForTests,
  exampleModel,
  modelOfText,
  openLadder,
  skipReason,
  type LadderPage,
} from './harness';

const skip = skipReason();
const browser = browserForTests(skip);

const header = (lp: LadderPage, id: number) => lp.page.locator(`#ladder .row.conn[data-key="${id}"]`);
const part = (lp: LadderPage, id: number, kind: string) =>
  header(lp, id).locator(`tspan[data-kind="${kind}"]`).textContent();

/** The row number (data-row) and hit box of a drawn row. */
async function rowBox(lp: LadderPage, selector: string): Promise<{ row: number; y: number; h: number }> {
  const g = lp.page.locator(selector).first();
  const hit = g.locator('.hit');
  return {
    row: Number(await g.getAttribute('data-row')),
    y: Number(await hit.getAttribute('y')),
    h: Number(await hit.getAttribute('height')),
  };
}

/**
 * `n` connections, one after the other, on 20 client ports (each port reused with a new ISN after a
 * full close): every seventh is refused (REJ), the others open and close (SF). 21 lanes in all.
 */
function manyConnections(n: number): string {
  const lines: string[] = [];
  let t = 0;
  const ts = () => {
    const s = 43200 + t;
    t += 0.001;
    const hh = String(Math.floor(s / 3600)).padStart(2, '0');
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    return `${hh}:${mm}:${(s % 60).toFixed(6).padStart(9, '0')}`;
  };
  for (let k = 0; k < n; k++) {
    const c = `10.0.0.1.${20000 + (k % 20)}`;
    const s = '10.0.0.2.80';
    const isn = 1000 + k * 100_000;
    lines.push(`${ts()} IP ${c} > ${s}: Flags [S], seq ${isn}, win 64240, length 0`);
    if (k % 7 === 3) {
      lines.push(`${ts()} IP ${s} > ${c}: Flags [R.], seq 0, ack ${isn + 1}, win 0, length 0`);
      continue;
    }
    lines.push(
      `${ts()} IP ${s} > ${c}: Flags [S.], seq ${5000 + k * 100_000}, ack ${isn + 1}, win 65160, length 0`,
    );
    lines.push(`${ts()} IP ${c} > ${s}: Flags [.], ack 1, win 502, length 0`);
    lines.push(`${ts()} IP ${c} > ${s}: Flags [F.], seq 1, ack 1, win 502, length 0`);
    lines.push(`${ts()} IP ${s} > ${c}: Flags [F.], seq 1, ack 2, win 509, length 0`);
    lines.push(`${ts()} IP ${c} > ${s}: Flags [.], ack 2, win 502, length 0`);
  }
  return `${lines.join('\n')}\n`;
}

describe('ladder webview: all connections', { skip }, () => {
  test('a header above each connection: verdict, conn_state and history; click shows it alone', async () => {
    const lp = await openLadder(browser());
    try {
      const model = exampleModel('mistakes-to-fix.trace');
      assert.equal(model.connection, 0);
      assert.equal(model.connections.length, 3);
      const r = await lp.show(model);
      assert.equal(r.rows, model.arrows.length + 3, 'one header row per connection');
      assert.equal(await lp.page.locator('#ladder .row.conn').count(), 3);
      for (const c of model.connections) {
        assert.equal(await part(lp, c.id, 'connection'), `#${c.id} ${c.client} → ${c.server}`);
        assert.equal(await part(lp, c.id, 'verdict'), c.verdict);
        assert.equal(await part(lp, c.id, 'conn-state'), c.zeekState);
        assert.equal(await part(lp, c.id, 'history'), c.history);
        const label = (await header(lp, c.id).getAttribute('aria-label')) ?? '';
        assert.ok(label.includes(c.verdict) && label.includes(`history ${c.history}`), label);
        // Right above the connection's first packet, touching it.
        const first = model.arrows.find((a) => a.connection === c.id)!;
        const h = await rowBox(lp, `#ladder .row.conn[data-key="${c.id}"]`);
        const a = await rowBox(lp, `#ladder .row.arrow[data-line="${first.line}"]`);
        assert.equal(h.row + 1, a.row, `#${c.id}: header row right before the first packet`);
        assert.equal(h.y + h.h, a.y);
      }
      // The page header: totals and the conn_state counts, each state with its meaning as a title.
      const problems = model.connections.reduce((n, c) => n + c.problems, 0);
      assert.match(
        (await lp.page.locator('#verdict').textContent()) ?? '',
        new RegExp(`^${problems} problems`),
      );
      assert.equal(await lp.page.locator('#zeek').textContent(), 'Zeek conn_state S1 2 · SF 1');
      assert.equal(
        await lp.page.locator('#zeek code', { hasText: 'SF' }).getAttribute('title'),
        'normal establishment and termination',
      );

      // The tooltip spells out the conn_state and every history letter.
      const sf = model.connections.find((c) => c.zeekState === 'SF')!;
      await header(lp, sf.id).locator('.conn-title').hover();
      await lp.page.locator('#tooltip:not([hidden])').waitFor({ timeout: 3000 });
      const tip = (await lp.page.locator('#tooltip').textContent()) ?? '';
      assert.ok(tip.includes('Zeek conn_state SF: normal establishment and termination'), tip);
      assert.ok(tip.includes(`history ${sf.history}: S client SYN, h server SYN-ACK`), tip);
      await lp.page.mouse.move(5, 5);

      // The time axis keeps each header on its first packet; "Findings only" keeps the headers.
      let since = await lp.mark();
      await lp.page.click('button[data-kind="timeAxis"]');
      await lp.waitFor('rendered', (m) => m.rows >= model.arrows.length + 3, since);
      for (const c of model.connections) {
        const first = model.arrows.find((a) => a.connection === c.id)!;
        const h = await rowBox(lp, `#ladder .row.conn[data-key="${c.id}"]`);
        const a = await rowBox(lp, `#ladder .row.arrow[data-line="${first.line}"]`);
        assert.equal(h.y + h.h, a.y, `#${c.id} on the time axis`);
      }
      await lp.page.click('button[data-kind="timeAxis"]');
      since = await lp.mark();
      await lp.page.click('button[data-kind="findingsOnly"]');
      await lp.waitFor('rendered', undefined, since);
      assert.equal(await lp.page.locator('#ladder .row.conn').count(), 3);

      // A click on a header asks for that connection alone.
      since = await lp.mark();
      await header(lp, 2).locator('.conn-line').click();
      await lp.waitFor('selectConnection', (m) => m.connection === 2, since);
      const alone = exampleModel('mistakes-to-fix.trace', { connection: 2 });
      await lp.show(alone);
      assert.equal(await lp.page.locator('#ladder .row.conn').count(), 0, 'one connection: no header rows');
      assert.equal(await lp.page.locator('#verdict').textContent(), alone.connections[1]!.verdict);
    } finally {
      await lp.close();
    }
  });

  test('1 500 connections: headers drawn only near the view, conn_state counted in the page header', async () => {
    const lp = await openLadder(browser());
    try {
      const model = modelOfText(manyConnections(1500), {}, 'file:///traces/many.trace');
      assert.equal(model.connections.length, 1500);
      const refused = model.connections.filter((c) => c.zeekState === 'REJ').length;
      assert.equal(refused, 214);
      const t0 = Date.now();
      const r = await lp.show(model);
      console.log(`  1 500 connections, ${model.arrows.length} packets: drawn in ${Date.now() - t0} ms`);
      assert.equal(r.rows, model.arrows.length + 1500);
      const inDom = await lp.page.locator('#ladder .row').count();
      const headersInDom = await lp.page.locator('#ladder .row.conn').count();
      assert.ok(inDom < 300, `${inDom} rows in the DOM`);
      assert.ok(headersInDom > 0 && headersInDom < 100, `${headersInDom} headers in the DOM`);
      assert.equal(
        await lp.page.locator('#zeek').textContent(),
        `Zeek conn_state SF ${1500 - refused} · REJ ${refused}`,
      );
      // At the bottom: the last connection's header, with its words.
      await lp.page.evaluate('document.getElementById("scroller").scrollTop = 1e9');
      const last = model.connections[model.connections.length - 1]!;
      await header(lp, last.id).waitFor({ timeout: 5000 });
      assert.equal(await part(lp, last.id, 'verdict'), last.verdict);
      assert.equal(await part(lp, last.id, 'conn-state'), last.zeekState);
      assert.equal(await part(lp, last.id, 'history'), last.history);
      assert.equal(await header(lp, 1).count(), 0, 'the first header left the DOM');
      assert.ok((await lp.page.locator('#ladder .row').count()) < 300);
    } finally {
      await lp.close();
    }
  });

  test('markup in addresses, verdicts, conn_state and history is shown as text and runs nothing', async () => {
    const IMG = '<img src=x onerror=window.__pwned=1>';
    const SCRIPT = '</script><script>window.__pwned=2</script>';
    const model: LadderModel = exampleModel('mistakes-to-fix.trace');
    const c1 = model.connections[0]!;
    const c2 = model.connections[1]!;
    c1.client = `${IMG}:40001`;
    c1.verdict = `verdict ${IMG}`;
    c1.history = `Sh${SCRIPT}`;
    c2.zeekState = '<svg onload=window.__pwned=3>';
    c2.server = `10.0.0.2:${SCRIPT}`;
    const lp = await openLadder(browser());
    try {
      await lp.show(model);
      assert.equal(await part(lp, 1, 'verdict'), `verdict ${IMG}`);
      assert.equal(await part(lp, 1, 'history'), `Sh${SCRIPT}`);
      assert.equal(await part(lp, 1, 'connection'), `#1 ${IMG}:40001 → ${c1.server}`);
      assert.equal(await part(lp, 2, 'conn-state'), '<svg onload=window.__pwned=3>');
      await header(lp, 1).locator('.conn-title').hover();
      await lp.page.locator('#tooltip:not([hidden])').waitFor({ timeout: 3000 });
      assert.ok(((await lp.page.locator('#tooltip').textContent()) ?? '').includes(`verdict ${IMG}`));
      const exported: string[] = [];
      for (const format of ['mermaid', 'plantuml', 'text', 'svg'] as const) {
        const since = await lp.mark();
        await lp.send({ type: 'export', format, destination: format === 'svg' ? 'file' : 'clipboard' });
        exported.push((await lp.waitFor('export', (m) => m.format === format, since)).data);
      }
      await lp.page.waitForTimeout(300);
      assert.equal(await lp.page.evaluate('typeof window.__pwned'), 'undefined', 'no injected script ran');
      const counts = (await lp.page.evaluate(`({
        markup: document.querySelectorAll('img, iframe, object, embed, foreignObject, #ladder svg svg').length,
        scripts: document.querySelectorAll('script').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      })`)) as { markup: number; scripts: number; handlers: number };
      assert.deepEqual(counts, { markup: 0, scripts: 1, handlers: 0 });
      assert.deepEqual(lp.strayRequests, [], 'nothing was fetched');
      assert.deepEqual(await lp.page.evaluate('window.__violations'), []);
      const [mermaid, plantuml, plain, svg] = exported as [string, string, string, string];
      assert.doesNotMatch(mermaid, /<img|<\/?script|<svg/i, 'Mermaid: entity codes');
      assert.match(mermaid, /Note over L1,L2: #35;1 #60;img src=x onerror=window.__pwned=1#62;:40001/);
      assert.doesNotMatch(plantuml.replace(/~</g, ''), /<img|<\/?script|<svg/i, 'PlantUML: creole escaped');
      assert.ok(plain.includes(`== #1 ${IMG}:40001 → `), 'plain text is plain');
      assert.match(svg, /&lt;img src=x onerror=window.__pwned=1&gt;/, 'SVG: text nodes escaped');
      assert.doesNotMatch(svg, /<img|<script|<svg onload/i);
    } finally {
      await lp.close();
    }
  });
});
