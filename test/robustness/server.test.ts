// The real language server process (dist/server.js over stdio, through test/helpers/lspClient.ts):
//  - incremental edits: open a corpus trace, send random incremental didChange edits (valid LSP ranges,
//    some batched in one notification), wait for the diagnostics of the final version and compare them
//    with a fresh analysis of the final text (analyzeTrace, and the CLI for the first few); hovers on the
//    final version equal the ones computed from the final text;
//  - faults: requests cancelled mid-way leave no state behind (the next answers are those of a fresh
//    analysis); a document closed while its analysis is pending or running ends with an empty push and
//    nothing stale after it, and reopening it shows only the new text.
// (A server killed mid-session and restarted is the editor tier's.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ResponseError } from 'vscode-jsonrpc/node';
import type {
  Diagnostic,
  Hover,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/src/settings';
import { diagnostics } from '../../server/src/features/diagnostics';
import { hover } from '../../server/src/features/hover';
import { documentSymbols } from '../../server/src/features/symbols';
import { TraceIndex } from '../../server/src/features/traceIndex';
import { analyzeTrace } from '../../server/src/trace/index';
import { LspClient, SEVERITY_NUMBER, applyEdits, cliReport, fileUri, stopAll } from '../helpers/lspClient';
import {
  BUILTIN_LINES,
  HOSTILE_NUMBERS,
  corpusFiles,
  corpusLines,
  documentLines,
  smallCorpusFiles,
  SEED,
} from './support';

const SEQUENCES = Number(process.env.ROBUSTNESS_SERVER_SEQUENCES ?? 30);

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  try {
    await client.shutdown(60_000);
  } finally {
    await stopAll();
  }
});

/** What the server should publish for `text`: the features' diagnostics of a fresh analysis. */
function expectedDiagnostics(text: string, uri: string, version: number): Diagnostic[] {
  return diagnostics(new TraceIndex(analyzeTrace(text), uri, version), DEFAULT_SETTINGS);
}

const strip = (d: Diagnostic) => ({
  range: d.range,
  severity: d.severity,
  code: d.code,
  message: d.message,
  related: d.relatedInformation?.map((r) => ({ range: r.location.range, message: r.message })),
});

let docs = 0;
const freshUri = (name: string) => fileUri(`/robustness/server/${++docs}-${name}`);

/**
 * Waits until the server has sent every push it had scheduled for `uri`: a request round trip (the
 * server has handled everything sent before it), then a quiet period longer than the 150 ms debounce,
 * again while pushes keep coming.
 */
async function settle(uri: string, quietMs = 400): Promise<void> {
  let count = -1;
  for (let round = 0; round < 50; round++) {
    await client.hover(fileUri('/robustness/server/nothing.trace'), { line: 0, character: 0 });
    await new Promise((r) => setTimeout(r, quietMs));
    const now = client.diagnosticsLog.filter((p) => p.uri === uri).length;
    if (now === count) return;
    count = now;
  }
  assert.fail(`pushes for ${uri} never stopped`);
}

/** A text a little over `chars` long, of real packets when the corpus is there. */
function bigTrace(chars: number): string {
  const files = corpusFiles().filter((f) => f.rel.endsWith('/nn.trace'));
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < chars; i++) {
    const t = files.length ? files[i % files.length]!.text : `${BUILTIN_LINES.slice(0, 4).join('\n')}\n`;
    parts.push(t);
    len += t.length;
  }
  return parts.join('');
}

// ---- incremental edits ----

interface EditSpec {
  line: number;
  char: number;
  lines: number;
  endChar: number;
  insert: string;
  /** Sent in the same didChange as the previous edit. */
  batched: boolean;
}

const insertion = fc.oneof(
  fc.constant(''),
  fc.constantFrom('\n', '\r\n', ' ', ', ', ': ', ' > ', '[', ']', 'S.', '#', '\t', '\u0000', '😀', '٣'),
  fc.constantFrom(...corpusLines().slice(0, 3000)).map((l) => `${l}\n`),
  fc.constantFrom(...HOSTILE_NUMBERS.filter((n) => n.length < 40)),
  fc.string({ maxLength: 12 }),
);
const editSpec: fc.Arbitrary<EditSpec> = fc.record({
  line: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  char: fc.double({ min: 0, max: 1, noNaN: true }),
  lines: fc.oneof(fc.constant(0), fc.nat({ max: 3 })),
  endChar: fc.double({ min: 0, max: 1, noNaN: true }),
  insert: insertion,
  batched: fc.boolean(),
});

