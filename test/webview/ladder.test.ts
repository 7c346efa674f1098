// The ladder webview in Chromium, on corpus traces: lanes, arrows, labels, state boxes, findings drawn
// on arrows, the header, collapsed runs, filters, the time axis, virtualization, clicks, the cursor,
// keys, live updates and restored state. Models come from the server's ladderModel.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LadderModel } from '../../protocol/lsp';
import { DEFAULT_TOGGLES, decodeModel, encodeModel, type FromWebview } from '../../protocol/webview';
import {
  browserForTests,
  corpusModel,
  exampleModel,
  openLadder,
  shotPath,
  skipReason,
  type LadderPage,
} from './harness';

const skip = skipReason();
const browser = browserForTests(skip);

/** Number-valued attribute of the first element matching `selector` inside `row`. */
async function attr(lp: LadderPage, selector: string, name: string): Promise<number> {
  const v = await lp.page.locator(selector).first().getAttribute(name);
  assert.ok(v !== null, `${selector} has ${name}`);
  return Number(v);
}

const evalIn = <T>(lp: LadderPage, js: string) => lp.page.evaluate(js) as Promise<T>;
const scrollTop = (lp: LadderPage) => evalIn<number>(lp, 'document.getElementById("scroller").scrollTop');
const row = (lp: LadderPage, line: number) => lp.page.locator(`#ladder .row.arrow[data-line="${line}"]`);

/** An arrow in the middle of a collapsed run: a dozen uneventful packets around it. */
function middleOfRun(m: LadderModel): number {
  const calm = (i: number) => {
    const a = m.arrows[i]!;
    return (
      (a.kind === 'data' || a.kind === 'ack') &&
      !a.findings.length &&
      !a.clientState &&
      !a.serverState &&
      !a.annotations.length
    );
  };
  for (let i = 10; i + 10 < m.arrows.length; i++) {
    let ok = true;
    for (let k = i - 6; k <= i + 6 && ok; k++) ok = calm(k);
    if (ok) return i;
  }
  throw new Error('no run');
}

async function selectedAfter(lp: LadderPage, since: number): Promise<FromWebview[]> {
  return (await lp.posted()).slice(since);
}

