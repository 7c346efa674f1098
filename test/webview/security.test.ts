// Trace text is untrusted: addresses, options, payload summaries and `#` notes that carry markup
// must show literally and run nothing, in the diagram, the tooltip and the exports. The page runs
// under the client's CSP; its stand-in records any violation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LadderModel } from '../../protocol/lsp';
import type { FromWebview } from '../../protocol/webview';
import { browserForTests, modelOfText, openLadder, skipReason } from './harness';

const skip = skipReason();
const browser = browserForTests(skip);

const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '</script><script>window.__pwned=2</script>';
const TRACE = [
  `# note ${IMG} ${SCRIPT}`,
  '12:00:00.000000 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 1, win 100, options [mss 1460,<img/src=x/onerror=window.__pwned=4>,wscale 7], length 0',
  '12:00:00.001000 IP 10.0.0.2.80 > 10.0.0.1.1234: Flags [S.], seq 5, ack 2, win 100, options [mss 1460,sackOK,</script><b>x</b>], length 0',
  `12:00:00.002000 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [P.], seq 2:12, ack 6, win 100, length 10: HTTP: ${IMG}</script>`,
  '',
].join('\n');

/** What the parser keeps, plus markup where the parser would never let it in (addresses, words). */
function hostileModel(): LadderModel {
  const m = modelOfText(TRACE, { line: 1 }, `file:///tmp/${encodeURIComponent(IMG)}.trace`);
  const c = m.connections[0]!;
  c.client = `${IMG}:1234`;
  c.server = `10.0.0.2:${SCRIPT}`;
  c.verdict = `verdict ${IMG}`;
  c.history = `Sh${SCRIPT}`;
  c.zeekState = `<svg onload=window.__pwned=3>`;
  const a = m.arrows[2]!;
  a.flagWords = `PSH + ${IMG}`;
  a.messages = [{ code: 'tcp.retransmission', severity: 'warning', message: `message ${IMG}` }];
  a.findings = ['tcp.retransmission', `x.${IMG}`];
  return m;
}