/** Turns specs into valid LSP changes against the evolving text; returns the final text too. */
function toChanges(
  text: string,
  specs: EditSpec[],
): { batches: TextDocumentContentChangeEvent[][]; text: string } {
  let doc = TextDocument.create('file:///x', 'packet-trace', 1, text);
  let current = text;
  const batches: TextDocumentContentChangeEvent[][] = [];
  for (const s of specs) {
    const lines = documentLines(current);
    const line = Math.floor(s.line * lines.length);
    const endLine = Math.min(lines.length - 1, line + s.lines);
    const start = { line, character: Math.floor(s.char * (lines[line]!.length + 1)) };
    let end = { line: endLine, character: Math.floor(s.endChar * (lines[endLine]!.length + 1)) };
    if (end.line === start.line && end.character < start.character) end = { ...start };
    const change = { range: { start, end }, text: s.insert };
    // The edit as the test client's helper applies it, and as the server's TextDocument does: the same.
    current = applyEdits(current, [{ range: change.range, newText: change.text }]);
    doc = TextDocument.update(doc, [change], doc.version + 1);
    assert.equal(doc.getText(), current, 'the two edit implementations agree');
    if (s.batched && batches.length) batches[batches.length - 1]!.push(change);
    else batches.push([change]);
  }
  return { batches, text: current };
}

