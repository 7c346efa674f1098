// Diagnostics are pushed (textDocument/publishDiagnostics with the document's version) and say exactly
// what the CLI says for the same file: code, 1-based line/column -> 0-based range, severity words ->
// DiagnosticSeverity, message; source 'packet-trace'; related locations where the finding has them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import {
  LspClient,
  SEVERITY_NUMBER,
  cliReport,
  fileUri,
  hoverText,
  posOf,
  readTrace,
  splitLines,
  stopAll,
  tracePath,
} from '../helpers/lspClient';

after(stopAll);

/** A mix of renderings (nn, vv-nn, A-nn, S-nn, e-nn, default, v-nn, X-nn, tttt-nn, q-nn) and crafted captures. */
const RENDERINGS = [
  'crafted-synack-bad-ack/nn.trace',
  'crafted-synack-bad-ack/A-nn.trace',
  'http-get-fin/nn.trace',
  'http-get-fin/vv-nn.trace',
  'tcpdump-ssh/nn.trace',
  'tcpdump-ssh/vv-nn.trace',
  'bulk-loss-tx/nn.trace',
  'bulk-loss-tx/S-nn.trace',
  'keepalive/e-nn.trace',
  'refused/default.trace',
  'crafted-fin-unacked/S-nn.trace',
  'crafted-data-before-established/default.trace',
  'crafted-zero-window-probe/v-nn.trace',
  'crafted-simultaneous-open/tttt-nn.trace',
  'capture-gap/X-nn.trace',
  'zero-window/A-nn.trace',
  'half-close/q-nn.trace',
  'test/fixtures/malformed-line.trace',
  'examples/seed-handshake.trace',
];

const cliCache = new Map<string, ReturnType<typeof cliReport>>();
function cli(rel: string) {
  let r = cliCache.get(rel);
  if (!r) cliCache.set(rel, (r = cliReport(tracePath(rel))));
  return r;
}

/** The CLI's diagnostics in LSP form. */
function expectedFromCli(rel: string) {
  return cli(rel).diagnostics.map((d) => ({
    code: d.code,
    range: {
      start: { line: d.line - 1, character: d.column - 1 },
      end: { line: d.endLine - 1, character: d.endColumn - 1 },
    },
    severity: SEVERITY_NUMBER[d.severity],
    message: d.message,
  }));
}

function comparable(d: Diagnostic) {
  return { code: d.code, range: d.range, severity: d.severity, message: d.message };
}

describe('diagnostics equal the CLI for corpus renderings', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.shutdown();
  });

  for (const rel of RENDERINGS) {
    test(rel, async () => {
      const uri = fileUri(`/corpus/${rel}`);
      const pushed = await client.openAndWait(uri, readTrace(rel), 3);
      assert.equal(pushed.version, 3, 'the push carries the document version');
      const expected = expectedFromCli(rel);
      assert.deepEqual(pushed.diagnostics.map(comparable), expected);
      for (const d of pushed.diagnostics) assert.equal(d.source, 'packet-trace');
      client.close(uri);
    });
  }

  test('the selection covers at least 8 renderings with findings, of every severity', () => {
    const withFindings = RENDERINGS.filter((r) => cli(r).diagnostics.length > 0);
    assert.ok(withFindings.length >= 8, `${withFindings.length} renderings with findings`);
    const severities = new Set(RENDERINGS.flatMap((r) => cli(r).diagnostics.map((d) => d.severity)));
    assert.deepEqual([...severities].sort(), ['error', 'hint', 'information', 'warning']);
  });
});