describe('ladder webview: drawing', { skip }, () => {
  test('http-get-fin: lanes, labels, kinds, directions, state boxes and the header', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('http-get-fin/nn.trace');
      const r = await lp.show(model);
      assert.equal(r.connection, 1);
      assert.equal(r.arrows, 10);
      assert.equal(r.rows, 10);
      const page = lp.page;
      assert.deepEqual(await page.locator('.lane-role').allTextContents(), ['client', 'server']);
      assert.deepEqual(await page.locator('.lane-endpoint').allTextContents(), [
        '127.0.0.1:52052',
        '127.0.0.1:8080',
      ]);
      assert.equal(await page.locator('#ladder .row.arrow').count(), 10);
      const labels = await page.locator('#ladder .row.arrow .label').allTextContents();
      assert.deepEqual(labels, [
        '[S] SYN  seq 0  win 64240',
        '[S.] SYN-ACK  seq 0  ack 1  win 65160',
        '[.] ACK  ack 1  win 64512',
        '[P.] PSH-ACK  seq 1:100 (99 B)  ack 1  win 64512',
        '[.] ACK  ack 100  win 65536',
        '[P.] PSH-ACK  seq 1:703 (702 B)  ack 100  win 65536',
        '[.] ACK  ack 703  win 64512',
        '[F.] FIN-ACK  seq 703  ack 100  win 65536',
        '[F.] FIN-ACK  seq 100  ack 704  win 64512',
        '[.] ACK  ack 101  win 65536',
      ]);
      assert.deepEqual(await page.locator('#ladder .options').allTextContents(), [
        'mss 1460 · sackOK · TS · wscale 10',
        'mss 1460 · sackOK · TS · wscale 10',
      ]);
      const kinds = await page
        .locator('#ladder .row.arrow')
        .evaluateAll((els) => els.map((e) => (e.getAttribute('class') ?? '').replace('row arrow ', '')));
      assert.deepEqual(
        kinds,
        model.arrows.map((a) => `k-${a.kind}`),
      );
      // Arrows point from the sender's lane to the receiver's: the client's lane is on the left.
      const clientX = await attr(lp, '.lane-head .lifeline', 'x1');
      for (const a of model.arrows) {
        const x1 = await attr(lp, `#ladder .row[data-line="${a.line}"] .shaft`, 'x1');
        const x2 = await attr(lp, `#ladder .row[data-line="${a.line}"] .shaft`, 'x2');
        assert.equal(x1 < x2, a.fromClient, `line ${a.line}: direction`);
        assert.ok(
          Math.abs((a.fromClient ? x1 : x2) - clientX) < 4,
          `line ${a.line}: starts or ends on the client`,
        );
      }
      // One state box per transition, beside the lane of the side that changed.
      const states = await page.locator('#ladder .state text').allTextContents();
      const expected = model.arrows.flatMap((a) => [
        ...(a.clientState ? [a.clientState] : []),
        ...(a.serverState ? [a.serverState] : []),
        ...(a.serverState === 'FIN-WAIT-1' ? ['closes first'] : []),
      ]);
      assert.deepEqual(states, expected);
      assert.ok(states.includes('TIME-WAIT') && states.includes('CLOSE-WAIT') && states[0] === 'SYN-SENT');
      const box = await attr(lp, '#ladder .row[data-line="0"] .state rect', 'x');
      assert.ok(box < clientX, "the client's box is left of the client's lane");
      // The header: verdict in words, Zeek's conn_state and history.
      assert.equal(await page.locator('#verdict').textContent(), 'handshake complete · closed by server FIN');
      const zeek = (await page.locator('#zeek').textContent()) ?? '';
      assert.match(zeek, /conn_state SF \(normal establishment and termination\) · history ShADadfF/);
      // The gutter: trace line numbers and times.
      assert.deepEqual(
        await page.locator('#ladder .line-no').allTextContents(),
        model.arrows.map((a) => String(a.line + 1)),
      );
      // Absolute numbers on toggle.
      await page.click('button[data-kind="absolute"]');
      await lp.waitFor('rendered', (m) => m.rows === 10);
      assert.equal(await row(lp, 0).locator('.label').textContent(), '[S] SYN  seq 1149653124  win 64240');
      assert.equal(
        await row(lp, 3).locator('.label').textContent(),
        '[P.] PSH-ACK  seq 1149653125:1149653224 (99 B)  ack 1581948629  win 64512',
      );
      assert.deepEqual(await evalIn(lp, 'window.__violations'), []);
      assert.deepEqual(lp.strayRequests, []);
      await page.click('button[data-kind="absolute"]');
      await page.screenshot({ path: shotPath('webview-http-get-fin.png') });
    } finally {
      await lp.close();
    }
  });

  test('the model as UTF-8 bytes, as the client posts it, draws the same ladder', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('bulk-loss-tx/nn.trace');
      const since = await lp.mark();
      // The bytes the client posts, made in the page: a Uint8Array crosses as one.
      await lp.page.evaluate((text) => {
        const post = (globalThis as unknown as { postMessage(v: unknown, o: string): void }).postMessage;
        post({ type: 'model', model: new TextEncoder().encode(text) }, '*');
      }, encodeModel(model));
      const drawn = await lp.waitFor('rendered', undefined, since);
      assert.equal(drawn.arrows, model.arrows.length);
      // The top of the diagram (rows further down come and go with the virtual scroll).
      const top = async () =>
        (await lp.page.locator('#ladder .row.arrow .label').allTextContents()).slice(0, 12);
      const labels = await top();
      assert.equal(labels.length, 12);
      const again = await lp.show(model);
      assert.deepEqual([again.arrows, again.rows], [drawn.arrows, drawn.rows]);
      assert.deepEqual(await top(), labels);
      // What the client encodes is what the webview decodes (as JSON: undefined fields are no fields).
      const asJson = (m: LadderModel) => JSON.parse(JSON.stringify(m)) as unknown;
      assert.deepEqual(asJson(decodeModel(new TextEncoder().encode(encodeModel(model)))), asJson(model));
    } finally {
      await lp.close();
    }
  });

  test('bulk-loss-tx: collapsed runs, findings on arrows, only rows near the view in the DOM', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('bulk-loss-tx/nn.trace');
      const r = await lp.show(model);
      assert.equal(r.arrows, 1354);
      assert.ok(r.rows < r.arrows * 0.7, `runs collapse: ${r.rows} rows`);
      const run = lp.page.locator('#ladder .row.run .run-text').first();
      assert.match(
        (await run.textContent()) ?? '',
        /^▸ \d+ segments · [\d ]+ B · [\d.]+ (ms|s|µs) \(Enter or click to expand\)$/,
      );
      assert.match((await lp.page.locator('#status').textContent()) ?? '', /in \d+ collapsed runs/);
      // Nothing is dropped: every arrow is drawn, or held by a run that counts it.
      const counted = await evalIn<string>(lp, 'document.getElementById("status").textContent');
      const [drawn, total] = /^([\d ]+) of ([\d ]+) packets drawn · ([\d ]+) in/
        .exec(counted)!
        .slice(1, 3)
        .map((s) => Number(s.replace(/ /g, '')));
      const inRuns = Number(/· ([\d ]+) in \d+ collapsed/.exec(counted)![1]!.replace(/ /g, ''));
      assert.equal(total, 1354);
      assert.equal(drawn! + inRuns, total);

      // A duplicate ACK: the cursor brings it into view, with its number.
      const dups = model.arrows.filter((a) => a.findings.includes('tcp.dup-ack'));
      assert.ok(dups.length >= 10);
      const dup = dups[4]!;
      await lp.send({ type: 'cursor', line: dup.line });
      await lp.waitFor('selected', (m) => m.line === dup.line);
      await row(lp, dup.line).waitFor();
      assert.match((await row(lp, dup.line).getAttribute('class')) ?? '', /selected/);
      assert.equal(await row(lp, dup.line).locator('.badge').first().textContent(), `dup ACK #${dup.dupAck}`);
      // Out-of-order data: its own dash pattern and its words.
      const ooo = model.arrows.find((a) => a.findings.includes('tcp.out-of-order'))!;
      await lp.send({ type: 'cursor', line: ooo.line });
      await row(lp, ooo.line).waitFor();
      assert.match((await row(lp, ooo.line).locator('.shaft').getAttribute('class')) ?? '', /\booo\b/);
      assert.ok((await row(lp, ooo.line).locator('.badge').allTextContents()).includes('out-of-order'));
      await lp.page.screenshot({ path: shotPath('webview-bulk-loss.png') });

      // Every packet a row: 1354 rows, yet only those near the viewport are in the DOM.
      await lp.page.click('button[data-kind="collapse"]');
      await lp.waitFor('rendered', (m) => m.rows === 1354);
      const inDom = await lp.page.locator('#ladder .row').count();
      assert.ok(inDom > 10 && inDom < 200, `${inDom} rows in the DOM`);
      await lp.page.evaluate(
        '(() => { const s = document.getElementById("scroller"); s.scrollTop = s.scrollHeight; })()',
      );
      const last = model.arrows[model.arrows.length - 1]!;
      await row(lp, last.line).waitFor({ timeout: 5000 });
      assert.equal(await row(lp, model.arrows[0]!.line).count(), 0, 'the first row left the DOM');
      assert.ok((await lp.page.locator('#ladder .row').count()) < 200);
    } finally {
      await lp.close();
    }
  });

  test('zero window, probes and their answers are named on the arrows', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('crafted-zero-window-probe/nn.trace');
      await lp.show(model);
      for (const a of model.arrows.filter((x) => x.findings.length)) {
        const words = await row(lp, a.line).locator('.badge').allTextContents();
        const shaft = (await row(lp, a.line).locator('.shaft').getAttribute('class')) ?? '';
        if (a.findings.includes('tcp.zero-window')) {
          assert.ok(words.includes('zero window'), `line ${a.line}: ${words}`);
          assert.match(shaft, /\bzero\b/);
        }
        if (a.findings.includes('tcp.zero-window-probe')) {
          assert.ok(words.includes('zero-window probe'));
          assert.match(shaft, /\bprobe\b/);
        }
        if (a.findings.includes('tcp.zero-window-probe-ack'))
          assert.ok(words.includes('zero-window probe ACK'));
      }
      assert.ok((await lp.page.locator('#ladder .badge').allTextContents()).includes('window update'));
    } finally {
      await lp.close();
    }
  });

  test('retransmissions are dashed and named; the tooltip gives the line that first sent them', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('crafted-fin-unacked/nn.trace', { line: 17 });
      await lp.show(model);
      const resent = model.arrows.filter((a) => a.findings.includes('tcp.retransmission'));
      assert.ok(resent.length >= 3, `${resent.length} retransmissions`);
      const dashes = (line: number) =>
        evalIn<string>(
          lp,
          `getComputedStyle(document.querySelector('#ladder .row.arrow[data-line="${line}"] .shaft')).strokeDasharray`,
        );
      for (const a of resent) {
        assert.match((await row(lp, a.line).locator('.shaft').getAttribute('class')) ?? '', /\bretrans\b/);
        assert.notEqual(await dashes(a.line), 'none', `line ${a.line}: dashed`);
        assert.ok((await row(lp, a.line).locator('.badge').allTextContents()).includes('retransmission'));
      }
      const first = model.arrows.find((a) => a.line === resent[0]!.originalLine)!;
      assert.equal(await dashes(first.line), 'none', 'the original is solid');
      await row(lp, resent[0]!.line).locator('.label').hover();
      await lp.page.locator('#tooltip:not([hidden])').waitFor({ timeout: 3000 });
      assert.match(
        (await lp.page.locator('#tooltip').textContent()) ?? '',
        new RegExp(`first sent on line ${first.line + 1}`),
      );
    } finally {
      await lp.close();
    }
  });

  test('capture gaps: a break on the sender lifeline, a cross at the end of the ACK of unseen data', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('capture-gap/nn.trace', { line: 2 });
      await lp.show(model);
      const lanes = await lp.page
        .locator('.lane-head .lifeline')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('x1'))));
      const [clientX, serverX] = lanes as [number, number];
      const lost = model.arrows.filter((a) => a.findings.includes('tcp.lost-segment'));
      const unseen = model.arrows.filter((a) => a.findings.includes('tcp.ack-unseen-segment'));
      assert.ok(lost.length >= 2 && unseen.length >= 2);
      for (const a of lost) {
        const mark = row(lp, a.line).locator('.gap-mark rect');
        assert.equal(await mark.count(), 1, `line ${a.line}`);
        const x = Number(await mark.getAttribute('x')) + 6;
        assert.ok(Math.abs(x - (a.fromClient ? clientX : serverX)) < 1, 'on the sender lifeline');
        assert.ok(
          (await row(lp, a.line).locator('.badge').allTextContents()).includes(
            'previous segment not captured',
          ),
        );
      }
      for (const a of unseen) {
        const d = (await row(lp, a.line).locator('.cross').getAttribute('d')) ?? '';
        const cx = Number(/^M([\d.]+)/.exec(d)![1]) + 5;
        const end = a.fromClient ? serverX : clientX;
        assert.ok(Math.abs(cx - end) < 30, `line ${a.line}: cross at ${cx}, lane at ${end}`);
      }
      await lp.page.screenshot({ path: shotPath('webview-capture-gap.png') });
    } finally {
      await lp.close();
    }
  });

  test('the time axis folds idle gaps; keep-alives are drawn dotted and named', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('keepalive/nn.trace');
      await lp.show(model);
      const ka = model.arrows.find((a) => a.findings.includes('tcp.keep-alive'))!;
      assert.match((await row(lp, ka.line).locator('.shaft').getAttribute('class')) ?? '', /\bprobe\b/);
      assert.ok((await row(lp, ka.line).locator('.badge').allTextContents()).includes('keep-alive'));
      assert.equal(await lp.page.locator('#ladder .row.idle').count(), 0, 'no breaks on the compact axis');
      await lp.page.click('button[data-kind="timeAxis"]');
      await lp.waitFor('rendered', (m) => m.rows > model.arrows.length);
      const idle = await lp.page.locator('#ladder .idle-text').allTextContents();
      assert.ok(idle.length >= 3, JSON.stringify(idle));
      assert.ok(
        idle.every((t) => /^⋯ [\d.]+ (s|ms) idle ⋯$/.test(t)),
        JSON.stringify(idle),
      );
      assert.match(
        (await lp.page.locator('#status').textContent()) ?? '',
        /time axis: one row ≈ .*folded \(\d+\)/,
      );
      // Rows keep their order and never overlap; later packets sit lower.
      const ys = await lp.page
        .locator('#ladder .row.arrow .hit')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('y'))));
      for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! > ys[i - 1]!);
      await lp.page.click('button[data-kind="slant"]');
      await lp.waitFor('rendered', (m) => m.rows > model.arrows.length);
      const y1 = await attr(lp, `#ladder .row[data-line="${ka.line}"] .shaft`, 'y1');
      const y2 = await attr(lp, `#ladder .row[data-line="${ka.line}"] .shaft`, 'y2');
      assert.ok(y2 > y1, 'slanted downwards');
      assert.match(
        (await lp.page.locator('#status').textContent()) ?? '',
        /slanted by the one-way delay ≈ RTT\/2/,
      );
    } finally {
      await lp.close();
    }
  });

  test('filters: findings only counts what it hides in place; hide pure ACKs counts them', async () => {
    const lp = await openLadder(browser(), { height: 3000 }); // every row in the DOM, to count them
    try {
      const model = exampleModel('lossy-transfer.trace', { line: 10 });
      await lp.show(model);
      const since = await lp.mark();
      await lp.page.click('button[data-kind="findingsOnly"]');
      const withFindings = model.arrows.filter((a) => a.findings.length).length;
      const r = await lp.waitFor('rendered', undefined, since);
      const hidden = await lp.page.locator('#ladder .hidden-text').allTextContents();
      const hiddenCount = hidden.reduce(
        (n, t) => n + Number(/⋯ (\d+) packets? without findings ⋯/.exec(t)![1]),
        0,
      );
      assert.equal(await lp.page.locator('#ladder .row.arrow').count(), withFindings);
      assert.equal(hiddenCount + withFindings, model.arrows.length, 'every packet is drawn or counted');
      assert.equal(r.rows, withFindings + hidden.length);
      await lp.page.click('button[data-kind="findingsOnly"]');
      await lp.page.click('button[data-kind="collapse"]');
      await lp.page.click('button[data-kind="hideAcks"]');
      const plainAcks = model.arrows.filter(
        (a) =>
          a.kind === 'ack' && !a.findings.length && !a.annotations.length && !a.clientState && !a.serverState,
      ).length;
      await lp.waitFor('rendered', (m) => m.rows === model.arrows.length - plainAcks);
      assert.match(
        (await lp.page.locator('#status').textContent()) ?? '',
        new RegExp(`${plainAcks} pure ACKs hidden`),
      );
    } finally {
      await lp.close();
    }
  });

  test('all connections: one lane per ip:port, a picker to switch', async () => {
    const lp = await openLadder(browser());
    try {
      const model = exampleModel('mistakes-to-fix.trace');
      const r = await lp.show(model);
      assert.equal(r.connection, 0);
      const endpoints = new Set(model.connections.flatMap((c) => [c.client, c.server]));
      assert.deepEqual(
        (await lp.page.locator('.lane-endpoint').allTextContents()).sort(),
        [...endpoints].sort(),
      );
      assert.equal(await lp.page.locator('#ladder .row.arrow').count(), model.arrows.length);
      assert.ok(
        (await lp.page.locator('#ladder .note text').count()) > 0,
        'the # comments are notes beside their arrows',
      );
      assert.equal(await lp.page.locator('#connection option').count(), model.connections.length + 1);
      await lp.page.selectOption('#connection', '2');
      await lp.waitFor('selectConnection', (m) => m.connection === 2);
    } finally {
      await lp.close();
    }
  });

  test('theme-aware: colours follow the theme variables', async () => {
    const light = `:root { --vscode-charts-blue: #1a85ff; --vscode-editor-background: #ffffff; --vscode-editor-foreground: #000000; }`;
    const lp = await openLadder(browser(), { theme: light });
    try {
      await lp.show(corpusModel('http-get-fin/nn.trace'));
      const stroke = await lp.page.evaluate(
        'getComputedStyle(document.querySelector(\'#ladder .row[data-line="3"] .shaft\')).stroke',
      );
      assert.equal(stroke, 'rgb(26, 133, 255)');
      const bg = await lp.page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(bg, 'rgb(255, 255, 255)');
    } finally {
      await lp.close();
    }
  });
});

