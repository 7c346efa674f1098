// Document symbols (one per connection, with handshake/data/teardown children) and code lenses (the
// verdict and `Show ladder` above each connection's first packet).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SymbolKind, type CodeLens, type DocumentSymbol } from 'vscode-languageserver-protocol';
import type { ConnectionSummary } from '../../protocol/lsp';
import { rangeContains, readTrace, splitLines } from '../helpers/lspClient';
import { lspSession } from '../helpers/lspSession';

const FILES = [
  'http-get-fin/nn.trace',
  'http-get-fin/v-nn.trace',
  'refused/nn.trace',
  'crafted-synack-bad-ack/nn.trace',
  'tcpdump-ssh/nn.trace',
  'examples/seed-handshake.trace',
];

const session = lspSession('symbols', FILES);
const { uriOf } = session;

async function symbols(rel: string): Promise<DocumentSymbol[]> {
  const s = await session.client.documentSymbols(uriOf(rel));
  assert.ok(Array.isArray(s));
  for (const x of s) assert.ok('range' in x && 'selectionRange' in x, 'hierarchical DocumentSymbols');
  return s;
}

function checkNesting(s: DocumentSymbol, lines: string[]): void {
  assert.ok(rangeContains(s.range, s.selectionRange), `${s.name}: selectionRange inside range`);
  assert.ok(s.range.end.line < lines.length, `${s.name}: inside the document`);
  for (const c of s.children ?? []) {
    assert.ok(rangeContains(s.range, c.range), `${c.name} inside ${s.name}`);
    checkNesting(c, lines);
  }
}

describe('document symbols', () => {
  test('one per connection, named client -> server · state · packets, with phases', async () => {
    const rel = 'http-get-fin/nn.trace';
    const lines = splitLines(readTrace(rel));
    const s = await symbols(rel);
    assert.equal(s.length, 1);
    const conn = s[0]!;
    assert.equal(conn.name, '127.0.0.1:52052 -> 127.0.0.1:8080 · SF · 10 packets');
    assert.equal(conn.range.start.line, 0);
    assert.equal(conn.range.end.line, 9);
    assert.deepEqual(
      (conn.children ?? []).map((c) => c.name),
      ['handshake', 'data', 'teardown'],
    );
    const [hs, data, td] = conn.children!;
    assert.deepEqual([hs!.range.start.line, hs!.range.end.line], [0, 2], 'handshake: SYN, SYN-ACK, ACK');
    assert.deepEqual([data!.range.start.line, data!.range.end.line], [3, 6]);
    assert.deepEqual([td!.range.start.line, td!.range.end.line], [7, 9], 'teardown from the first FIN');
    checkNesting(conn, lines);
    assert.ok(Object.values(SymbolKind).includes(conn.kind));
  });

  test('-v records: a connection spans its records, phases inside', async () => {
    const rel = 'http-get-fin/v-nn.trace';
    const lines = splitLines(readTrace(rel));
    const s = await symbols(rel);
    assert.equal(s.length, 1);
    assert.equal(s[0]!.name, '127.0.0.1:52052 -> 127.0.0.1:8080 · SF · 10 packets');
    assert.deepEqual(
      (s[0]!.children ?? []).map((c) => c.name),
      ['handshake', 'data', 'teardown'],
    );
    checkNesting(s[0]!, lines);
  });

  test('several connections, each with its own children', async () => {
    for (const rel of ['refused/nn.trace', 'crafted-synack-bad-ack/nn.trace', 'tcpdump-ssh/nn.trace']) {
      const lines = splitLines(readTrace(rel));
      const s = await symbols(rel);
      const summaries = await session.client.request<ConnectionSummary[]>('packetTrace/connections', {
        uri: uriOf(rel),
      });
      assert.equal(s.length, summaries.length, `${rel}: one symbol per connection`);
      s.forEach((sym, i) => {
        const c = summaries[i]!;
        assert.equal(
          sym.name,
          `${c.client} -> ${c.server} · ${c.zeekState} · ${c.packets} packet${c.packets === 1 ? '' : 's'}`,
        );
        assert.equal(sym.range.start.line, c.firstLine);
        checkNesting(sym, lines);
        assert.ok((sym.children ?? []).length >= 1, `${sym.name} has phases`);
      });
    }
    const refused = await symbols('refused/nn.trace');
    assert.deepEqual(
      refused.map((s) => s.name),
      [
        '127.0.0.1:40070 -> 127.0.0.1:8081 · REJ · 2 packets',
        '127.0.0.1:40084 -> 127.0.0.1:8081 · REJ · 2 packets',
      ],
    );
  });
});

describe('code lenses', () => {
  for (const rel of [
    'http-get-fin/nn.trace',
    'crafted-synack-bad-ack/nn.trace',
    'refused/nn.trace',
    'examples/seed-handshake.trace',
  ]) {
    test(`verdict and Show ladder per connection: ${rel}`, async () => {
      const uri = uriOf(rel);
      const lenses: CodeLens[] | null = await session.client.codeLenses(uri);
      assert.ok(Array.isArray(lenses));
      const summaries = await session.client.request<ConnectionSummary[]>('packetTrace/connections', { uri });
      assert.equal(lenses.length, summaries.length * 2, 'two lenses per connection');
      for (const c of summaries) {
        const here: CodeLens[] = lenses.filter((l) => l.range.start.line === c.firstLine);
        assert.equal(here.length, 2, `two lenses on line ${c.firstLine}`);
        const verdict = here.find((l) => l.command?.command === 'packetTrace.revealConnection');
        const ladder = here.find((l) => l.command?.command === 'packetTrace.showLadder');
        assert.ok(verdict?.command && ladder?.command, 'both commands resolved (no resolve step)');
        assert.ok(verdict.command.title.startsWith(`#${c.id} ${c.verdict}`), verdict.command.title);
        if (c.problems)
          assert.ok(verdict.command.title.includes(`${c.problems} problem`), verdict.command.title);
        else assert.ok(!verdict.command.title.includes('problem'), verdict.command.title);
        assert.equal(ladder.command.title, 'Show ladder');
        assert.deepEqual(verdict.command.arguments, [uri, c.id, c.firstLine]);
        assert.deepEqual(ladder.command.arguments, [uri, c.id, c.firstLine]);
      }
    });
  }

  test('the verdict text of known captures', async () => {
    const titles = async (rel: string) =>
      ((await session.client.codeLenses(uriOf(rel))) ?? [])
        .filter((l) => l.command?.command === 'packetTrace.revealConnection')
        .map((l) => l.command!.title);
    assert.deepEqual(await titles('http-get-fin/nn.trace'), ['#1 handshake complete · closed by server FIN']);
    assert.deepEqual(await titles('refused/nn.trace'), [
      '#1 connection refused · RST from server',
      '#2 connection refused · RST from server',
    ]);
    const bad = await titles('crafted-synack-bad-ack/nn.trace');
    assert.equal(bad.length, 2);
    assert.match(bad[1]!, /^#2 handshake incomplete · reset by client · \d+ problems?$/);
  });
});
