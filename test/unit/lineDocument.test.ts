// The server's LineDocument must read every change as vscode-languageserver-textdocument's TextDocument
// does: same text, line count, offsets and positions, whatever the change (ranges past line ends or
// the end of the text, reversed ranges, line breaks of every kind, whole-text replacements).
// The reference applies each change to a TextDocument made afresh from the text before it: one
// updated in place keeps wrong line offsets after some changes (a \n inserted before a \r\n's
// \n, ranges outside the text), and then reads later positions wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LineDocument, splitKeepingBreaks } from '../../server/src/lineDocument';
import { prng as random } from '../robustness/support';

const PIECES = [
  'a',
  'win 5840',
  ' ',
  '\n',
  '\n',
  '\n',
  '\r\n',
  '\r',
  'é',
  '😀',
  '12:00:01.5 IP a.1 > b.2: Flags [S]',
];

function pieces(next: () => number, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += PIECES[Math.floor(next() * PIECES.length)]!;
  return s;
}

function position(next: () => number, lines: number): { line: number; character: number } {
  // Now and then a line or column outside the text, as clients send at its edges.
  return { line: Math.floor(next() * (lines + 2)) - 1, character: Math.floor(next() * 14) - 2 };
}

function change(next: () => number, lines: number, withCR: boolean): TextDocumentContentChangeEvent {
  if (next() < 0.03) return { text: pieces(next, 6) };
  let text = pieces(next, Math.floor(next() * 4));
  if (!withCR) text = text.replace(/\r/g, '');
  return { range: { start: position(next, lines), end: position(next, lines) }, text };
}

function assertSame(ours: LineDocument, theirs: TextDocument, next: () => number, at: string): void {
  assert.equal(ours.getText(), theirs.getText(), `${at}: text`);
  assert.equal(ours.lineCount, theirs.lineCount, `${at}: line count`);
  assert.equal(ours.length, theirs.getText().length, `${at}: length`);
  for (let k = 0; k < 6; k++) {
    const p = position(next, theirs.lineCount);
    assert.equal(ours.offsetAt(p), theirs.offsetAt(p), `${at}: offsetAt ${JSON.stringify(p)}`);
    const offset = Math.floor(next() * (theirs.getText().length + 4)) - 2;
    assert.deepEqual(ours.positionAt(offset), theirs.positionAt(offset), `${at}: positionAt ${offset}`);
    const range = { start: position(next, theirs.lineCount), end: position(next, theirs.lineCount) };
    assert.equal(ours.getText(range), theirs.getText(range), `${at}: getText ${JSON.stringify(range)}`);
  }
}

test('splitKeepingBreaks cuts after each \\n, \\r\\n and lone \\r, the last line without a break', () => {
  assert.deepEqual(splitKeepingBreaks(''), ['']);
  assert.deepEqual(splitKeepingBreaks('a\nb'), ['a\n', 'b']);
  assert.deepEqual(splitKeepingBreaks('a\n'), ['a\n', '']);
  assert.deepEqual(splitKeepingBreaks('a\r\nb\rc\n\r\n'), ['a\r\n', 'b\r', 'c\n', '\r\n', '']);
});

/** What a correct document holds after `changes`: each applied to a document made afresh. */
function reference(text: string, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
  let doc = TextDocument.create('file:///t.trace', 'packet-trace', version, text);
  for (const c of changes) {
    doc = TextDocument.create('file:///t.trace', 'packet-trace', version, doc.getText());
    TextDocument.update(doc, [c], version);
  }
  return TextDocument.create('file:///t.trace', 'packet-trace', version, doc.getText());
}

for (const withCR of [false, true]) {
  test(`random changes read as TextDocument reads them (${withCR ? 'with' : 'without'} CRs)`, () => {
    const next = random(withCR ? 7 : 3);
    let checked = 0;
    for (let run = 0; run < 60; run++) {
      let initial = pieces(next, Math.floor(next() * 40));
      if (!withCR) initial = initial.replace(/\r/g, '');
      const ours = new LineDocument('file:///t.trace', 'packet-trace', 1, initial);
      let theirs = TextDocument.create('file:///t.trace', 'packet-trace', 1, initial);
      for (let version = 2; version < 40; version++) {
        // One change or a batch, as a client sends them.
        const batch = Array.from({ length: next() < 0.2 ? 3 : 1 }, () =>
          change(next, theirs.lineCount, withCR),
        );
        ours.update(batch, version);
        theirs = reference(theirs.getText(), batch, version);
        assert.equal(ours.version, version);
        if (next() < 0.3) assertSame(ours, theirs, next, `run ${run} version ${version}`);
        checked++;
      }
      assertSame(ours, theirs, next, `run ${run} end`);
    }
    assert.ok(checked > 2000);
  });
}

test('a change in a large text without CRs never joins the text, and a later read gets it right', () => {
  const lines = Array.from(
    { length: 20000 },
    (_, i) => `12:00:00.${i} IP 10.0.0.1.1000 > 10.0.0.2.80: . ack ${i} win 5840`,
  );
  const text = `${lines.join('\n')}\n`;
  const ours = new LineDocument('file:///big.trace', 'packet-trace', 1, text);
  const theirs = TextDocument.create('file:///big.trace', 'packet-trace', 1, text);
  for (let v = 2; v < 50; v++) {
    const line = (v * 397) % 20000;
    const change = { range: { start: { line, character: 40 }, end: { line, character: 44 } }, text: `${v}` };
    ours.update([change], v);
    TextDocument.update(theirs, [change], v);
    assert.equal(ours.length, theirs.getText().length);
    assert.equal(ours.lineCount, theirs.lineCount);
  }
  // The text is joined only now, when it is asked for.
  assert.equal((ours as unknown as { text: string | undefined }).text, undefined);
  assert.equal(ours.getText(), theirs.getText());
});
