// Navigation: definition (an ack to the segment it acknowledges, a retransmission to its original, a
// SYN-ACK's ack to the SYN), references and document highlights (every packet of the connection), and
// folding ranges (-v records, dumps, comment blocks, runs of one connection's packets).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Location, Position } from 'vscode-languageserver-protocol';
import type { LadderModel } from '../../protocol/lsp';
import { posOf } from '../helpers/lspClient';
import { lspSession } from '../helpers/lspSession';

const FILES = [
  'http-get-fin/nn.trace',
  'http-get-fin/v-nn.trace',
  'http-get-fin/X-nn.trace',
  'refused/nn.trace',
  'tcpdump-ssh/nn.trace',
  'examples/seed-handshake.trace',
];

const session = lspSession('nav', FILES);
const { doc } = session;

async function definitionAt(rel: string, pos: Position): Promise<Location[]> {
  const { uri } = doc(rel);
  const r = await session.client.definition(uri, pos);
  if (r === null) return [];
  const list = Array.isArray(r) ? r : [r];
  return list.map((l) =>
    'targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange } : (l as Location),
  );
}

/** Asserts a single definition on `line` of the same document, and returns it. */
function single(locs: Location[], uri: string, line: number): Location {
  assert.equal(locs.length, 1, JSON.stringify(locs));
  const l = locs[0]!;
  assert.equal(l.uri, uri);
  assert.equal(l.range.start.line, line);
  return l;
}

describe('definition', () => {
  const NN = 'http-get-fin/nn.trace';

  test("from a SYN-ACK's ack to the SYN", async () => {
    const { uri, lines } = doc(NN);
    const l = single(await definitionAt(NN, posOf(lines, 1, 'ack 1149653125', 6)), uri, 0);
    assert.ok(
      lines[0]!.slice(l.range.start.character, l.range.end.character).includes('[S]'),
      'lands on the flags',
    );
    // The same in tcpdump 3.x form.
    const seed = doc('examples/seed-handshake.trace');
    single(
      await definitionAt('examples/seed-handshake.trace', posOf(seed.lines, 3, 'ack 3626544837', 6)),
      seed.uri,
      2,
    );
  });

  test('from an ack to the data segment it acknowledges', async () => {
    const { uri, lines } = doc(NN);
    single(await definitionAt(NN, posOf(lines, 4, 'ack 100', 5)), uri, 3);
    single(await definitionAt(NN, posOf(lines, 6, 'ack 703', 5)), uri, 5);
  });

  test("from the third ACK's ack to the SYN-ACK", async () => {
    const { uri, lines } = doc(NN);
    single(await definitionAt(NN, posOf(lines, 2, 'ack 1,', 4)), uri, 1);
  });

  test("from a retransmission's seq to the original (tcpdump-ssh line 49 -> line 45)", async () => {
    const rel = 'tcpdump-ssh/nn.trace';
    const { uri, lines } = doc(rel);
    const diags = await session.client.waitForDiagnostics(uri);
    assert.ok(diags.diagnostics.some((d) => d.code === 'tcp.retransmission' && d.range.start.line === 48));
    const l = single(await definitionAt(rel, posOf(lines, 48, 'seq 5186:5282', 5)), uri, 44);
    assert.match(lines[44]!, /seq 5186:5222/);
    assert.ok(lines[44]!.slice(l.range.start.character, l.range.end.character).includes('[P.]'));
  });

  test('nothing to go to from a window or a comment', async () => {
    const { lines } = doc(NN);
    assert.deepEqual(await definitionAt(NN, posOf(lines, 3, 'win 63', 5)), []);
    assert.deepEqual(await definitionAt('examples/seed-handshake.trace', { line: 0, character: 4 }), []);
  });
});

