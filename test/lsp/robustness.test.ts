// Robustness: nothing a client sends kills the server. Garbage, a 1 MB line, a binary pcap, 50 edits in
// a row, unknown documents, positions outside the document, cancelled requests, malformed params and
// unknown methods: after each the server still answers a hover, and it shuts down cleanly at the end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, posOf, readTrace, splitLines, stopAll, tracePath } from '../helpers/lspClient';

let client: LspClient;
const PROBE = fileUri('/robust/probe.trace');
const PROBE_TEXT = readTrace('http-get-fin/nn.trace');

before(async () => {
  client = await LspClient.start();
  await client.openAndWait(PROBE, PROBE_TEXT);
});

after(async () => {
  try {
    // A clean shutdown (exit code 0) proves the server never crashed.
    await client.shutdown();
  } finally {
    await stopAll();
  }
});

/** The server is alive and still serves: a hover on the SYN-ACK's flags answers. */
async function stillAnswers(): Promise<void> {
  client.assertAlive();
  const h = await client.hover(PROBE, posOf(splitLines(PROBE_TEXT), 1, '[S.]', 1));
  assert.ok(h, 'hover still answers');
}

let n = 0;
const fresh = (name: string) => fileUri(`/robust/${++n}-${name}`);

describe('malformed documents', () => {
  test('garbage text', async () => {
    const uri = fresh('garbage.trace');
    const text =
      'lorem ipsum\n\u0000\u0001\u0002 > : Flags [\n[[[[ seq ack win\n    indented\n\uFFFD\uD800\n:::: > ::::\n';
    const p = await client.openAndWait(uri, text);
    assert.ok(Array.isArray(p.diagnostics));
    for (const d of p.diagnostics) assert.ok(d.range.start.line < splitLines(text).length);
    assert.equal(await client.hover(uri, { line: 2, character: 3 }).then(() => 'ok'), 'ok');
    await stillAnswers();
  });

  test('a 1 MB line', async () => {
    const uri = fresh('huge-line.trace');
    const p = await client.openAndWait(uri, `${'x'.repeat(1 << 20)}\n`);
    assert.ok(p.diagnostics.length <= 1);
    await stillAnswers();
  });

  test('a 1 MB packet line (a million option characters)', async () => {
    const uri = fresh('huge-packet.trace');
    const line = `10:00:00.000001 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, options [${'nop,'.repeat(262_144)}nop], length 0`;
    const p = await client.openAndWait(uri, `${line}\n`);
    assert.ok(Array.isArray(p.diagnostics));
    const h = await client.hover(uri, { line: 0, character: 30_000 });
    assert.ok(h === null || typeof h === 'object');
    await stillAnswers();
  });

  for (const encoding of ['latin1', 'utf8'] as const) {
    test(`a binary pcap read as ${encoding} text: one parse.binary-capture on line 1`, async () => {
      const uri = fresh(`capture-${encoding}.pcap`);
      const text = fs.readFileSync(tracePath('http-get-fin/capture.pcap')).toString(encoding);
      const p = await client.openAndWait(uri, text);
      assert.equal(p.diagnostics.length, 1, JSON.stringify(p.diagnostics.map((d) => d.code)));
      const d = p.diagnostics[0]!;
      assert.equal(d.code, 'parse.binary-capture');
      assert.equal(d.severity, 1);
      assert.equal(d.range.start.line, 0);
      assert.match(d.message, /tcpdump -nn -r/);
      await client.hover(uri, { line: 0, character: 0 });
      await client.documentSymbols(uri);
      await client.foldingRanges(uri);
      await stillAnswers();
    });
  }

  test('a pcapng header is recognised too', async () => {
    const uri = fresh('capture.pcapng');
    const shb = Buffer.from([
      0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0x00, 0x00, 0x00,
    ]);
    const p = await client.openAndWait(uri, shb.toString('latin1'));
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ['parse.binary-capture'],
    );
    await stillAnswers();
  });
});

describe('rapid edits', () => {
  test('50 didChange in a row: the last version is published, matching the last text', async () => {
    const uri = fresh('rapid.trace');
    const lines = readTrace('crafted-synack-bad-ack/nn.trace').split('\n');
    const since = client.mark();
    client.open(uri, '', 1);
    let text = '';
    let version = 1;
    for (let i = 0; i < 50; i++) {
      // Grow the trace line by line, alternating full-text and incremental changes.
      const next = lines[i % lines.length]!;
      if (i % 2 === 0) {
        text = `${text}${next}\n`;
        version = client.change(uri, text);
      } else {
        const end = splitLines(text).length - 1;
        version = client.change(uri, [
          {
            range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } },
            text: `${next}\n`,
          },
        ]);
        text = `${text}${next}\n`;
      }
    }
    assert.equal(version, 51);
    const last = await client.waitForDiagnostics(uri, { version: 51, since });
    // The same text opened fresh gives the same diagnostics: no edit was lost or misapplied.
    const reference = await client.openAndWait(fresh('rapid-reference.trace'), text);
    const strip = (d: Diagnostic) => ({
      code: d.code,
      range: d.range,
      severity: d.severity,
      message: d.message,
    });
    assert.deepEqual(last.diagnostics.map(strip), reference.diagnostics.map(strip));
    // Pushes for this document come in version order, and nothing stale follows the last one.
    await new Promise((r) => setTimeout(r, 400));
    const pushes: PublishDiagnosticsParams[] = client.diagnosticsLog
      .slice(since)
      .filter((p) => p.uri === uri);
    const versions = pushes.map((p) => p.version ?? -1);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      `versions in order: ${versions.join(',')}`,
    );
    assert.equal(versions[versions.length - 1], 51);
    assert.ok(pushes.length < 50, `debounced: ${pushes.length} pushes for 51 versions`);
    await stillAnswers();
  });
});

