// The custom requests packetTrace/connections and packetTrace/ladder (protocol/lsp.ts) answer with the
// documented shapes, agree with the CLI's JSON connections, and pick the connection asked for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONNECTIONS_METHOD,
  LADDER_METHOD,
  type ConnectionSummary,
  type LadderArrow,
  type LadderModel,
  type LadderText,
} from '../../protocol/lsp';
import { decodeModel } from '../../protocol/webview';
import { cliReport, fileUri, readTrace, tracePath } from '../helpers/lspClient';
import { lspSession } from '../helpers/lspSession';

const FILES = [
  'http-get-fin/nn.trace',
  'http-get-fin/v-nn.trace',
  'refused/nn.trace',
  'crafted-synack-bad-ack/nn.trace',
  'tcpdump-ssh/S-nn.trace',
  'keepalive/e-nn.trace',
  'bulk-loss-tx/nn.trace',
];

const session = lspSession('custom', FILES);
const { uriOf } = session;

const connections = (uri: string) => session.client.request<ConnectionSummary[]>(CONNECTIONS_METHOD, { uri });
const ladder = (params: { uri: string; connection?: number; line?: number }) =>
  session.client.request<LadderModel | null>(LADDER_METHOD, params);

const SUMMARY_KEYS = [
  'client',
  'clientGuessed',
  'firstLine',
  'handshake',
  'history',
  'id',
  'lastLine',
  'packets',
  'problems',
  'server',
  'teardown',
  'verdict',
  'zeekState',
];

function checkSummary(c: ConnectionSummary): void {
  assert.deepEqual(Object.keys(c).sort(), SUMMARY_KEYS);
  for (const k of ['id', 'firstLine', 'lastLine', 'packets', 'problems'] as const)
    assert.ok(Number.isInteger(c[k]) && c[k] >= 0, `${k} is a count or line`);
  for (const k of ['client', 'server', 'handshake', 'teardown', 'zeekState', 'history', 'verdict'] as const)
    assert.equal(typeof c[k], 'string', k);
  assert.equal(typeof c.clientGuessed, 'boolean');
  assert.ok(c.firstLine <= c.lastLine);
}

const KINDS = ['handshake', 'data', 'ack', 'fin', 'rst', 'other'];

function checkArrow(a: LadderArrow): void {
  assert.ok(Number.isInteger(a.line) && a.line >= 0);
  assert.ok(Number.isInteger(a.connection) && a.connection >= 1);
  assert.equal(typeof a.fromClient, 'boolean');
  assert.equal(typeof a.flags, 'string');
  assert.equal(typeof a.flagWords, 'string');
  assert.ok(Number.isInteger(a.len) && a.len >= 0);
  assert.ok(KINDS.includes(a.kind), a.kind);
  assert.ok(Array.isArray(a.findings) && a.findings.every((f) => typeof f === 'string'));
  assert.ok(Array.isArray(a.annotations) && a.annotations.every((f) => typeof f === 'string'));
  for (const k of ['time', 'seq', 'seqEnd', 'ack', 'relSeq', 'relAck', 'win', 'winBytes'] as const)
    assert.ok(a[k] === undefined || typeof a[k] === 'number', `${k} is a number when present`);
  for (const k of ['clientState', 'serverState'] as const)
    assert.ok(a[k] === undefined || typeof a[k] === 'string');
}

describe('packetTrace/connections', () => {
  test('the documented shape, for a known capture', async () => {
    const list = await connections(uriOf('http-get-fin/nn.trace'));
    assert.equal(list.length, 1);
    list.forEach(checkSummary);
    assert.deepEqual(list[0], {
      id: 1,
      client: '127.0.0.1:52052',
      server: '127.0.0.1:8080',
      clientGuessed: false,
      firstLine: 0,
      lastLine: 9,
      packets: 10,
      handshake: 'complete',
      teardown: 'fin',
      zeekState: 'SF',
      history: 'ShADadfF',
      verdict: 'handshake complete · closed by server FIN',
      problems: 0,
    });
  });

  for (const rel of FILES) {
    test(`agrees with the CLI's JSON connections: ${rel}`, async () => {
      const list = await connections(uriOf(rel));
      list.forEach(checkSummary);
      const cli = cliReport(tracePath(rel)).connections;
      assert.deepEqual(
        list.map((c) => ({
          id: c.id,
          client: c.client,
          server: c.server,
          firstLine: c.firstLine + 1,
          lastLine: c.lastLine + 1,
          packets: c.packets,
          handshake: c.handshake,
          teardown: c.teardown,
          zeekState: c.zeekState,
          history: c.history,
        })),
        cli,
      );
    });
  }

  test('problems count errors and warnings; a guessed client is flagged', async () => {
    const bad = await connections(uriOf('crafted-synack-bad-ack/nn.trace'));
    assert.equal(bad.length, 2);
    assert.equal(bad[0]!.problems, 0);
    assert.ok(bad[1]!.problems >= 2, 'bad-ack (error) and incomplete (warning)');

    const uri = fileUri('/custom/no-syn.trace');
    const midway = readTrace('http-get-fin/nn.trace').split('\n').slice(3).join('\n');
    await session.client.openAndWait(uri, midway);
    const guessed = await connections(uri);
    assert.equal(guessed.length, 1);
    assert.equal(guessed[0]!.clientGuessed, true);
    assert.equal(guessed[0]!.server, '127.0.0.1:8080', 'the lower / well-known port is the server');
    session.client.close(uri);
  });
});