describe('ladder webview: linked to the editor', { skip }, () => {
  test('a click posts reveal with the packet line; a double click asks for the focus too', async () => {
    const lp = await openLadder(browser());
    try {
      await lp.show(corpusModel('http-get-fin/nn.trace'));
      const since = (await lp.posted()).length;
      await row(lp, 3).locator('.label').click();
      await lp.waitFor('reveal', (m) => m.line === 3);
      const after = await selectedAfter(lp, since);
      assert.deepEqual(
        after.filter((m) => m.type === 'reveal' || m.type === 'selected'),
        [
          { type: 'selected', line: 3 },
          { type: 'reveal', line: 3, focus: false },
        ],
      );
      assert.match((await row(lp, 3).getAttribute('class')) ?? '', /selected/);
      await row(lp, 5).locator('.label').dblclick();
      await lp.waitFor('reveal', (m) => m.line === 5 && m.focus);
    } finally {
      await lp.close();
    }
  });

  test('the editor cursor highlights and scrolls to its arrow, -v continuation lines included', async () => {
    const lp = await openLadder(browser(), { height: 500 });
    try {
      const model = corpusModel('http-get-fin/v-nn.trace');
      await lp.show(model);
      const data = model.arrows[5]!;
      assert.ok(data.endLine !== undefined && data.endLine > data.line, 'a two-line -v record');
      await lp.send({ type: 'cursor', line: data.endLine });
      await lp.waitFor('selected', (m) => m.line === data.line);
      assert.equal(
        await lp.page.locator('#ladder .row.selected').getAttribute('data-line'),
        String(data.line),
      );
      await lp.send({ type: 'cursor', line: 100_000 });
      await lp.waitFor('selected', (m) => m.line === null);
      assert.equal(await lp.page.locator('#ladder .row.selected').count(), 0);

      // Far away on a long trace: scrolled into view.
      const bulk = corpusModel('bulk-loss-tx/nn.trace');
      await lp.show(bulk);
      await lp.page.click('button[data-kind="collapse"]');
      await lp.waitFor('rendered', (m) => m.rows === bulk.arrows.length);
      const far = bulk.arrows[900]!;
      await lp.send({ type: 'cursor', line: far.line });
      await lp.waitFor('selected', (m) => m.line === far.line);
      await row(lp, far.line).waitFor();
      assert.ok(await row(lp, far.line).isVisible());
      const box = await row(lp, far.line).boundingBox();
      assert.ok(box && box.y > 0 && box.y < 500, `in view: ${JSON.stringify(box)}`);
      // A line inside a collapsed run expands it.
      let since = await lp.mark();
      await lp.page.click('button[data-kind="collapse"]');
      await lp.waitFor('rendered', (m) => m.rows < bulk.arrows.length, since);
      const inRun = bulk.arrows[middleOfRun(bulk)]!;
      since = await lp.mark();
      await lp.send({ type: 'cursor', line: inRun.line });
      await lp.waitFor('selected', (m) => m.line === inRun.line, since);
      await row(lp, inRun.line).waitFor();
      assert.ok(await lp.page.locator('#ladder .row.run[aria-expanded="true"]').count());
    } finally {
      await lp.close();
    }
  });

  test('arrow keys move between packets; Enter reveals', async () => {
    const lp = await openLadder(browser());
    try {
      const model = corpusModel('http-get-fin/nn.trace');
      await lp.show(model);
      await lp.page.focus('#scroller');
      const key = async (k: string, line: number | null) => {
        const since = await lp.mark();
        await lp.page.keyboard.press(k);
        const m = await lp.waitFor('selected', undefined, since);
        assert.equal(m.line, line, `${k} selects line ${line}`);
      };
      await key('ArrowDown', 0);
      await key('ArrowDown', 1);
      // Screen readers hear the selected packet: a polite live region, not shown.
      const spoken = lp.page.locator('#announce');
      assert.equal(await spoken.getAttribute('aria-live'), 'polite');
      assert.equal(
        await spoken.textContent(),
        'line 2; server to client; [S.] SYN-ACK, seq 0, ack 1, win 65160; client ESTABLISHED; server SYN-RECEIVED',
      );
      const box = await spoken.boundingBox();
      assert.ok(box && box.width <= 1 && box.height <= 1, `not shown: ${JSON.stringify(box)}`);
      await key('ArrowDown', 2);
      await key('ArrowUp', 1);
      let since = await lp.mark();
      await lp.page.keyboard.press('Enter');
      assert.deepEqual(await lp.waitFor('reveal', undefined, since), {
        type: 'reveal',
        line: 1,
        focus: false,
      });
      await key('End', 9);
      await key('Home', 0);
      // Enter on a collapsed run expands it.
      const bulk = corpusModel('bulk-loss-tx/nn.trace');
      const before = await lp.show(bulk);
      assert.equal(await lp.page.locator('#ladder .row.run[aria-expanded="true"]').count(), 0);
      await key('Home', bulk.arrows[0]!.line);
      await key('ArrowDown', bulk.arrows[1]!.line);
      await key('ArrowDown', bulk.arrows[2]!.line);
      await key('ArrowDown', null); // the first collapsed run
      assert.match(
        (await lp.page.locator('#announce').textContent()) ?? '',
        /^\d+ segments · [\d ]+ B · .+, collapsed: Enter expands$/,
      );
      since = await lp.mark();
      await lp.page.keyboard.press('Enter');
      const after = await lp.waitFor('rendered', undefined, since);
      assert.ok(after.rows > before.rows);
      assert.equal(await lp.page.locator('#ladder .row.run[aria-expanded="true"]').count(), 1);
    } finally {
      await lp.close();
    }
  });

  test('a new version keeps the scroll position and the selection', async () => {
    const lp = await openLadder(browser(), { height: 600 });
    try {
      const bulk = corpusModel('bulk-loss-tx/nn.trace');
      await lp.show(bulk);
      await lp.page.click('button[data-kind="collapse"]');
      await lp.waitFor('rendered', (m) => m.rows === bulk.arrows.length);
      const target = bulk.arrows[200]!;
      await lp.send({ type: 'cursor', line: target.line });
      await lp.waitFor('selected', (m) => m.line === target.line);
      const top = await scrollTop(lp);
      assert.ok(top > 1000);
      // The same connection, one packet more at the end (an edit), version 2.
      const next: LadderModel = {
        ...bulk,
        version: 2,
        arrows: [...bulk.arrows, { ...bulk.arrows[bulk.arrows.length - 1]!, line: 99_999, endLine: 99_999 }],
      };
      const r = await lp.show(next);
      assert.equal(r.version, 2);
      assert.equal(r.rows, bulk.arrows.length + 1);
      assert.equal(r.selectedLine, target.line);
      assert.equal(await scrollTop(lp), top);
      assert.match((await row(lp, target.line).getAttribute('class')) ?? '', /selected/);
    } finally {
      await lp.close();
    }
  });

  test('the persisted state holds only identifiers and switches, and restores the view', async () => {
    const bulk = corpusModel('bulk-loss-tx/nn.trace');
    const target = bulk.arrows[600]!;
    const state = {
      v: 1,
      uri: bulk.uri,
      connection: bulk.connection,
      scrollTop: 4000,
      selectedLine: target.line,
      toggles: { ...DEFAULT_TOGGLES, absolute: true, collapse: false },
      expanded: [],
    };
    const lp = await openLadder(browser(), { state, height: 600 });
    try {
      const r = await lp.show(bulk);
      assert.equal(r.rows, bulk.arrows.length, 'collapse off, as saved');
      assert.equal(r.selectedLine, target.line);
      assert.equal(
        await lp.page.locator('button[data-kind="absolute"]').getAttribute('aria-pressed'),
        'true',
      );
      assert.equal(await scrollTop(lp), 4000);
      const saved = await evalIn<Record<string, unknown>>(lp, 'window.__getState()');
      assert.deepEqual(Object.keys(saved).sort(), [
        'connection',
        'expanded',
        'scrollTop',
        'selectedLine',
        'toggles',
        'uri',
        'v',
      ]);
      assert.equal(saved.v, 1);
      assert.equal(saved.uri, bulk.uri);
      assert.ok(JSON.stringify(saved).length < 1000, 'no diagram in the state');
      // A different trace: the saved position does not apply.
      const other = corpusModel('http-get-fin/nn.trace');
      const r2 = await lp.show(other);
      assert.equal(r2.selectedLine, undefined);
      assert.equal(await scrollTop(lp), 0);
    } finally {
      await lp.close();
    }
  });
});
