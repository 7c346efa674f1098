// Quick fixes: for each fixable diagnostic, ask for code actions on its range, apply the returned
// WorkspaceEdit to the text here, send the new full text with didChange, and check the new diagnostics:
// the fixed diagnostic is gone and no new error appeared.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import {
  LspClient,
  applyEdits,
  editsFor,
  fileUri,
  readTrace,
  splitLines,
  stopAll,
} from '../helpers/lspClient';

let client: LspClient;
let n = 0;

before(async () => {
  client = await LspClient.start();
});

after(async () => {
  try {
    await client.shutdown();
  } finally {
    await stopAll();
  }
});

const CLEAN = readTrace('test/fixtures/clean-handshake-fin.trace');
const CLEAN_LINES = CLEAN.split('\n');
const SEED = readTrace('examples/seed-handshake.trace');
const SEED_LINES = SEED.split('\n');

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `'${from}' occurs exactly once`);
  return text.replace(from, to);
}

const key = (d: Diagnostic) => `${d.code}@${d.range.start.line}`;

interface FixCase {
  name: string;
  text: string;
  code: string;
  /** 0-based line of the diagnostic to fix. */
  line: number;
  /** What the fixed text must contain (the repaired or inserted line). */
  expectLine?: RegExp;
  /** The 0-based line the expected line lands on. */
  expectAt?: number;
}

// A long packet line wrapped by a mail or a ticket, in the middle of a word and at a space it ate.
const WRAPPED = CLEAN_LINES[1]!;
const WRAP_AT = WRAPPED.indexOf(' win ') + 3;