describe('packetTrace/ladder', () => {
  test('the connection at a line', async () => {
    const uri = uriOf('refused/nn.trace');
    const m = await ladder({ uri, line: 3 });
    assert.ok(m);
    assert.deepEqual(Object.keys(m).sort(), ['arrows', 'connection', 'connections', 'uri', 'version']);
    assert.equal(m.uri, uri);
    assert.equal(m.version, 1);
    assert.equal(m.connection, 2);
    m.connections.forEach(checkSummary);
    assert.equal(m.connections.length, 2, 'all connections listed for the picker');
    m.arrows.forEach(checkArrow);
    assert.deepEqual(
      m.arrows.map((a) => [a.line, a.connection, a.fromClient, a.flags, a.kind]),
      [
        [2, 2, true, 'S', 'handshake'],
        [3, 2, false, 'R.', 'rst'],
      ],
    );
    assert.deepEqual(m.arrows[1]!.findings, ['handshake.refused']);
  });

  test('a connection by id, with states, numbers and findings', async () => {
    const uri = uriOf('crafted-synack-bad-ack/nn.trace');
    const m = await ladder({ uri, connection: 2 });
    assert.ok(m);
    assert.equal(m.connection, 2);
    m.arrows.forEach(checkArrow);
    assert.ok(m.arrows.every((a) => a.connection === 2));
    const [syn, synAck] = m.arrows;
    assert.equal(syn!.flagWords, 'SYN');
    assert.equal(syn!.seq, 1000000);
    assert.equal(syn!.clientState, 'SYN-SENT');
    assert.equal(syn!.time, 0, 'times count from the first arrow');
    assert.equal(synAck!.flagWords, 'SYN + ACK');
    assert.equal(synAck!.ack, 1001001);
    assert.ok(synAck!.findings.includes('handshake.bad-ack'));
    assert.ok(synAck!.findings.includes('handshake.incomplete'));
    for (let i = 1; i < m.arrows.length; i++) assert.ok(m.arrows[i]!.line > m.arrows[i - 1]!.line);
  });

  test('every connection when neither is given, in line order', async () => {
    const uri = uriOf('crafted-synack-bad-ack/nn.trace');
    const m = await ladder({ uri });
    assert.ok(m);
    assert.equal(m.connection, 0);
    assert.equal(m.arrows.length, 13);
    assert.deepEqual(new Set(m.arrows.map((a) => a.connection)), new Set([1, 2]));
    for (let i = 1; i < m.arrows.length; i++) assert.ok(m.arrows[i]!.line > m.arrows[i - 1]!.line);
  });

  test('scaled windows, -v record lines and sizes', async () => {
    const m = await ladder({ uri: uriOf('http-get-fin/v-nn.trace'), line: 7 });
    assert.ok(m);
    assert.equal(m.connection, 1);
    assert.equal(m.arrows.length, 10);
    m.arrows.forEach(checkArrow);
    const data = m.arrows.find((a) => a.kind === 'data');
    assert.ok(data);
    assert.equal(data.len, 99);
    assert.equal(data.seqEnd, (data.seq ?? 0) + 99);
    assert.equal(data.winBytes, (data.win ?? 0) * 1024, 'wscale 10');
    // Arrows point at the first (IP header) line of each record, in order.
    const lines = readTrace('http-get-fin/v-nn.trace').split('\n');
    assert.equal(m.arrows[0]!.line, 0);
    assert.ok(
      m.arrows.every((a) => /^\d\d:\d\d:\S+ IP \(tos/.test(lines[a.line]!)),
      'header lines',
    );
  });

  test('asText: the same model as JSON text, its fields beside it (what the VS Code client asks for)', async () => {
    const uri = uriOf('bulk-loss-tx/nn.trace');
    const model = await ladder({ uri, connection: 1 });
    const text = await session.client.request<LadderText | null>(LADDER_METHOD, {
      uri,
      connection: 1,
      asText: true,
    });
    assert.ok(model && text);
    assert.deepEqual(Object.keys(text).sort(), ['connection', 'connections', 'json', 'uri', 'version']);
    const { json, ...fields } = text;
    const { arrows, ...modelFields } = model;
    assert.deepEqual(fields, modelFields);
    const decoded = decodeModel(json);
    assert.equal(decoded.arrows.length, arrows.length);
    assert.deepEqual(decoded, model);
  });

  test('version follows edits', async () => {
    const uri = fileUri('/custom/versioned.trace');
    const text = readTrace('http-get-fin/nn.trace');
    await session.client.openAndWait(uri, text, 4);
    assert.equal((await ladder({ uri }))?.version, 4);
    session.client.change(uri, text.split('\n').slice(0, 3).join('\n'));
    const m = await ladder({ uri });
    assert.equal(m?.version, 5);
    assert.equal(m?.arrows.length, 3);
    session.client.close(uri);
  });

  test('unknown documents: no connections, no ladder', async () => {
    const uri = fileUri('/custom/never-opened.trace');
    assert.deepEqual(await connections(uri), []);
    assert.equal(await ladder({ uri }), null);
  });
});