describe('related information', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.shutdown();
  });

  test('handshake.bad-ack points at the SYN it answers', async () => {
    const rel = 'crafted-synack-bad-ack/nn.trace';
    const uri = fileUri(`/corpus/${rel}`);
    const lines = splitLines(readTrace(rel));
    const { diagnostics } = await client.openAndWait(uri, readTrace(rel));
    const bad = diagnostics.find((d) => d.code === 'handshake.bad-ack');
    assert.ok(bad, 'handshake.bad-ack reported');
    assert.equal(bad.severity, 1);
    assert.equal(
      lines[bad.range.start.line]!.slice(bad.range.start.character, bad.range.end.character),
      '1001001',
    );
    const related = bad.relatedInformation ?? [];
    assert.ok(related.length >= 1, 'related information present');
    const syn = related[0]!;
    assert.equal(syn.location.uri, uri);
    assert.ok(syn.location.range.start.line < bad.range.start.line, 'the SYN comes before the SYN-ACK');
    assert.match(lines[syn.location.range.start.line]!, /Flags \[S\]/, 'related location is the SYN');
    assert.match(syn.message, /SYN/);
  });

  test('tcp.retransmission points at the original segment', async () => {
    const rel = 'tcpdump-ssh/nn.trace';
    const uri = fileUri(`/corpus/${rel}`);
    const lines = splitLines(readTrace(rel));
    const { diagnostics } = await client.openAndWait(uri, readTrace(rel));
    const retrans = diagnostics.find((d) => d.code === 'tcp.retransmission');
    assert.ok(retrans, 'tcp.retransmission reported');
    assert.equal(retrans.range.start.line, 48, 'on line 49');
    assert.equal(retrans.severity, 3);
    const related = retrans.relatedInformation ?? [];
    assert.ok(related.length >= 1, 'related information present');
    const original = related[0]!;
    assert.equal(original.location.uri, uri);
    assert.equal(original.location.range.start.line, 44, 'the original seq 5186 is on line 45');
    assert.match(lines[44]!, /seq 5186:/);
    assert.ok(original.message.length > 0);
  });
});