describe('incremental edits on the real server', () => {
  const files = smallCorpusFiles(16_000);
  let sequences = 0;
  let edits = 0;

  test(`${SEQUENCES} random edit sequences: the final diagnostics equal a fresh analysis of the final text`, async (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files.map((f) => f.rel)),
        fc.array(editSpec, { minLength: 1, maxLength: 15 }),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.nat({ max: 200 })),
          {
            minLength: 3,
            maxLength: 3,
          },
        ),
        async (rel, specs, hovers) => {
          const original = files.find((f) => f.rel === rel)!.text;
          const { batches, text } = toChanges(original, specs);
          const uri = freshUri(rel.replace('/', '-'));
          const since = client.mark();
          client.open(uri, original, 1);
          let version = 1;
          for (const b of batches) version = client.change(uri, b);
          const p = await client.waitForDiagnostics(uri, { version, since, timeoutMs: 20_000 });
          assert.deepEqual(p.diagnostics.map(strip), expectedDiagnostics(text, uri, version).map(strip));
          // Requests on the final version answer from the final text.
          const index = new TraceIndex(analyzeTrace(text), uri, version);
          const lines = documentLines(text);
          for (const [lf, ch] of hovers) {
            const line = Math.floor(lf * lines.length);
            const position = { line, character: Math.min(ch, lines[line]!.length) };
            const got = await client.hover(uri, position);
            const want = hover(index, position.line, position.character, DEFAULT_SETTINGS);
            assert.deepEqual(
              JSON.parse(JSON.stringify(got)),
              JSON.parse(JSON.stringify(want)) as Hover | null,
            );
          }
          client.close(uri);
          sequences++;
          edits += specs.length;
        },
      ),
      { seed: SEED, numRuns: SEQUENCES, endOnFailure: true },
    );
    t.diagnostic(`${sequences} sequences, ${edits} edits`);
  });

  test('the CLI reports the same diagnostics as the server after edits', async (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-robust-cli-'));
    try {
      const samples = fc.sample(
        fc.tuple(
          fc.constantFrom(...files.map((f) => f.rel)),
          fc.array(editSpec, { minLength: 1, maxLength: 10 }),
        ),
        { seed: SEED, numRuns: 3 },
      );
      for (const [i, [rel, specs]] of samples.entries()) {
        const original = files.find((f) => f.rel === rel)!.text;
        const { batches, text } = toChanges(original, specs);
        const uri = freshUri(`cli-${i}.trace`);
        const since = client.mark();
        client.open(uri, original, 1);
        let version = 1;
        for (const b of batches) version = client.change(uri, b);
        const p = await client.waitForDiagnostics(uri, { version, since, timeoutMs: 20_000 });
        const file = path.join(dir, `edited-${i}.trace`);
        fs.writeFileSync(file, text);
        const fromCli = cliReport(file).diagnostics.map((d) => ({
          range: {
            start: { line: d.line - 1, character: d.column - 1 },
            end: { line: d.endLine - 1, character: d.endColumn - 1 },
          },
          severity: SEVERITY_NUMBER[d.severity],
          code: d.code,
          message: d.message,
        }));
        assert.deepEqual(
          p.diagnostics.map((d) => ({
            range: d.range,
            severity: d.severity,
            code: d.code,
            message: d.message,
          })),
          fromCli,
        );
        client.close(uri);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- faults ----

describe('faults', () => {
  const BIG = bigTrace(3_000_000);

  test('requests cancelled mid-way leave no state behind', async () => {
    const uri = freshUri('cancel.trace');
    await client.openAndWait(uri, BIG);
    await settle(uri);
    // An edit makes the next request analyse again; cancel requests while that analysis runs.
    const lines = documentLines(BIG);
    const edited = `${lines[0]}\n${BIG}`;
    const version = client.change(uri, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${lines[0]}\n` },
    ]);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const source = LspClient.cancellation();
        const position = { line: 1 + i * 37, character: 30 };
        const pending = client
          .request<Hover | null>(
            'textDocument/hover',
            { textDocument: { uri }, position },
            source.token,
            30_000,
          )
          .then(
            (r) => ({ ok: true as const, r, position }),
            (e: unknown) => ({ ok: false as const, e, position }),
          );
        // Cancel some at once, some after a moment (while the server analyses).
        if (i % 3 === 0) source.cancel();
        else if (i % 3 === 1) setTimeout(() => source.cancel(), 5 * i);
        return pending;
      }),
    );
    const index = new TraceIndex(analyzeTrace(edited), uri, version);
    for (const o of outcomes) {
      if (o.ok) {
        // Answered before the cancellation arrived: it must be the answer for the edited text.
        const want = hover(index, o.position.line, o.position.character, DEFAULT_SETTINGS);
        assert.deepEqual(JSON.parse(JSON.stringify(o.r)), JSON.parse(JSON.stringify(want)));
      } else {
        assert.ok(o.e instanceof ResponseError, String(o.e));
        assert.equal(o.e.code, -32800, 'RequestCancelled');
      }
    }
    // Nothing stale: the next answers and the diagnostics are those of a fresh analysis of the edited text.
    for (const line of [1, 2, 500, lines.length - 3]) {
      const got = await client.hover(uri, { line, character: 40 });
      assert.deepEqual(
        JSON.parse(JSON.stringify(got)),
        JSON.parse(JSON.stringify(hover(index, line, 40, DEFAULT_SETTINGS))),
      );
    }
    const symbols = await client.documentSymbols(uri);
    assert.equal(symbols?.length, documentSymbols(index).length);
    const p = await client.waitForDiagnostics(uri, { version, timeoutMs: 30_000 });
    assert.deepEqual(p.diagnostics.map(strip), expectedDiagnostics(edited, uri, version).map(strip));
    await settle(uri);
    client.close(uri);
    await settle(uri);
  });

  test('a document closed while its diagnostics are pending: one empty push last, nothing stale', async () => {
    const uri = freshUri('closed-pending.trace');
    await client.openAndWait(uri, BIG);
    await settle(uri);
    const since = client.mark();
    // Edit (diagnostics are debounced), then close before they are due.
    client.change(uri, `${BIG}\n${BIG.slice(0, 100_000)}`);
    client.close(uri);
    await settle(uri);
    const pushes = client.diagnosticsLog.slice(since).filter((p) => p.uri === uri);
    assert.ok(pushes.length >= 1, 'the close clears the diagnostics');
    assert.deepEqual(pushes[pushes.length - 1]!.diagnostics, [], 'the last push is empty');
    // Requests for the closed document answer empty.
    assert.equal(await client.hover(uri, { line: 1, character: 40 }), null);
    assert.deepEqual((await client.documentSymbols(uri)) ?? [], []);
  });

  test('a document closed while its first analysis runs: the empty push comes last', async () => {
    const uri = freshUri('closed-running.trace');
    const since = client.mark();
    client.open(uri, `${BIG}${BIG}`, 1);
    client.close(uri);
    await settle(uri);
    const pushes: PublishDiagnosticsParams[] = client.diagnosticsLog
      .slice(since)
      .filter((p) => p.uri === uri);
    assert.ok(pushes.length >= 1);
    assert.deepEqual(pushes[pushes.length - 1]!.diagnostics, [], 'the last push is empty');
  });

  test('reopening a closed document with other text at the same version shows only the new text', async () => {
    const uri = freshUri('reopened.trace');
    await client.openAndWait(uri, BIG, 1);
    await client.hover(uri, { line: 1, character: 40 });
    await settle(uri);
    client.close(uri);
    const small =
      corpusFiles().find((f) => f.rel === 'crafted-synack-bad-ack/nn.trace')?.text ??
      `${BUILTIN_LINES.slice(0, 3).join('\n')}\n`;
    const p = await client.openAndWait(uri, small, 1);
    assert.deepEqual(p.diagnostics.map(strip), expectedDiagnostics(small, uri, 1).map(strip));
    const index = new TraceIndex(analyzeTrace(small), uri, 1);
    for (const line of [0, 1, 2]) {
      const got = await client.hover(uri, { line, character: 45 });
      assert.deepEqual(
        JSON.parse(JSON.stringify(got)),
        JSON.parse(JSON.stringify(hover(index, line, 45, DEFAULT_SETTINGS))),
      );
    }
    await settle(uri);
    client.close(uri);
  });

  test('open, change and close of many documents at once: every one ends empty, the server still answers', async () => {
    const since = client.mark();
    const uris = Array.from({ length: 20 }, (_, i) => freshUri(`storm-${i}.trace`));
    const text = bigTrace(50_000);
    for (const [i, uri] of uris.entries()) {
      client.open(uri, text, 1);
      client.change(uri, text.slice(0, (i + 1) * 1000));
      if (i % 2 === 0) client.close(uri);
    }
    for (const [i, uri] of uris.entries()) if (i % 2 === 1) client.close(uri);
    await settle(uris[uris.length - 1]!);
    for (const uri of uris) {
      const pushes = client.diagnosticsLog.slice(since).filter((p) => p.uri === uri);
      assert.deepEqual(pushes[pushes.length - 1]?.diagnostics, [], `${uri} ends empty`);
    }
    client.assertAlive();
  });
});