const CASES: FixCase[] = [
  {
    name: 'parse.joined-packets: a paste that lost its line breaks, split again',
    text: `${CLEAN_LINES.filter((l) => l && !l.startsWith('#')).join(' ')}\n`,
    code: 'parse.joined-packets',
    line: 0,
    expectLine: new RegExp(`^${CLEAN_LINES[2]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    expectAt: 1,
  },
  {
    name: 'parse.unknown-line on the rest of a wrapped packet line: joined again',
    text: [CLEAN_LINES[0]!, WRAPPED.slice(0, WRAP_AT), WRAPPED.slice(WRAP_AT), ...CLEAN_LINES.slice(2)].join(
      '\n',
    ),
    code: 'parse.unknown-line',
    line: 2,
    expectLine: new RegExp(`^${WRAPPED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    expectAt: 1,
  },
  {
    name: 'parse.malformed-line on a packet line wrapped at a space: joined again with the space',
    text: [
      CLEAN_LINES[0]!,
      WRAPPED.slice(0, WRAP_AT + 1),
      WRAPPED.slice(WRAP_AT + 2),
      ...CLEAN_LINES.slice(2),
    ].join('\n'),
    code: 'parse.malformed-line',
    line: 1,
    expectLine: new RegExp(`^${WRAPPED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    expectAt: 1,
  },
  {
    name: 'handshake.bad-ack on a SYN-ACK (fixture)',
    text: readTrace('test/fixtures/bad-synack-ack.trace'),
    code: 'handshake.bad-ack',
    line: 2,
    expectLine: /Flags \[S\.\], seq 5000, ack 1001,/,
    expectAt: 2,
  },
  {
    name: 'handshake.bad-ack on a SYN-ACK (crafted corpus capture)',
    text: readTrace('crafted-synack-bad-ack/nn.trace'),
    code: 'handshake.bad-ack',
    line: 11,
    expectLine: /Flags \[S\.\], seq 7000000, ack 1000001,/,
    expectAt: 11,
  },
  {
    name: 'handshake.bad-ack on a SYN-ACK, tcpdump 3.x form',
    text: replaceOnce(SEED, 'ack 3626544837', 'ack 3626544838'),
    code: 'handshake.bad-ack',
    line: 3,
    expectLine: /: S 1415531521:1415531521\(0\) ack 3626544837 win/,
    expectAt: 3,
  },
  {
    name: 'handshake.bad-ack on the third ACK',
    text: replaceOnce(CLEAN, 'Flags [.], ack 1, win 502', 'Flags [.], ack 2, win 502'),
    code: 'handshake.bad-ack',
    line: 3,
    expectLine: /Flags \[\.\], ack 1, win 502/,
    expectAt: 3,
  },
  {
    name: 'teardown.bad-fin-ack: past the FIN',
    text: replaceOnce(CLEAN, 'Flags [.], ack 12,', 'Flags [.], ack 13,'),
    code: 'teardown.bad-fin-ack',
    line: 10,
    expectLine: /Flags \[\.\], ack 12,/,
    expectAt: 10,
  },
  {
    name: 'teardown.bad-fin-ack: stops short of the FIN',
    text: replaceOnce(CLEAN, 'Flags [F.], seq 11, ack 22', 'Flags [F.], seq 11, ack 21'),
    code: 'teardown.bad-fin-ack',
    line: 9,
    expectLine: /Flags \[F\.\], seq 11, ack 22,/,
    expectAt: 9,
  },
  {
    name: 'handshake.incomplete: insert the final ACK (modern form)',
    text: `${CLEAN_LINES.slice(0, 3).join('\n')}\n`,
    code: 'handshake.incomplete',
    line: 2,
    expectLine:
      /^10:00:00\.000101 IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80: Flags \[\.\], ack 1, win \d+, length 0$/,
    expectAt: 3,
  },
  {
    name: 'handshake.incomplete: modern form, SYN-ACK followed by other packets',
    text: `${CLEAN_LINES.slice(0, 3).join('\n')}\n${readTrace('test/fixtures/warnings-only.trace').split('\n')[1]!.replace('10:00:00.000001', '10:00:00.000301')}\n`,
    code: 'handshake.incomplete',
    line: 2,
    expectLine:
      /^10:00:00\.000101 IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80: Flags \[\.\], ack 1, win \d+, length 0$/,
    expectAt: 3,
  },
  {
    name: 'handshake.incomplete: modern form, SYN-ACK last line without a trailing newline',
    text: CLEAN_LINES.slice(0, 3).join('\n'),
    code: 'handshake.incomplete',
    line: 2,
    expectLine:
      /^10:00:00\.000101 IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80: Flags \[\.\], ack 1, win \d+, length 0$/,
    expectAt: 3,
  },
  {
    name: 'handshake.incomplete: tcpdump 3.x form',
    text: `${SEED_LINES.slice(0, 4).join('\n')}\n`,
    code: 'handshake.incomplete',
    line: 3,
    expectLine: /^IP 192\.168\.1\.116\.3337 > 192\.168\.1\.123\.7788: \. ack 1 win \d+$/,
    expectAt: 4,
  },
  {
    name: 'handshake.incomplete: tcpdump 3.x form, SYN-ACK last line without a trailing newline',
    text: SEED_LINES.slice(0, 4).join('\n'),
    code: 'handshake.incomplete',
    line: 3,
    expectLine: /^IP 192\.168\.1\.116\.3337 > 192\.168\.1\.123\.7788: \. ack 1 win \d+$/,
    expectAt: 4,
  },
  {
    name: 'handshake.incomplete: -S absolute numbers (S-nn) get an absolute ack',
    text: readTrace('crafted-synack-bad-ack/S-nn.trace'),
    code: 'handshake.incomplete',
    line: 11,
    expectLine: /Flags \[\.\], ack 7000001, win \d+, length 0$/,
    expectAt: 12,
  },
  {
    name: 'handshake.incomplete: -v records',
    text: readTrace('crafted-synack-bad-ack/v-nn.trace'),
    code: 'handshake.incomplete',
    line: 33,
  },
];

async function quickFixFor(uri: string, diag: Diagnostic): Promise<CodeAction> {
  const actions = (await client.codeActions(uri, diag.range, [diag])) ?? [];
  const fixes = actions.filter((a): a is CodeAction => 'kind' in a && a.kind === 'quickfix');
  const fix = fixes.find((a) => a.diagnostics?.some((d) => d.code === diag.code));
  assert.ok(fix, `a quickfix for ${diag.code}: ${JSON.stringify(actions)}`);
  assert.ok(fix.title.length > 0);
  assert.ok(fix.edit, 'the fix carries its edit (no resolve step)');
  return fix;
}

describe('quick fixes remove their diagnostic', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const uri = fileUri(`/tmp/lsp-fixes/case-${++n}.trace`);
      const before: PublishDiagnosticsParams = await client.openAndWait(uri, c.text);
      const diag = before.diagnostics.find((d) => d.code === c.code && d.range.start.line === c.line);
      assert.ok(diag, `${c.code} on line ${c.line + 1}: ${JSON.stringify(before.diagnostics.map(key))}`);

      const fix = await quickFixFor(uri, diag);
      assert.equal(fix.isPreferred, true, 'the only fix is the preferred one');
      const edits = editsFor(fix.edit, uri);
      assert.ok(edits.length > 0, 'edits for this document');
      const fixed = applyEdits(c.text, edits);
      assert.notEqual(fixed, c.text);
      if (c.expectLine) {
        const lines = splitLines(fixed);
        const at = c.expectAt ?? lines.findIndex((l) => c.expectLine!.test(l));
        assert.match(lines[at] ?? '', c.expectLine, `line ${at + 1} of the fixed text:\n${fixed}`);
      }

      const after = await client.changeAndWait(uri, fixed);
      assert.ok(
        !after.diagnostics.some((d) => d.code === c.code),
        `${c.code} gone after the fix: ${JSON.stringify(after.diagnostics.map(key))}`,
      );
      const errorsBefore = new Set(before.diagnostics.filter((d) => d.severity === 1).map((d) => d.code));
      const newErrors = after.diagnostics.filter(
        (d) => d.severity === 1 && !errorsBefore.has(d.code as string),
      );
      assert.deepEqual(newErrors.map(key), [], 'no new error');
      assert.ok(
        after.diagnostics.filter((d) => d.severity === 1).length <=
          before.diagnostics.filter((d) => d.severity === 1).length,
        'no more errors than before',
      );
      client.close(uri);
    });
  }
});

describe('every wrapped line at once', () => {
  test('a trace folded at 60 columns: one action joins all its lines again, and the trace is clean', async () => {
    const original = CLEAN_LINES.filter((l) => l && !l.startsWith('#'));
    const folded = execFileSync('fold', ['-w', '60'], {
      input: `${original.join('\n')}\n`,
      encoding: 'utf8',
    });
    const uri = fileUri(`/tmp/lsp-fixes/folded-${++n}.trace`);
    const before: PublishDiagnosticsParams = await client.openAndWait(uri, folded);
    const bad = before.diagnostics.filter((d) => String(d.code).startsWith('parse.'));
    assert.ok(bad.length >= original.length, JSON.stringify(before.diagnostics.map(key)));
    const actions = (await client.codeActions(uri, bad[0]!.range, [bad[0]!])) ?? [];
    const all = actions.find(
      (a): a is CodeAction =>
        'kind' in a && a.title.startsWith('Join every wrapped packet line in this file'),
    );
    assert.ok(all, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(all.title, `Join every wrapped packet line in this file (${original.length})`);
    const fixed = applyEdits(folded, editsFor(all.edit, uri));
    assert.equal(fixed, `${original.join('\n')}\n`);
    const after = await client.changeAndWait(uri, fixed);
    assert.deepEqual(after.diagnostics.filter((d) => String(d.code).startsWith('parse.')).map(key), []);
    client.close(uri);
  });
});

describe('code action requests', () => {
  test('only fixes for diagnostics overlapping the requested range', async () => {
    const uri = fileUri('/tmp/lsp-fixes/range.trace');
    const text = readTrace('test/fixtures/bad-synack-ack.trace');
    await client.openAndWait(uri, text);
    const elsewhere =
      (await client.codeActions(uri, { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } })) ??
      [];
    assert.deepEqual(elsewhere, []);
    const all =
      (await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } })) ??
      [];
    assert.ok(all.some((a) => 'kind' in a && a.kind === 'quickfix'));
    client.close(uri);
  });

  test('a cursor (empty range) inside the diagnostic is enough', async () => {
    const uri = fileUri('/tmp/lsp-fixes/cursor.trace');
    const { diagnostics } = await client.openAndWait(uri, readTrace('test/fixtures/bad-synack-ack.trace'));
    const bad = diagnostics.find((d) => d.code === 'handshake.bad-ack');
    assert.ok(bad);
    const cursor = { line: bad.range.start.line, character: bad.range.start.character + 2 };
    const actions = (await client.codeActions(uri, { start: cursor, end: cursor })) ?? [];
    assert.ok(actions.some((a) => 'kind' in a && a.kind === 'quickfix' && a.title === 'Change to 1001'));
    client.close(uri);
  });

  test('a clean trace offers no fixes', async () => {
    const uri = fileUri('/tmp/lsp-fixes/clean.trace');
    await client.openAndWait(uri, CLEAN);
    const lines = splitLines(CLEAN);
    const all = await client.codeActions(uri, {
      start: { line: 0, character: 0 },
      end: { line: lines.length - 1, character: 0 },
    });
    assert.deepEqual(all ?? [], []);
    client.close(uri);
  });
});

test(
  'handshake.incomplete in a CRLF document: the inserted line keeps the CRLF line endings',
  {},
  async () => {
    const uri = fileUri('/tmp/lsp-fixes/crlf.trace');
    const text = `${CLEAN_LINES.slice(0, 3).join('\r\n')}\r\n`;
    const { diagnostics } = await client.openAndWait(uri, text);
    const inc = diagnostics.find((d) => d.code === 'handshake.incomplete');
    assert.ok(inc);
    const fix = await quickFixFor(uri, inc);
    const fixed = applyEdits(text, editsFor(fix.edit, uri));
    const after = await client.changeAndWait(uri, fixed);
    client.close(uri);
    assert.ok(!after.diagnostics.some((d) => d.code === 'handshake.incomplete'), 'the fix works');
    assert.equal(fixed.split('\r\n').length, 5, 'four CRLF-terminated lines');
    assert.ok(!/[^\r]\n/.test(fixed), `no bare LF in ${JSON.stringify(fixed)}`);
  },
);