describe('references and highlights', () => {
  test('references: every packet of the connection, once each', async () => {
    const rel = 'http-get-fin/nn.trace';
    const { uri, lines } = doc(rel);
    const refs = (await session.client.references(uri, posOf(lines, 4, 'ack 100', 5))) ?? [];
    assert.deepEqual(
      refs.map((r) => r.range.start.line),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const r of refs) assert.equal(r.uri, uri);
  });

  test('references stay within the connection', async () => {
    const rel = 'refused/nn.trace';
    const { uri } = doc(rel);
    const refs = (await session.client.references(uri, { line: 2, character: 60 })) ?? [];
    assert.deepEqual(
      refs.map((r) => r.range.start.line),
      [2, 3],
    );
  });

  test('-v records: references point into each record', async () => {
    const rel = 'http-get-fin/v-nn.trace';
    const { uri, lines } = doc(rel);
    const ladder = await session.client.request<LadderModel>('packetTrace/ladder', { uri });
    const refs = (await session.client.references(uri, posOf(lines, 1, 'Flags', 1))) ?? [];
    assert.equal(refs.length, 10);
    refs.forEach((r, i) => {
      const first = ladder.arrows[i]!.line;
      assert.ok(r.range.start.line === first || r.range.start.line === first + 1, 'inside packet record');
    });
  });

  test('document highlights: the packets of the connection, the current one marked', async () => {
    const rel = 'refused/nn.trace';
    const { uri } = doc(rel);
    const hl = (await session.client.highlights(uri, { line: 3, character: 60 })) ?? [];
    assert.deepEqual(
      hl.map((h) => h.range.start.line),
      [2, 3],
    );
    for (const h of hl) assert.ok(h.kind === undefined || [1, 2, 3].includes(h.kind));
    const current = hl.filter((h) => h.range.start.line === 3);
    assert.equal(current.length, 1);
    const others = hl.filter((h) => h.range.start.line !== 3);
    assert.ok(
      others.every((h) => h.kind !== current[0]!.kind),
      'the current packet stands out',
    );
  });

  test('no references or highlights on a comment line', async () => {
    const { uri } = doc('examples/seed-handshake.trace');
    assert.deepEqual((await session.client.references(uri, { line: 0, character: 2 })) ?? [], []);
    assert.deepEqual((await session.client.highlights(uri, { line: 1, character: 2 })) ?? [], []);
  });
});

describe('folding ranges', () => {
  async function folds(rel: string) {
    const { uri, lines } = doc(rel);
    const f = (await session.client.foldingRanges(uri)) ?? [];
    for (const r of f) {
      assert.ok(r.startLine < r.endLine, `${r.startLine}-${r.endLine} spans lines`);
      assert.ok(r.endLine < lines.length, 'inside the document');
    }
    return f;
  }

  test('-v records (v-nn): header and TCP line fold together', async () => {
    const rel = 'http-get-fin/v-nn.trace';
    const { uri } = doc(rel);
    const f = await folds(rel);
    const ladder = await session.client.request<LadderModel>('packetTrace/ladder', { uri });
    for (const a of ladder.arrows)
      assert.ok(
        f.some((r) => r.startLine === a.line && r.endLine >= a.line + 1 && r.kind !== 'comment'),
        `record at line ${a.line} folds`,
      );
    assert.ok(f.some((r) => r.startLine === 0 && r.endLine === 1));
  });

  test('dumps (X-nn): a packet line folds with its hex lines', async () => {
    const rel = 'http-get-fin/X-nn.trace';
    const { lines } = doc(rel);
    const f = await folds(rel);
    // The SYN's record: the packet line and 4 dump lines.
    assert.match(lines[1]!, /^\t0x0000:/);
    assert.match(lines[5]!, /^\d\d:/);
    assert.ok(
      f.some((r) => r.startLine === 0 && r.endLine === 4),
      JSON.stringify(f.slice(0, 3)),
    );
  });

  test('comment blocks', async () => {
    const f = await folds('examples/seed-handshake.trace');
    assert.ok(
      f.some((r) => r.startLine === 0 && r.endLine === 1 && r.kind === 'comment'),
      JSON.stringify(f),
    );
  });

  test("runs of one connection's packets", async () => {
    const nn = await folds('http-get-fin/nn.trace');
    assert.ok(
      nn.some((r) => r.startLine === 0 && r.endLine === 9),
      JSON.stringify(nn),
    );
    const refused = await folds('refused/nn.trace');
    assert.ok(refused.some((r) => r.startLine === 0 && r.endLine === 1));
    assert.ok(refused.some((r) => r.startLine === 2 && r.endLine === 3));
    const seed = await folds('examples/seed-handshake.trace');
    assert.ok(seed.some((r) => r.startLine === 2 && r.endLine === 4 && r.kind !== 'comment'));
  });
});
