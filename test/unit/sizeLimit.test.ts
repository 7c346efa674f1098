// A document above packetTrace.maxFileSizeMB is analysed up to its last line break within the limit
// (cutAtLineBreak). An edit inside that part has the cut view follow it without the whole text
// (SizeLimiter.edited): the view must then be exactly the cut of the new text, and the changes it
// hands the analysis must turn the view before into the view after. Random documents (line breaks of
// every kind) and random changes inside the cut, each checked against the cut made from the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineDocument } from '../../server/src/lineDocument';
import { SizeLimiter, cutAtLineBreak } from '../../server/src/sizeLimit';
import { prng } from '../robustness/support';

const MB = 1024 * 1024;
const LIMIT_MB = 2000 / MB;
const LIMIT = Math.floor(LIMIT_MB * MB);

function randomText(next: () => number, chars: number, breaks: readonly string[]): string {
  let s = '';
  while (s.length < chars) {
    const width = Math.floor(next() * 60);
    s += 'x'.repeat(width) + breaks[Math.floor(next() * breaks.length)]!;
  }
  return s;
}

test('a cut view that follows an edit is the cut of the new text, and its changes make it', () => {
  const next = prng(17);
  let followed = 0;
  let cases = 0;
  for (const breaks of [['\n'], ['\r\n'], ['\n', '\r\n', '\r']]) {
    for (let round = 0; round < 40; round++) {
      const limiter = new SizeLimiter();
      let text = randomText(next, LIMIT * 2, breaks);
      const doc = new LineDocument('file:///t.trace', 'packet-trace', 1, text);
      let view = limiter.view(doc, LIMIT_MB);
      assert.equal(view.getText(), cutAtLineBreak(text, LIMIT));
      for (let step = 0; step < 12; step++) {
        const viewLines = view.lineCount - 1;
        const line = Math.floor(next() * Math.max(1, viewLines - 1));
        const endLine = Math.min(viewLines - 1, line + Math.floor(next() * 3));
        const range = {
          start: { line, character: Math.floor(next() * 20) },
          end: { line: endLine, character: Math.floor(next() * 20) },
        };
        if (endLine === line && range.end.character < range.start.character)
          range.end.character = range.start.character;
        const put = ['', 'y', 'yy\n', '\r\n', 'z'.repeat(80), `w${breaks[0]}w${breaks[0]}`][
          Math.floor(next() * 6)
        ]!;
        // The reference: the change applied to the whole text by vscode-languageserver-textdocument.
        const reference = TextDocument.create('file:///r', 'x', 1, text);
        const before = view.getText();
        TextDocument.update(reference, [{ range, text: put }], 2);
        const version = doc.version + 1;
        const from = doc.version;
        doc.update([{ range, text: put }], version);
        text = reference.getText();
        assert.equal(doc.getText(), text);
        cases++;
        const edited = limiter.edited(doc, LIMIT_MB, from, { range, text: put });
        if (edited) {
          followed++;
          assert.equal(edited.view.getText(), cutAtLineBreak(text, LIMIT), `round ${round} step ${step}`);
          // The changes handed to the analysis turn the view before into the view after.
          const replay = TextDocument.create('file:///v', 'x', 1, before);
          for (const e of edited.edits) TextDocument.update(replay, [e], 2);
          assert.equal(replay.getText(), edited.view.getText());
          assert.equal(edited.view.version, version);
          assert.equal(limiter.view(doc, LIMIT_MB), edited.view, 'the followed view is the one kept');
        }
        view = limiter.view(doc, LIMIT_MB);
        assert.equal(view.getText(), cutAtLineBreak(text, LIMIT));
      }
    }
  }
  // Most changes inside the cut are followed (the rest: a cut between \r and \n, and the like).
  assert.ok(followed * 2 > cases, `${followed} of ${cases} followed`);
});

test('a change past the cut, or of a document now within the limit, is not followed', () => {
  const limiter = new SizeLimiter();
  const text = randomText(prng(3), LIMIT * 2, ['\n']);
  const doc = new LineDocument('file:///t.trace', 'packet-trace', 1, text);
  const view = limiter.view(doc, LIMIT_MB);
  const past = { line: view.lineCount + 5, character: 0 };
  doc.update([{ range: { start: past, end: past }, text: 'x' }], 2);
  assert.equal(limiter.edited(doc, LIMIT_MB, 1, { range: { start: past, end: past }, text: 'x' }), undefined);
  const all = { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } };
  const small = new LineDocument('file:///s.trace', 'packet-trace', 1, text);
  limiter.view(small, LIMIT_MB);
  small.update([{ range: all, text: 'short\n' }], 2);
  assert.equal(limiter.edited(small, LIMIT_MB, 1, { range: all, text: 'short\n' }), undefined);
});
