// Inlay hints over a range: state transitions at the end of a packet line, the other form of the
// printed seq/ack beside it, the connection number when enabled, each kind switchable in settings.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import type { InlayHint, Range } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, posOf, positionIn, readTrace, splitLines, stopAll } from '../helpers/lspClient';

afterEach(stopAll);
after(stopAll);

const NN = 'http-get-fin/nn.trace';

function label(h: InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

function lineRange(first: number, last: number, lines: string[]): Range {
  return { start: { line: first, character: 0 }, end: { line: last, character: lines[last]?.length ?? 0 } };
}

async function setup(rel: string, settings?: unknown) {
  const client = await LspClient.start();
  if (settings !== undefined) client.changeConfiguration({ packetTrace: settings });
  const uri = fileUri(`/hints/${rel}`);
  const text = readTrace(rel);
  await client.openAndWait(uri, text);
  const lines = splitLines(text);
  const hints = async (range: Range) => (await client.inlayHints(uri, range)) ?? [];
  return { client, uri, lines, hints };
}

test('state transitions at the end of the line, and absolute numbers beside relative ones', async () => {
  const { client, lines, hints } = await setup(NN);
  const all = await hints(lineRange(0, 9, lines));

  const synAck = all.find((h) => h.position.line === 1 && label(h).includes('→'));
  assert.ok(synAck, 'a state hint on the SYN-ACK');
  assert.match(label(synAck), /client SYN-SENT → ESTABLISHED/);
  assert.match(label(synAck), /server LISTEN → SYN-RECEIVED/);
  assert.equal(synAck.position.character, lines[1]!.length, 'at the end of the line');

  const third = all.find((h) => h.position.line === 2 && label(h).includes('→'));
  assert.equal(third && label(third), 'server SYN-RECEIVED → ESTABLISHED');
  const syn = all.find((h) => h.position.line === 0 && label(h).includes('→'));
  assert.equal(syn && label(syn), 'client CLOSED → SYN-SENT');
  const lastAck = all.find((h) => h.position.line === 9 && label(h).includes('→'));
  assert.equal(lastAck && label(lastAck), 'client LAST-ACK → CLOSED');

  // `ack 1` on line 3 is relative: the absolute number sits right after it.
  const abs = all.find((h) => h.position.line === 2 && label(h).startsWith('abs '));
  assert.ok(abs, 'an absolute-number hint beside ack 1');
  assert.equal(label(abs), 'abs 1581948629');
  assert.deepEqual(abs.position, posOf(lines, 2, 'ack 1,', 5), 'right after the printed number');
  // The data packet: seq 1:100 and ack 1, both relative.
  const data = all.filter((h) => h.position.line === 3 && label(h).startsWith('abs ')).map(label);
  assert.deepEqual(data, ['abs 1149653125', 'abs 1581948629']);
  // An absolute number as printed (the SYN) gets the relative one.
  assert.ok(all.some((h) => h.position.line === 0 && label(h) === 'rel 0'));

  // Connection numbers are off by default.
  assert.ok(!all.some((h) => /^#\d+$/.test(label(h))), 'no connection numbers by default');
  await client.shutdown();
});

test('only the requested range', async () => {
  const { client, lines, hints } = await setup(NN);
  const range = lineRange(3, 4, lines);
  const some = await hints(range);
  assert.ok(some.length > 0);
  for (const h of some) assert.ok(positionIn(range, h.position), `${label(h)} at line ${h.position.line}`);
  await client.shutdown();
});

test('connection numbers when inlayHints.connection is on', async () => {
  const { client, lines, hints } = await setup('refused/nn.trace', { inlayHints: { connection: true } });
  const all = await hints(lineRange(0, lines.length - 1, lines));
  const conn = all.filter((h) => /^#\d+$/.test(label(h)));
  assert.deepEqual(
    conn.map((h) => [h.position.line, h.position.character, label(h)]),
    [
      [0, 0, '#1'],
      [1, 0, '#1'],
      [2, 0, '#2'],
      [3, 0, '#2'],
    ],
  );
  await client.shutdown();
});

test('each kind switched off', async () => {
  const { client, lines, hints } = await setup(NN);
  const range = lineRange(0, 9, lines);
  client.changeConfiguration({ packetTrace: { inlayHints: { states: false } } });
  const noStates = await hints(range);
  assert.ok(noStates.length > 0);
  assert.ok(!noStates.some((h) => label(h).includes('→')), 'no state transitions');

  client.changeConfiguration({ packetTrace: { inlayHints: { numbers: false } } });
  const noNumbers = await hints(range);
  assert.ok(
    noNumbers.some((h) => label(h).includes('→')),
    'states back on',
  );
  assert.ok(!noNumbers.some((h) => /^(abs|rel) /.test(label(h))), 'no number hints');

  client.changeConfiguration({
    packetTrace: { inlayHints: { states: false, numbers: false, connection: false } },
  });
  assert.deepEqual(await hints(range), [], 'nothing at all');
  await client.shutdown();
});

test('settings read through workspace/configuration apply to inlay hints', async () => {
  const client = await LspClient.start({
    capabilities: { workspace: { configuration: true } },
    settings: { inlayHints: { connection: true, states: false } },
  });
  const uri = fileUri('/hints/pull.trace');
  const text = readTrace(NN);
  client.open(uri, text);
  await client.waitForConfigurationRequest(1);
  await client.waitForDiagnostics(uri, { version: 1 });
  // The configuration answer may still be in flight: ask until it applies (bounded).
  const lines = splitLines(text);
  let hs: InlayHint[] = [];
  for (let i = 0; i < 50; i++) {
    hs = (await client.inlayHints(uri, lineRange(0, 9, lines))) ?? [];
    if (hs.some((h) => label(h) === '#1')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(
    hs.some((h) => label(h) === '#1'),
    'connection numbers on',
  );
  assert.ok(!hs.some((h) => label(h).includes('→')), 'states off');
  await client.shutdown();
});

test('a -v record: hints on its TCP line come back when the range covers only that line', {}, async () => {
  const { client, lines, hints } = await setup('http-get-fin/v-nn.trace');
  const all = await hints(lineRange(0, lines.length - 1, lines));
  const onLine1 = all.filter((h) => h.position.line === 1).map(label);
  assert.ok(onLine1.includes('client CLOSED → SYN-SENT'), 'the state hint sits on the TCP line');
  const only1 = (await hints(lineRange(1, 1, lines))).map(label);
  const first2 = await hints({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  await client.shutdown();
  assert.deepEqual(only1, onLine1);
  for (const h of first2) assert.equal(h.position.line, 0, `${label(h)} is outside the range`);
});