describe('push and synchronisation', () => {
  afterEach(stopAll);

  test('open, incremental change and close each push diagnostics for the right version', async () => {
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/clean.trace');
    const text = readTrace('test/fixtures/clean-handshake-fin.trace');
    const lines = splitLines(text);

    const opened = await client.openAndWait(uri, text, 5);
    assert.equal(opened.version, 5);
    assert.deepEqual(opened.diagnostics, [], 'a clean connection has no findings');

    // An incremental edit: the SYN-ACK's ack 1001 becomes 1005.
    const at = posOf(lines, 2, 'ack 1001', 4);
    const changed = await client.changeAndWait(uri, [
      { range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: '1005' },
    ]);
    assert.equal(changed.version, 6);
    const bad = changed.diagnostics.find((d) => d.code === 'handshake.bad-ack');
    assert.ok(bad, 'the incremental edit was applied and re-analysed');
    assert.deepEqual(bad.range, { start: at, end: { line: at.line, character: at.character + 4 } });

    // A second incremental edit that puts it back.
    const fixed = await client.changeAndWait(uri, [
      { range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: '1001' },
    ]);
    assert.equal(fixed.version, 7);
    assert.deepEqual(fixed.diagnostics, []);

    // Closing the document clears its diagnostics.
    const since = client.mark();
    client.close(uri);
    const cleared = await client.waitForDiagnostics(uri, { since });
    assert.deepEqual(cleared.diagnostics, []);
    await client.shutdown();
  });

  test('edits past a tracking checkpoint of a long connection give what a fresh open gives', async () => {
    // 1 354 segments in one connection: tracking keeps a checkpoint at segment 1 024, and an edit
    // after it is re-tracked from there (trace/checkpoints.ts).
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/long.trace');
    let lines = splitLines(readTrace('bulk-loss-tx/nn.trace'));
    await client.openAndWait(uri, `${lines.join('\n')}\n`);
    const edits: Array<[RegExp, (m: string) => string]> = [
      [/ win (\d+)/, (n) => String(Number(n) + 3)], // a window: no number changes
      [/ win (\d+)/, () => '0'], // a zero window
      [/ ack (\d+)/, (n) => String(Number(n) + 1448)], // its own ack: re-numbered, then re-tracked
      [/ ack (\d+)/, (n) => String(Number(n) - 1)],
    ];
    let line = 1100;
    for (const [k, [pattern, replace]] of edits.entries()) {
      while (!pattern.test(lines[line]!)) line++;
      const m = pattern.exec(lines[line]!)!;
      const start = m.index + m[0].length - m[1]!.length;
      const text = replace(m[1]!);
      const changed = await client.changeAndWait(uri, [
        {
          range: { start: { line, character: start }, end: { line, character: start + m[1]!.length } },
          text,
        },
      ]);
      lines = [...lines];
      lines[line] = lines[line]!.slice(0, start) + text + lines[line]!.slice(start + m[1]!.length);
      const freshUri = fileUri(`/tmp/lsp-sync/long-fresh-${k}.trace`);
      assert.deepEqual(
        changed.diagnostics,
        await client.freshDiagnostics(uri, freshUri, `${lines.join('\n')}\n`),
        `edit ${k} of line ${line + 1}`,
      );
      assert.ok(changed.diagnostics.length > 0);
      line += 37;
    }
    await client.shutdown();
  });

  // Annotating a trace: a new line in the middle (Enter), a note typed on it, the line taken away
  // again. Each is re-analysed without reading the whole text again (trace/incremental/), and the
  // diagnostics below move with their lines, as a fresh open places them; so do hovers. The same in
  // a file saved on Windows, whose line breaks (the editor's new line too) are \r\n.
  for (const eol of ['\n', '\r\n']) {
    test(`a line added, a note typed on it, the line taken away: as a fresh open of each text (${JSON.stringify(eol)})`, async () => {
      const client = await LspClient.start();
      const uri = fileUri('/tmp/lsp-sync/annotated.trace');
      let lines = splitLines(readTrace('bulk-loss-tx/nn.trace'));
      await client.openAndWait(uri, `${lines.join(eol)}${eol}`);
      const line = 700;
      const width = lines[line]!.length;
      const edits = [
        { range: { start: { line, character: width }, end: { line, character: width } }, text: eol },
        {
          range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } },
          text: '# the sender stalls here',
        },
        { range: { start: { line, character: width }, end: { line: line + 1, character: 24 } }, text: '' },
      ];
      const texts = [
        [...lines.slice(0, line + 1), '', ...lines.slice(line + 1)],
        [...lines.slice(0, line + 1), '# the sender stalls here', ...lines.slice(line + 1)],
        lines,
      ];
      for (const [k, edit] of edits.entries()) {
        const changed = await client.changeAndWait(uri, [edit]);
        lines = texts[k]!;
        const freshUri = fileUri(`/tmp/lsp-sync/annotated-fresh-${k}.trace`);
        assert.deepEqual(
          changed.diagnostics,
          await client.freshDiagnostics(uri, freshUri, `${lines.join(eol)}${eol}`),
          `edit ${k}`,
        );
        assert.ok(changed.diagnostics.some((d) => d.range.start.line > line + 1));
        // A packet below the edit: its flags' hover, where the fresh open has it.
        const below = lines.findIndex((l, i) => i > line + 5 && l.includes('Flags ['));
        const position = { line: below, character: lines[below]!.indexOf('Flags [') + 7 };
        assert.deepEqual(
          await client.hover(uri, position),
          await client.hover(freshUri, position),
          `hover ${k}`,
        );
      }
      await client.shutdown();
    });
  }

  // An edit that keeps the line count but not where records are: a -v packet's TCP line made a packet
  // line of its own (its IP line is left without one). Every record below is numbered again: hovers
  // below it must find their records anew, not through the line map made before.
  test('a -v packet line split into two packets: hovers below as a fresh open', async () => {
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/split.trace');
    const lines = splitLines(readTrace('bulk-loss-tx/v-nn.trace'));
    await client.openAndWait(uri, `${lines.join('\n')}\n`);
    const below = lines.findIndex((l, i) => i > 600 && l.includes('Flags ['));
    const position = { line: below, character: lines[below]!.indexOf('Flags [') + 7 };
    await client.hover(uri, position);
    const tcp = lines.findIndex((l, i) => i > 300 && l.startsWith('    ') && l.includes('Flags ['));
    const time = lines[tcp - 1]!.slice(0, lines[tcp - 1]!.indexOf(' '));
    const changed = await client.changeAndWait(uri, [
      {
        range: { start: { line: tcp, character: 0 }, end: { line: tcp, character: 4 } },
        text: `${time} IP `,
      },
    ]);
    lines[tcp] = `${time} IP ${lines[tcp]!.slice(4)}`;
    const freshUri = fileUri('/tmp/lsp-sync/split-fresh.trace');
    assert.deepEqual(
      changed.diagnostics,
      await client.freshDiagnostics(uri, freshUri, `${lines.join('\n')}\n`),
    );
    assert.deepEqual(await client.hover(uri, position), await client.hover(freshUri, position));
    await client.shutdown();
  });

  // A capture written to the file while it is open: lines appended at the end, twice; then the undo
  // of the last paste and a cut, from the editor's empty last line back.
  test('packet lines appended at the end, then taken away: as a fresh open of each text', async () => {
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/growing.trace');
    const all = splitLines(readTrace('bulk-loss-tx/nn.trace'));
    let shown = 600;
    await client.openAndWait(uri, `${all.slice(0, shown).join('\n')}\n`);
    for (const more of [300, all.length - 900]) {
      const end = { line: shown, character: 0 };
      const changed = await client.changeAndWait(uri, [
        { range: { start: end, end }, text: `${all.slice(shown, shown + more).join('\n')}\n` },
      ]);
      shown += more;
      const freshUri = fileUri(`/tmp/lsp-sync/growing-fresh-${shown}.trace`);
      assert.deepEqual(
        changed.diagnostics,
        await client.freshDiagnostics(uri, freshUri, `${all.slice(0, shown).join('\n')}\n`),
        `${shown} lines`,
      );
    }
    for (const keep of [900, 750]) {
      const changed = await client.changeAndWait(uri, [
        { range: { start: { line: keep, character: 0 }, end: { line: shown, character: 0 } }, text: '' },
      ]);
      shown = keep;
      const freshUri = fileUri(`/tmp/lsp-sync/shrinking-fresh-${shown}.trace`);
      assert.deepEqual(
        changed.diagnostics,
        await client.freshDiagnostics(uri, freshUri, `${all.slice(0, shown).join('\n')}\n`),
        `${shown} lines`,
      );
    }
    await client.shutdown();
  });

  test('diagnostics arrive without any request from the client (push model)', async () => {
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/bad.trace');
    client.open(uri, readTrace('test/fixtures/bad-synack-ack.trace'));
    const pushed = await client.waitForDiagnostics(uri, { version: 1 });
    assert.ok(pushed.diagnostics.some((d) => d.code === 'handshake.bad-ack'));
    // Nothing but initialize was requested.
    await client.shutdown();
  });

  test('a hover and an edit sent with didOpen, before the rest of the analysis is made, get it', async () => {
    // The diagnostics come from an analysis of the findings alone, and the rest (endpoint states,
    // which the hover shows; the checkpoints an edit re-tracks from) is made next
    // (server/src/documentCache.ts): a request or an edit that comes first makes it.
    const client = await LspClient.start();
    const uri = fileUri('/tmp/lsp-sync/at-once.trace');
    const text = readTrace('http-get-fin/nn.trace');
    const lines = splitLines(text);
    client.open(uri, text);
    const hover = client.hover(uri, posOf(lines, 1, '[S.]'));
    // The SYN-ACK's ack one too far: a bad handshake ack, found by re-tracking that connection.
    const col = lines[1]!.indexOf('ack 1149653125') + 4;
    const edited = client.changeAndWait(uri, [
      {
        range: { start: { line: 1, character: col }, end: { line: 1, character: col + 10 } },
        text: '1149653126',
      },
    ]);
    const text1 = hoverText((await hover)!);
    assert.ok(text1.includes('SYN-SENT → ESTABLISHED'), text1);
    const changed = await edited;
    assert.ok(changed.diagnostics.some((d) => d.code === 'handshake.bad-ack'));
    lines[1] = lines[1]!.replace('ack 1149653125', 'ack 1149653126');
    const freshUri = fileUri('/tmp/lsp-sync/at-once-fresh.trace');
    assert.deepEqual(
      changed.diagnostics,
      await client.freshDiagnostics(uri, freshUri, `${lines.join('\n')}\n`),
    );
    await client.shutdown();
  });

  test('documents with CRLF line endings map to the same lines and columns', async () => {
    const client = await LspClient.start();
    const rel = 'crafted-synack-bad-ack/nn.trace';
    const uri = fileUri('/tmp/lsp-sync/crlf.trace');
    const lf = await client.openAndWait(fileUri('/tmp/lsp-sync/lf.trace'), readTrace(rel));
    const crlf = await client.openAndWait(uri, readTrace(rel).replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf.diagnostics.map(comparable), lf.diagnostics.map(comparable));
    await client.shutdown();
  });
});
