// Packet lines wrapped by a mail, a ticket or `fold`: the rest of the line is marked as such and a fix
// joins the lines again; applied, the trace reads as it did before it was wrapped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { analyzeTrace, type Finding, type TextEdit } from '../../server/src/trace/index';
import { trace } from '../helpers/parserHelpers';

const PACKETS = [
  '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
  '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 65160, options [mss 1460,sackOK,TS val 2 ecr 1,nop,wscale 7], length 0',
  '12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 502, options [nop,nop,TS val 3 ecr 2], length 0',
];

/** The text with a core fix's edits applied (edits may span a line break: endLine). */
function applyFix(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, ch: number) =>
    lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + Math.min(ch, lines[line]!.length);
  const spans = edits
    .map((e) => ({
      from: offset(e.span.line, e.span.start),
      to: offset(e.endLine ?? e.span.line, e.span.end),
      e,
    }))
    .sort((a, b) => b.from - a.from);
  let out = text;
  for (const s of spans) out = out.slice(0, s.from) + s.e.newText + out.slice(s.to);
  return out;
}

function parseFindings(text: string): Finding[] {
  return analyzeTrace(text).findings.filter((f) => f.code.startsWith('parse.'));
}

describe('wrapped packet lines', () => {
  test('split inside a word: the rest is marked, and the fix joins it directly', () => {
    const head = PACKETS[1]!.slice(0, 143);
    const text = trace(PACKETS[0]!, head, PACKETS[1]!.slice(143), PACKETS[2]!);
    const f = parseFindings(text);
    assert.deepEqual(
      f.map((x) => [x.code, x.span.line]),
      [
        ['parse.malformed-line', 1],
        ['parse.unknown-line', 2],
      ],
    );
    assert.match(f[1]!.message, /^the rest of the packet line above, wrapped/);
    assert.match(
      f[0]!.message,
      /; the line is wrapped: joined with the lines below, it reads as one packet$/,
    );
    assert.equal(f[0]!.fixes![0], f[1]!.fixes![0], 'one fix, offered on both lines');
    const fix = f[1]!.fixes![0]!;
    assert.equal(fix.title, 'Join line 3 onto the line above: the rest of a wrapped packet line');
    assert.deepEqual(fix.edits, [{ span: { line: 1, start: head.length, end: 0 }, endLine: 2, newText: '' }]);
    assert.equal(applyFix(text, fix.edits), trace(...PACKETS));
  });

  test('split at a space the wrap ate: the fix puts the space back', () => {
    const at = PACKETS[1]!.indexOf(' options');
    const text = trace(PACKETS[0]!, PACKETS[1]!.slice(0, at), PACKETS[1]!.slice(at + 1), PACKETS[2]!);
    const f = parseFindings(text);
    const fix = f.find((x) => x.code === 'parse.unknown-line')!.fixes![0]!;
    assert.deepEqual(
      fix.edits.map((e) => e.newText),
      [' '],
    );
    assert.equal(applyFix(text, fix.edits), trace(...PACKETS));
  });

  for (const width of [60, 80]) {
    test(`fold -w ${width}: each wrapped line is joined again by one fix, offered on its bad lines`, () => {
      const folded = execFileSync('fold', ['-w', String(width)], {
        input: trace(...PACKETS),
        encoding: 'utf8',
      });
      const f = parseFindings(folded);
      assert.ok(f.length > 0);
      // Every bad line is part of a wrapped one, and says so.
      for (const x of f) {
        assert.ok(x.fixes?.length === 1, `a fix on line ${x.span.line}: ${x.message}`);
        assert.match(x.message, /wrapped/);
      }
      const fixes = [...new Set(f.map((x) => x.fixes![0]!))];
      assert.equal(fixes.length, PACKETS.length, 'one fix per packet line');
      let text = folded;
      // Applied from the last to the first, each fix's lines are still where it says.
      for (const fix of fixes.sort((a, b) => b.edits[0]!.span.line - a.edits[0]!.span.line))
        text = applyFix(text, fix.edits);
      assert.equal(text, trace(...PACKETS));
      assert.deepEqual(analyzeTrace(text).findings, []);
    });
  }

  test('fold -w 60: a head cut inside its option list, and a clean head whose rest is below', () => {
    const folded = execFileSync('fold', ['-w', '60'], { input: trace(...PACKETS), encoding: 'utf8' });
    assert.deepEqual(
      parseFindings(folded).map((x) => [x.code, x.span.line, x.fixes![0]!.title]),
      [
        ['parse.malformed-line', 0, 'Join lines 2-3 onto the line above: the rest of a wrapped packet line'],
        ['parse.unknown-line', 2, 'Join lines 2-3 onto the line above: the rest of a wrapped packet line'],
        ['parse.unknown-line', 4, 'Join lines 5-6 onto the line above: the rest of a wrapped packet line'],
        ['parse.malformed-line', 6, 'Join line 8 onto the line above: the rest of a wrapped packet line'],
      ],
    );
  });

  test('prose after a packet, or a line that joins into no clean packet, is left as it was', () => {
    const cases = [
      [PACKETS[0]!, 'then the server answers'],
      [PACKETS[0]!, '0then'],
      [PACKETS[1]!.slice(0, 143), 'ngth x'],
      ['the capture, wrapped by the mail client:', 'ngth 0'],
    ];
    for (const [a, b] of cases) {
      const f = parseFindings(trace(a!, b!));
      assert.ok(
        f.every((x) => !x.fixes && !/wrapped/.test(x.message)),
        `${a} / ${b}: ${JSON.stringify(f)}`,
      );
    }
  });
});