describe('ladder webview: untrusted trace text', { skip }, () => {
  test('markup in addresses, options, payload and notes is shown as text and runs nothing', async () => {
    const lp = await openLadder(browser());
    try {
      const model = hostileModel();
      assert.ok(model.arrows[0]!.annotations[0]!.includes(IMG), 'the parser kept the note');
      assert.ok(
        model.arrows[0]!.options!.some((o) => o.includes('onerror')),
        'and the option',
      );
      assert.ok(model.arrows[2]!.payload!.includes(IMG), 'and the payload');
      await lp.show(model);
      const page = lp.page;
      // Hover the data packet: its tooltip holds the payload and the messages.
      await page.locator('#ladder .row.arrow[data-line="3"] .label').hover();
      await page.locator('#tooltip:not([hidden])').waitFor({ timeout: 3000 });
      const tip = (await page.locator('#tooltip').textContent()) ?? '';
      assert.ok(tip.includes(`payload: HTTP: ${IMG}</script>`), tip);
      assert.ok(tip.includes(`message ${IMG}`), tip);
      await page.mouse.move(5, 5);
      await page.locator('#tooltip[hidden]').waitFor({ state: 'attached', timeout: 3000 });
      await page.locator('#ladder .row.arrow[data-line="1"] .label').hover();
      await page.locator('#tooltip:not([hidden])').waitFor({ timeout: 3000 });
      const synTip = (await page.locator('#tooltip').textContent()) ?? '';
      assert.ok(synTip.includes('options: mss 1460, <img/src=x/onerror=window.__pwned=4>, wscale 7'), synTip);
      // The same for every export.
      const exported: string[] = [];
      for (const format of ['mermaid', 'plantuml', 'text', 'svg'] as const) {
        const since = await lp.mark();
        await lp.send({ type: 'export', format, destination: format === 'svg' ? 'file' : 'clipboard' });
        exported.push((await lp.waitFor('export', (m) => m.format === format, since)).data);
      }
      await page.waitForTimeout(300);

      assert.equal(await lp.page.evaluate('typeof window.__pwned'), 'undefined', 'no injected script ran');
      const counts = (await page.evaluate(`({
        img: document.querySelectorAll('img, iframe, object, embed, b, foreignObject').length,
        scripts: document.querySelectorAll('script').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      })`)) as { img: number; scripts: number; handlers: number };
      assert.deepEqual(counts, { img: 0, scripts: 1, handlers: 0 });
      const text = (await page.evaluate('document.body.textContent')) as string;
      for (const literal of [
        `${IMG}:1234`,
        `10.0.0.2:${SCRIPT}`,
        `verdict ${IMG}`,
        'mss 1460 · <img/src=x/onerror=window.',
        `note ${IMG} ${SCRIPT}`,
        '<svg onload=window.__pwned=3>',
      ])
        assert.ok(text.includes(literal), `shown literally: ${literal}`);
      assert.deepEqual(lp.strayRequests, [], 'nothing was fetched (no <img src=x>)');
      assert.deepEqual(await page.evaluate('window.__violations'), []);

      const [mermaid, plantuml, plain, svg] = exported as [string, string, string, string];
      assert.doesNotMatch(mermaid, /<img|<\/?script/i, 'Mermaid: entity codes');
      assert.match(mermaid, /#60;img src=x onerror=window.__pwned=1#62;/);
      assert.doesNotMatch(plantuml.replace(/~</g, ''), /<img|<\/?script/i, 'PlantUML: creole escaped');
      assert.ok(plain.includes(`# note ${IMG}`), 'plain text is plain');
      assert.match(svg, /&lt;img src=x onerror=window.__pwned=1&gt;/, 'SVG: text nodes escaped');
      const parsed = (await page.evaluate(
        `(() => { const d = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
           const all = [...d.querySelectorAll('*')];
           return { error: !!d.querySelector('parsererror'), markup: d.querySelectorAll('img, script, b, foreignObject, iframe').length,
                    handlers: all.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
                    text: d.documentElement.textContent }; })()`,
      )) as { error: boolean; markup: number; handlers: number; text: string };
      assert.deepEqual(
        [parsed.error, parsed.markup, parsed.handlers],
        [false, 0, 0],
        'SVG: no elements from the trace',
      );
      assert.ok(parsed.text.includes(`note ${IMG}`) && parsed.text.includes(SCRIPT));
    } finally {
      await lp.close();
    }
  });

  test('messages that are not ladder messages are ignored', async () => {
    const lp = await openLadder(browser());
    try {
      const since = await lp.mark();
      for (const m of [
        null,
        'model',
        42,
        { type: 'model', model: '{"arrows": "no"}' },
        { type: 'model', model: '{not json' },
        { type: 'cursor', line: 'x' },
        { type: 'nope' },
      ])
        await lp.page.evaluate(
          (x) => (globalThis as unknown as { postMessage(v: unknown, o: string): void }).postMessage(x, '*'),
          m,
        );
      // The model as bytes (how the client posts it), broken in the same ways.
      await lp.page.evaluate(() => {
        const post = (globalThis as unknown as { postMessage(v: unknown, o: string): void }).postMessage;
        post({ type: 'model', model: new TextEncoder().encode('{"arrows": "no"}') }, '*');
        post({ type: 'model', model: new Uint8Array([0xff, 0xfe, 0x7b, 0x00]) }, '*');
        post({ type: 'model', model: new Uint8Array(0).buffer }, '*');
      });
      await lp.page.waitForTimeout(200);
      const after: FromWebview[] = (await lp.posted()).slice(since);
      assert.deepEqual(
        after.filter((m) => m.type !== 'selected'),
        [],
      );
      assert.equal(await lp.page.locator('#empty').textContent(), 'Loading the ladder…');
    } finally {
      await lp.close();
    }
  });
});