describe('requests that cannot be answered', () => {
  const unknown = fileUri('/robust/never-opened.trace');
  const range = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };

  test('unknown uris: empty answers, no errors', async () => {
    assert.equal(await client.hover(unknown, { line: 0, character: 0 }), null);
    assert.deepEqual((await client.inlayHints(unknown, range)) ?? [], []);
    assert.deepEqual((await client.documentSymbols(unknown)) ?? [], []);
    assert.deepEqual((await client.codeLenses(unknown)) ?? [], []);
    const def = await client.definition(unknown, { line: 0, character: 0 });
    assert.deepEqual(def ?? [], []);
    assert.deepEqual((await client.references(unknown, { line: 0, character: 0 })) ?? [], []);
    assert.deepEqual((await client.highlights(unknown, { line: 0, character: 0 })) ?? [], []);
    assert.deepEqual((await client.foldingRanges(unknown)) ?? [], []);
    assert.deepEqual((await client.codeActions(unknown, range)) ?? [], []);
    await stillAnswers();
  });

  test('positions outside the document', async () => {
    const far = { line: 1_000_000, character: 1_000_000 };
    const pastEnd = { line: 3, character: 100_000 };
    for (const pos of [far, pastEnd, { line: 2 ** 31 - 1, character: 2 ** 31 - 1 }]) {
      assert.equal(await client.hover(PROBE, pos), null);
      assert.deepEqual((await client.definition(PROBE, pos)) ?? [], []);
      const refs = (await client.references(PROBE, pos)) ?? [];
      assert.ok(
        pos === pastEnd ? refs.length === 10 : refs.length === 0,
        'a position past the line end is still on the line',
      );
      if (pos !== pastEnd) assert.deepEqual((await client.highlights(PROBE, pos)) ?? [], []);
    }
    const beyond = { start: far, end: { line: far.line + 10, character: 0 } };
    assert.deepEqual((await client.inlayHints(PROBE, beyond)) ?? [], []);
    assert.deepEqual((await client.codeActions(PROBE, beyond)) ?? [], []);
    const wide = await client.inlayHints(PROBE, { start: { line: 0, character: 0 }, end: far });
    assert.ok((wide ?? []).length > 0, 'a range running past the end still gives the hints inside');
    const lad = await client.request<{ connection: number } | null>('packetTrace/ladder', {
      uri: PROBE,
      line: far.line,
    });
    assert.equal(lad?.connection, 0, 'no connection at that line: all connections');
    await stillAnswers();
  });

  test('a cancelled request', async () => {
    const source = LspClient.cancellation();
    const pending = client
      .request(
        'textDocument/hover',
        { textDocument: { uri: PROBE }, position: { line: 1, character: 55 } },
        source.token,
      )
      .then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
    source.cancel();
    const outcome = await pending;
    if (!outcome.ok) {
      assert.ok(outcome.e instanceof ResponseError, String(outcome.e));
      assert.equal(outcome.e.code, -32800, 'RequestCancelled');
    }
    // Many cancelled at once.
    const many = Array.from({ length: 20 }, (_, i) => {
      const s = LspClient.cancellation();
      const p = client
        .request('textDocument/inlayHint', { textDocument: { uri: PROBE }, range }, s.token)
        .catch((e: unknown) => e);
      if (i % 2 === 0) s.cancel();
      return p;
    });
    await Promise.all(many);
    await stillAnswers();
  });

  test('changes and closes for documents never opened, malformed params, unknown methods', async () => {
    client.change(fileUri('/robust/ghost.trace'), 'text', 7);
    client.close(fileUri('/robust/ghost2.trace'));
    client.sendNotification('textDocument/didChange', { textDocument: { uri: PROBE } });
    client.sendNotification('$/unknownNotification', { x: 1 });
    const malformed = await client.request('textDocument/hover', {}).then(
      (r) => r,
      (e: unknown) => e,
    );
    assert.ok(malformed === null || malformed instanceof ResponseError);
    const missing = await client.request('packetTrace/nothing', {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(missing instanceof ResponseError);
    assert.equal(missing.code, -32601, 'MethodNotFound');
    await stillAnswers();
  });
});

describe('the test client', () => {
  test('a server killed in the middle of a message does not keep the client process alive', () => {
    // A child process opens a trace whose diagnostics push is megabytes long and kills the server as the
    // first chunk of it arrives. vscode-jsonrpc's reader re-arms a partial-message timer every 10 s while
    // a message is incomplete, forever, unless the client turns it off: then the child would never end.
    const script = `
      const { LspClient, fileUri } = require(${JSON.stringify(path.join(__dirname, '../helpers/lspClient.js'))});
      (async () => {
        const client = await LspClient.start();
        const line = '10:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq x, win 1, length 0\\n';
        client.child.stdout.once('data', () => client.child.kill('SIGKILL'));
        client.open(fileUri('/robust/killed-mid-push.trace'), line.repeat(30000));
        await new Promise((resolve) => client.child.once('exit', resolve));
        await client.kill();
        process.stdout.write('done');
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, null, `the client process was still alive after 30 s (stderr: ${r.stderr})`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'done');
  });
});
