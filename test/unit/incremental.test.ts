// An edit inside one packet record is re-analysed for its 4-tuple only; the result must equal a fresh
// analysis of the new text, whatever the edit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTrace, jsonReport, type TraceAnalysis } from '../../server/src/trace/index';
import { reanalyze, reanalyzeEdit, type LinePosition } from '../../server/src/trace/incremental';
import { splitLines } from '../../server/src/trace/parser';

const CORPUS = path.join(__dirname, '../../../../shared/corpus');
const FILES = [
  'bulk-loss-tx/nn.trace',
  'zero-window/vv-nn.trace',
  'keepalive/nn.trace',
  'half-close/v-nn.trace',
  'capture-gap/S-nn.trace',
  'tcpdump-of13_ericsson/nn.trace',
  'crafted-fin-unacked/A-nn.trace',
];

function report(a: TraceAnalysis): unknown {
  return JSON.parse(jsonReport([{ file: 'x', analysis: a }]));
}

/** A small deterministic generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** One edit of a random line: a changed number, flag letter, word or the line cleared. */
function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(rand() * lines.length);
  const line = lines[i]!;
  const kind = Math.floor(rand() * 5);
  let next = line;
  if (kind === 0)
    next = line.replace(/\d+/g, (m) => (rand() < 0.15 ? String(Number(m) + 1 + Math.floor(rand() * 3)) : m));
  else if (kind === 1)
    next = line.replace(
      /Flags \[([^\]]*)\]/,
      () => `Flags [${['.', 'P.', 'F.', 'R.', 'S', 'S.', 'none', 'FP.'][Math.floor(rand() * 8)]}]`,
    );
  else if (kind === 2) next = line.replace(/win \d+/, `win ${Math.floor(rand() * 3)}`);
  else if (kind === 3) next = line.slice(0, Math.floor(rand() * line.length));
  else next = line.replace(/ack \d+/, `ack ${Math.floor(rand() * 5000)}`);
  lines[i] = next;
  return lines.join('\n');
}

const present = fs.existsSync(CORPUS);

/** The lines of corpus file `rel` (`capture/rendering.trace`). */
function corpusLines(rel: string): string[] {
  return splitLines(fs.readFileSync(path.join(CORPUS, rel), 'utf8'));
}

/**
 * Random one-line edits of each corpus file, one after another: `incremental` re-analyses the previous
 * analysis for the new text (or gives up with undefined), and must then equal a fresh analysis.
 * Returns how many edits there were and how many went the incremental way.
 */
function editOneByOne(
  seed: number,
  incremental: (prev: TraceAnalysis, text: string, next: string) => TraceAnalysis | undefined,
  files: readonly string[] = FILES.map((file) => path.join(CORPUS, file)),
  edit: (text: string, rand: () => number) => string = mutate,
): { cases: number; applied: number } {
  const rand = rng(seed);
  let applied = 0;
  let cases = 0;
  for (const full of files) {
    if (!fs.existsSync(full)) continue;
    const file = path.basename(path.dirname(full)) + '/' + path.basename(full);
    let text = fs.readFileSync(full, 'utf8');
    let prev = analyzeTrace(text);
    for (let k = 0; k < 40; k++) {
      const next = edit(text, rand);
      if (next === text) continue;
      const fresh = analyzeTrace(next);
      const inc = incremental(prev, text, next);
      cases++;
      if (inc) {
        applied++;
        assert.deepEqual(report(inc), report(fresh), `${file}, edit ${k}`);
        assert.deepEqual(inc.parsed.lines, fresh.parsed.lines, `${file}, edit ${k}: the lines`);
        prev = inc;
      } else {
        prev = fresh;
      }
      text = next;
    }
  }
  return { cases, applied };
}

test(
  'incremental re-analysis equals a fresh analysis after random one-line edits',
  { skip: !present && 'no corpus' },
  () => {
    const { cases, applied } = editOneByOne(42, (prev, _text, next) => reanalyze(prev, next));
    assert.ok(cases > 100);
    // Most one-line edits stay inside their record and connection.
    assert.ok(applied * 3 > cases, `only ${applied} of ${cases} edits were incremental`);
  },
);

/**
 * One edit of a random SYN or SYN-ACK line: its window, ack, MSS or window scale, or its seq (which
 * goes the long way: a new ISN can start a new connection).
 */
function mutateSyn(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const syns: number[] = [];
  lines.forEach((line, i) => {
    if (/Flags \[S|: S\S* \d+:\d+\(/.test(line)) syns.push(i);
  });
  if (!syns.length) return text;
  const i = syns[Math.floor(rand() * syns.length)]!;
  const bump = (m: string, digits: string) =>
    m.replace(digits, String(Number(digits) + 1 + Math.floor(rand() * 3)));
  const field = [/win (\d+)/, /ack (\d+)/, /mss (\d+)/, /wscale (\d+)/, /seq (\d+)/][Math.floor(rand() * 5)]!;
  lines[i] = lines[i]!.replace(field, (m, digits: string) => bump(m, digits));
  return lines.join('\n');
}

// A window, ack or option of a SYN or SYN-ACK is re-judged with its connection (the bench trace's
// edits hit SYN-ACKs too, and each went the long way: 260 to 320 ms of 100 000 lines at a keystroke).
test(
  'an edit of a SYN or SYN-ACK that keeps its seq equals a fresh analysis',
  { skip: !present && 'no corpus' },
  () => {
    const files = [
      ...FILES.map((file) => path.join(CORPUS, file)),
      ...['http-get-fin/nn.trace', 'refused/S-nn.trace', 'crafted-simultaneous-open/nn.trace'].map((file) =>
        path.join(CORPUS, file),
      ),
      path.join(__dirname, '../../../test/differential/crafted-port-reuse/nn.trace'),
      path.join(__dirname, '../../../examples/seed-handshake.trace'),
    ];
    const { cases, applied } = editOneByOne(
      11,
      (prev, _text, next) => reanalyze(prev, next),
      files,
      mutateSyn,
    );
    assert.ok(cases > 200, `${cases} cases`);
    assert.ok(applied * 2 > cases, `only ${applied} of ${cases} SYN edits were incremental`);
  },
);

/**
 * `text` with `#` comment blocks put in: above packets, after them with a blank line between, and
 * between a -v packet's two lines, each block of one to three lines.
 */
function withComments(text: string, rand: () => number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (rand() < 0.15) {
      const block = 1 + Math.floor(rand() * 3);
      for (let b = 0; b < block; b++) out.push(`${' '.repeat(Math.floor(rand() * 2))}# note ${out.length}`);
      if (rand() < 0.3) out.push('');
    }
    out.push(line);
  }
  return out.join('\n');
}

/**
 * Random edits (`edit`) of copies of `files` (corpus paths) with notes put in (withComments), one
 * after another (see editOneByOne), in a folder that is removed afterwards.
 */
function editNotedCopies(
  files: readonly string[],
  seed: number,
  incremental: (prev: TraceAnalysis, text: string, next: string) => TraceAnalysis | undefined,
  edit: (text: string, rand: () => number) => string,
): { cases: number; applied: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-notes-'));
  try {
    const rand = rng(seed);
    const copies = files.map((file, k) => {
      const out = path.join(dir, `${k}.trace`);
      fs.writeFileSync(out, withComments(fs.readFileSync(path.join(CORPUS, file), 'utf8'), rand));
      return out;
    });
    return editOneByOne(seed + 8, incremental, copies, edit);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One edit of a random comment line: words typed or deleted, its `#` taken away, or made blank. */
function mutateComment(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const comments: number[] = [];
  lines.forEach((line, i) => {
    if (/^ *#/.test(line)) comments.push(i);
  });
  if (!comments.length) return text;
  const i = comments[Math.floor(rand() * comments.length)]!;
  const line = lines[i]!;
  const kind = Math.floor(rand() * 6);
  if (kind === 0) lines[i] = line.replace('#', '');
  else if (kind === 1) lines[i] = '';
  else if (kind === 2) lines[i] = line.slice(0, Math.max(1, Math.floor(rand() * line.length)));
  else lines[i] = `${line} and ${Math.floor(rand() * 1000)}`;
  return lines.join('\n');
}

// Annotating a large trace: each keystroke in a comment went the long way (a whole analysis).
test(
  "an edit of a comment line equals a fresh analysis, the packets' annotations too",
  { skip: !present && 'no corpus' },
  () => {
    const annotations = (a: TraceAnalysis) => a.parsed.records.map((r) => r.annotations);
    let checked = 0;
    const { cases, applied } = editNotedCopies(
      [...FILES, 'http-get-fin/v-nn.trace', 'keepalive/S-nn.trace'],
      5,
      (prev, _text, next) => {
        const inc = reanalyze(prev, next);
        if (inc) {
          assert.deepEqual(annotations(inc), annotations(analyzeTrace(next)), 'the annotations');
          checked++;
        }
        return inc;
      },
      mutateComment,
    );
    assert.ok(cases > 200, `${cases} cases`);
    assert.ok(applied * 2 > cases, `only ${applied} of ${cases} comment edits were incremental`);
    assert.equal(checked, applied);
  },
);

/** The change event an editor sends for `before` -> `after`, whatever lines it spans. */
function textChange(before: string, after: string) {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let q = 0;
  while (
    q < before.length - p &&
    q < after.length - p &&
    before[before.length - 1 - q] === after[after.length - 1 - q]
  )
    q++;
  const position = (offset: number) => {
    const head = before.slice(0, offset);
    const line = head.split('\n').length - 1;
    return { line, character: offset - (head.lastIndexOf('\n') + 1) };
  };
  return {
    range: { start: position(p), end: position(before.length - q) },
    text: after.slice(p, after.length - q),
  };
}

/** One edit that adds or takes away lines: a blank line or a note put in anywhere, or a line taken away. */
function mutateLines(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(rand() * lines.length);
  const kind = Math.floor(rand() * 4);
  if (kind === 0) lines.splice(i, 0, '');
  else if (kind === 1) lines.splice(i, 0, `# added ${Math.floor(rand() * 1000)}`);
  else if (kind === 2) lines.splice(i, 0, '# one', '', '# two');
  else lines.splice(i, 1);
  return lines.join('\n');
}

/** Where everything of each record is, as hovers and quick fixes find it: its lines and every span. */
function places(a: TraceAnalysis): unknown[] {
  return a.parsed.records.map((r) => [
    r.line,
    r.endLine,
    r.tcpLine,
    r.flagsSpan,
    r.seqSpan,
    r.ackSpan,
    r.optionsSpan,
    r.cksum?.span,
    r.options.map((o) => o.span),
    r.annotations,
  ]);
}

// Annotating a large trace: a new line (Enter), a note put in or a line taken away went the long way.
test(
  'lines added or taken away between records equal a fresh analysis, every place of every record too',
  { skip: !present && 'no corpus' },
  () => {
    const { cases, applied } = editNotedCopies(
      [...FILES, 'http-get-fin/v-nn.trace', 'keepalive/S-nn.trace', 'zero-window/X-nn.trace'],
      9,
      (prev, text, next) => {
        // Both ways in: the whole text, and an editor's change range.
        const change = textChange(text, next);
        const byRange = reanalyzeEdit(prev, change.range, change.text);
        const fresh = analyzeTrace(next);
        if (byRange) {
          assert.deepEqual(report(byRange), report(fresh), 'by range');
          assert.deepEqual(places(byRange), places(fresh), 'the places, by range');
          assert.deepEqual(byRange.parsed.lines, fresh.parsed.lines);
        }
        // (The range path moved the previous analysis: the text path starts again from it anew.)
        const inc = reanalyze(analyzeTrace(text), next);
        if (inc) assert.deepEqual(places(inc), places(fresh), 'the places');
        return inc;
      },
      mutateLines,
    );
    assert.ok(cases > 300, `${cases} cases`);
    assert.ok(applied * 3 > cases, `only ${applied} of ${cases} line edits were incremental`);
  },
);

// Found by a longer run of random edits: a note among a -X packet's dump lines annotates the packet
// after it, and a dump line turned blank below the note ends that note.
test("a blank line made among a packet's dump lines, below a note there, takes the note from the next packet", () => {
  const lines = splitLines(
    fs.readFileSync(path.join(CORPUS, 'tcpdump-bgp-enhanced-route-refresh-subtype/X-nn.trace'), 'utf8'),
  );
  const head = lines.findIndex((l, i) => i > 0 && !l.startsWith('\t'));
  lines.splice(head + 3, 0, '# note');
  const text = lines.join('\n');
  const noted = analyzeTrace(text);
  const next = noted.parsed.records.find((r) => r.line > head + 3)!;
  assert.deepEqual(next.annotations, [{ text: 'note', line: head + 3 }]);
  lines[head + 5] = ' ';
  const edited = lines.join('\n');
  const inc = reanalyze(noted, edited);
  const fresh = analyzeTrace(edited);
  assert.deepEqual(fresh.parsed.records[next.index]!.annotations, []);
  if (inc) assert.deepEqual(inc.parsed.records[next.index]!.annotations, []);
});

/** What tracking gave each record: its time and numbers, notes, segment and connection. */
function tracked(a: TraceAnalysis): unknown[] {
  return a.parsed.records.map((r) => {
    const seg = a.segmentOf.get(r.index);
    return [r.time, r.seqAbs, r.ackAbs, r.annotations, seg?.seq, seg?.analysis, a.connectionOf.get(r.index)];
  });
}

/**
 * `inc`, which must be an incremental result, as a fresh analysis of its lines gives it: the report
 * and what tracking gave each record (notes included). Returns it, for the next edit.
 */
function equalsFresh(inc: TraceAnalysis | undefined, label: string): TraceAnalysis {
  assert.ok(inc, `${label}: incremental`);
  const fresh = analyzeTrace(inc.parsed.lines.join('\n'));
  assert.deepEqual(report(inc), report(fresh), label);
  assert.deepEqual(tracked(inc), tracked(fresh), label);
  return inc;
}

/** Corpus captures for the changes at the end; the last two have many connections, new ones in each chunk. */
const END_CAPTURES = [
  'bulk-loss-tx',
  'zero-window',
  'keepalive',
  'half-close',
  'http-get-fin',
  'capture-gap',
  'refused',
  'tcpdump-bgp-4byte-asn',
  'tcpdump-kday3',
];

// A capture written to the file while it is open, or more output pasted below: each corpus
// rendering taken in chunks of whole lines, every chunk appended to the analysis of those before it.
test(
  'packet lines appended at the end equal a fresh analysis, chunk after chunk',
  { skip: !present && 'no corpus' },
  () => {
    const rand = rng(21);
    let cases = 0;
    let applied = 0;
    for (const dir of END_CAPTURES) {
      for (const rendering of ['nn', 'v-nn', 'S-nn', 'vv-nn', 'default', 'tttt-nn', 'A-nn']) {
        const file = path.join(CORPUS, dir, `${rendering}.trace`);
        if (!fs.existsSync(file)) continue;
        const all = splitLines(fs.readFileSync(file, 'utf8'));
        let n = Math.max(1, Math.floor(all.length * rand() * 0.5));
        let text = `${all.slice(0, n).join('\n')}\n`;
        let prev = analyzeTrace(text);
        while (n < all.length) {
          const m = Math.min(all.length, n + 1 + Math.floor(rand() * all.length * 0.3));
          const next = `${all.slice(0, m).join('\n')}\n`;
          // As the server tries it: the change range (the new lines put in after the last one), then
          // the whole text (a short file's head is judged on the text).
          const lastLine = all[n - 1]!;
          const end = { line: n - 1, character: lastLine.length };
          const inc =
            reanalyzeEdit(prev, { start: end, end }, `\n${all.slice(n, m).join('\n')}`) ??
            reanalyze(prev, next);
          const fresh = analyzeTrace(next);
          cases++;
          if (inc) {
            applied++;
            assert.deepEqual(report(inc), report(fresh), `${dir}/${rendering}: lines ${n}-${m}`);
            assert.deepEqual(tracked(inc), tracked(fresh), `${dir}/${rendering}: lines ${n}-${m}, tracked`);
            assert.deepEqual(inc.parsed.lines, fresh.parsed.lines);
          }
          prev = inc ?? fresh;
          text = next;
          n = m;
        }
      }
    }
    assert.ok(cases > 50, `${cases} cases`);
    assert.ok(applied * 2 > cases, `only ${applied} of ${cases} appends were incremental`);
  },
);

// The undo of a paste at the end, lines cut from the end, a last record rewritten: each corpus
// rendering cut at random places, then given other lines of its own after the cut, every step applied
// to the analysis of the one before (by change range, else by whole text) and compared with a fresh one.
test(
  'lines taken away or changed at the end equal a fresh analysis, step after step',
  { skip: !present && 'no corpus' },
  () => {
    const rand = rng(33);
    let cases = 0;
    let applied = 0;
    let rangeApplied = 0;
    // Each file with \n line breaks, and with \r\n.
    for (const [dir, eol] of END_CAPTURES.flatMap((d) => [[d, '\n'] as const, [d, '\r\n'] as const])) {
      for (const rendering of ['nn', 'v-nn', 'S-nn', 'default', 'X-nn', 'A-nn']) {
        const file = path.join(CORPUS, dir, `${rendering}.trace`);
        if (!fs.existsSync(file)) continue;
        const all = splitLines(fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
        // Notes between the lines, so that a cut can leave some below the last packet.
        for (let k = all.length - 1; k > 0; k--) if (rand() < 0.05) all.splice(k, 0, '# a note');
        let lines = all.concat('');
        let prev = analyzeTrace(lines.join(eol));
        for (let step = 0; step < 6 && lines.length > 3; step++) {
          // Cut at m (at least one line stays), then maybe a run of the file's own lines after it.
          const m = 1 + Math.floor(rand() * (lines.length - 2));
          const from = Math.floor(rand() * all.length);
          const put = rand() < 0.5 ? all.slice(from, from + 1 + Math.floor(rand() * 40)) : [];
          const next = lines.slice(0, m).concat(put, '');
          const text = next.join(eol);
          // The range ends on the editor's empty line after the last line break.
          const byRange = reanalyzeEdit(
            prev,
            { start: { line: m, character: 0 }, end: { line: lines.length - 1, character: 0 } },
            put.map((l) => `${l}${eol}`).join(''),
          );
          if (byRange) rangeApplied++;
          const inc = byRange ?? reanalyze(prev, text);
          const fresh = analyzeTrace(text);
          cases++;
          if (inc) {
            applied++;
            const where = `${dir}/${rendering} ${JSON.stringify(eol)}: cut at ${m}, ${put.length} lines after`;
            assert.deepEqual(report(inc), report(fresh), where);
            assert.deepEqual(tracked(inc), tracked(fresh), `${where}, tracked`);
            assert.deepEqual(inc.parsed.lines, fresh.parsed.lines, where);
          }
          prev = inc ?? fresh;
          lines = next;
        }
      }
    }
    assert.ok(cases > 100, `${cases} cases`);
    assert.ok(applied * 2 > cases, `only ${applied} of ${cases} changes at the end were incremental`);
    // (A change range in the file's first 4 096 characters goes the text's way.)
    assert.ok(rangeApplied * 10 > cases, `only ${rangeApplied} of ${cases} by change range`);
  },
);

// A packet deleted, or packet lines pasted between others: random runs of one to three lines of each
// corpus rendering taken away or put in (copies of its own lines from anywhere, so that times go
// back and forth), every step applied to the analysis of the one before and compared with a fresh one.
test(
  'packet lines taken away from between others or put in there equal a fresh analysis',
  { skip: !present && 'no corpus' },
  () => {
    const rand = rng(44);
    const connections = (a: TraceAnalysis) =>
      a.connections.map((c) => [
        c.id,
        c.firstRecord,
        c.lastRecord,
        c.records.join(','),
        c.client.finRecords.join(','),
        c.server.synAckRecord,
        c.client.nextseqRecord,
      ]);
    let cases = 0;
    let applied = 0;
    let appliedInside = 0;
    // Each file with \n line breaks, and with \r\n (as saved on Windows).
    for (const [dir, eol] of END_CAPTURES.flatMap((d) => [[d, '\n'] as const, [d, '\r\n'] as const])) {
      for (const rendering of ['nn', 'v-nn', 'S-nn', 'default', 'X-nn', 'A-nn']) {
        const file = path.join(CORPUS, dir, `${rendering}.trace`);
        if (!fs.existsSync(file)) continue;
        const all = splitLines(fs.readFileSync(file, 'utf8'));
        let lines = all.slice();
        let prev = analyzeTrace(`${lines.join(eol)}${eol}`);
        for (let step = 0; step < 10 && lines.length > 8; step++) {
          let n = 1 + Math.floor(rand() * 3);
          let at = 1 + Math.floor(rand() * (lines.length - n - 1));
          const from = Math.floor(rand() * (all.length - n));
          const cut = rand() < 0.5;
          let put = cut ? [] : all.slice(from, from + n);
          // Half the time in a packet of more than one line: one of its -v or dump lines taken
          // away or doubled (the packet is read again whole).
          const inner = lines.map((l, i) => (i > 0 && /^(\t| {4})/.test(l) ? i : -1)).filter((i) => i > 0);
          const inside = inner.length > 0 && rand() < 0.5;
          if (inside) {
            at = inner[Math.floor(rand() * inner.length)]!;
            n = 1;
            put = cut ? [] : [lines[at]!];
          }
          const next = lines.slice(0, at).concat(put, lines.slice(cut ? at + n : at));
          const text = `${next.join(eol)}${eol}`;
          const range = { start: { line: at, character: 0 }, end: { line: cut ? at + n : at, character: 0 } };
          // By change range every other step, else (and where the range goes the long way) by text.
          const inc =
            (step % 2 ? reanalyzeEdit(prev, range, put.map((l) => `${l}${eol}`).join('')) : undefined) ??
            reanalyze(prev, text);
          const fresh = analyzeTrace(text);
          cases++;
          if (inc) {
            applied++;
            if (inside) appliedInside++;
            const where = `${dir}/${rendering} ${JSON.stringify(eol)}: ${cut ? 'cut' : 'put'} ${n} at ${at}${inside ? ' inside' : ''}`;
            assert.deepEqual(report(inc), report(fresh), where);
            assert.deepEqual(tracked(inc), tracked(fresh), `${where}, tracked`);
            assert.deepEqual(connections(inc), connections(fresh), `${where}, connections`);
            assert.deepEqual(inc.parsed.lines, fresh.parsed.lines, where);
          }
          prev = inc ?? fresh;
          lines = next;
        }
      }
    }
    assert.ok(cases > 400, `${cases} cases`);
    assert.ok(applied * 3 > cases, `only ${applied} of ${cases} were incremental`);
    assert.ok(appliedInside > 40, `only ${appliedInside} inside a packet were incremental`);
  },
);

// Found by a longer run of random splices (times going back and forth): a 4-tuple tracked again on
// its own after an edit looked ahead for reordered segments among its own records, where a whole
// file's tracking looked among all (another 4-tuple's record stamped more than a second later ended
// the look). The look now follows the 4-tuple's own records either way.
test(
  "a 4-tuple's look ahead is the same tracked on its own or with the file",
  { skip: !present && 'no corpus' },
  () => {
    const all = corpusLines('tcpdump-of13_ericsson/nn.trace');
    // [line, lines taken away, first line put in there (of the file), lines put in]
    const steps: Array<[number, number, number, number]> = [
      [245, 2, -1, 0],
      [5, 0, 250, 3],
      [242, 0, 99, 1],
      [148, 1, -1, 0],
      [149, 0, 220, 2],
      [261, 2, -1, 0],
      [82, 0, 137, 3],
      [224, 0, 133, 1],
    ];
    let lines = all.slice();
    for (const [at, cut, from, put] of steps)
      lines = lines.slice(0, at).concat(all.slice(from, from + put), lines.slice(at + cut));
    const prev = analyzeTrace(`${lines.join('\n')}\n`);
    const next = lines.slice(0, 189).concat(all.slice(20, 22), lines.slice(189));
    const text = `${next.join('\n')}\n`;
    const inc = reanalyze(prev, text);
    assert.ok(inc, 'incremental');
    const fresh = analyzeTrace(text);
    assert.deepEqual(report(inc), report(fresh));
    assert.deepEqual(tracked(inc), tracked(fresh));
  },
);

// Found by a longer run of random splices: a -v packet's TCP line taken away leaves its IP line a
// packet of no 4-tuple, and the connection that was that packet alone is gone (the connections after
// it are numbered anew).
test(
  'a connection gone with the lines taken away is no connection any more',
  { skip: !present && 'no corpus' },
  () => {
    const all = corpusLines('half-close/v-nn.trace');
    // [line, lines taken away, first line put in there (of the file), lines put in]
    const steps: Array<[number, number, number, number]> = [
      [30, 1, -1, 0],
      [46, 0, 18, 1],
      [25, 1, -1, 0],
      [50, 2, -1, 0],
      [9, 0, 52, 2],
    ];
    let lines = all.slice();
    for (const [at, cut, from, put] of steps)
      lines = lines.slice(0, at).concat(all.slice(from, from + put), lines.slice(at + cut));
    const prev = analyzeTrace(`${lines.join('\n')}\n`);
    const text = `${lines.slice(0, 10).concat(lines.slice(12)).join('\n')}\n`;
    const inc = reanalyze(prev, text);
    const fresh = analyzeTrace(text);
    assert.equal(fresh.connections.length, prev.connections.length - 1);
    assert.ok(inc, 'incremental');
    assert.deepEqual(report(inc), report(fresh));
  },
);

// In an -A dump, a packet line stamped more than a millisecond before the packet above it, whose
// dump has not shown its headers and payload yet, is payload that looks like a packet line (a trace
// pasted into a web page). Found by the splice property over -A renderings: a later packet line and
// part of its dump put in between two packets made the packet line below it payload of that dump. The
// splice reads the packets below again until one starts where it started.
test(
  'lines put in an -A dump that make the packet lines below them payload equal a fresh analysis',
  { skip: !present && 'no corpus' },
  () => {
    const all = corpusLines('bulk-loss-tx/A-nn.trace');
    const text = `${all.join('\n')}\n`;
    const put = (at: number, from: number, n: number) =>
      `${all
        .slice(0, at)
        .concat(all.slice(from, from + n), all.slice(at))
        .join('\n')}\n`;
    // A packet line (05.905339) and the first line of its dump, put in above one of 05.898738.
    assert.match(all[3222]!, /^18:24:35\.905339 IP /);
    assert.match(all[2586]!, /^18:24:35\.898738 IP /);
    const swallowing = put(2586, 3222, 2);
    const fresh = analyzeTrace(swallowing);
    assert.ok(fresh.parsed.records.length < analyzeTrace(text).parsed.records.length, 'packets swallowed');
    const swallowed = reanalyze(analyzeTrace(text), swallowing);
    assert.ok(swallowed, 'incremental');
    assert.deepEqual(report(swallowed), report(fresh));
    assert.deepEqual(tracked(swallowed), tracked(fresh));
    // The same lines put in above the packet that follows it in the capture (05.905343, not earlier):
    // the packet line below stays a packet's.
    assert.match(all[3228]!, /^18:24:35\.905343 IP /);
    const inOrder = put(3228, 3222, 2);
    const inc = reanalyze(analyzeTrace(text), inOrder);
    assert.ok(inc, 'incremental');
    assert.deepEqual(report(inc), report(analyzeTrace(inOrder)));
  },
);

// A -v packet's IP line taken away leaves its TCP line to the packet above (a continuation line of
// it); put back, the TCP line is its packet's again. Both went the long way (the lines read again on
// their own began with a continuation line: an orphan), the second in 523 ms of 100 000 packets.
test(
  "a -v packet's IP line taken away and put back equals a fresh analysis, from the change range",
  { skip: !present && 'no corpus' },
  () => {
    const all = corpusLines('bulk-loss-tx/v-nn.trace');
    const text = `${all.join('\n')}\n`;
    const at = (line: number) => ({ line, character: 0 });
    let checked = 0;
    for (let ip = 600; ip < all.length - 10 && checked < 5; ip += 97) {
      while (!/^\d/.test(all[ip]!) || !all[ip + 1]!.startsWith('    ')) ip++;
      const cut = all.slice(0, ip).concat(all.slice(ip + 1));
      const cutText = `${cut.join('\n')}\n`;
      const deleted = reanalyzeEdit(analyzeTrace(text), { start: at(ip), end: at(ip + 1) }, '');
      assert.ok(deleted, `IP line ${ip + 1} taken away`);
      assert.deepEqual(report(deleted), report(analyzeTrace(cutText)));
      assert.deepEqual(tracked(deleted), tracked(analyzeTrace(cutText)));
      const back = reanalyzeEdit(deleted, { start: at(ip), end: at(ip) }, `${all[ip]}\n`);
      assert.ok(back, `IP line ${ip + 1} put back`);
      assert.deepEqual(report(back), report(analyzeTrace(text)));
      assert.deepEqual(tracked(back), tracked(analyzeTrace(text)));
      checked++;
    }
    assert.equal(checked, 5);
  },
);

test("a first packet's SYN seq edited, or a packet line put in above all others, is re-analysed from the change", () => {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/seed-handshake.trace'), 'utf8');
  const prev = analyzeTrace(text);
  const resequenced = text.replace('S 3626544836:3626544836(0)', 'S 3626544837:3626544837(0)');
  const syn = reanalyze(prev, resequenced);
  assert.ok(syn, 'incremental');
  assert.deepEqual(report(syn), report(analyzeTrace(resequenced)));
  // A packet line put in above all others; a note added only moves what is below it.
  const packet = text.split('\n').find((l) => l.includes(' > '))!;
  const above = reanalyze(analyzeTrace(text), `${packet}\n${text}`);
  assert.ok(above, 'incremental');
  assert.deepEqual(report(above), report(analyzeTrace(`${packet}\n${text}`)));
  const noted = `${text}\n# one more line\n`;
  assert.deepEqual(report(reanalyze(analyzeTrace(text), noted)!), report(analyzeTrace(noted)));
  // An endpoint changed: the packet leaves its connection for a new one, read again in its place.
  const moved = text.replace(
    '192.168.1.116.3337 > 192.168.1.123.7788: .',
    '192.168.1.116.3338 > 192.168.1.123.7788: .',
  );
  const elsewhere = reanalyze(analyzeTrace(text), moved);
  assert.ok(elsewhere, 'incremental');
  assert.deepEqual(report(elsewhere), report(analyzeTrace(moved)));
  assert.equal(elsewhere.connections.length, 2);
  const edited = text.replace('. ack 1 win 1460', '. ack 1 win 1461');
  const inc = reanalyze(analyzeTrace(text), edited);
  assert.ok(inc, 'a window edit is incremental');
  assert.deepEqual(report(inc), report(analyzeTrace(edited)));
});

// The first record went the long way: a whole analysis for its time edited, a packet line pasted
// above it, or it deleted (422-590 ms in 100 000 packets). It is read again with the lines above it
// (its notes, a command line), its time counted from the start of the trace.
test("the first record's time edited, it deleted and put back, or a packet pasted above it, from the change range", () => {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/lossy-transfer.trace'), 'utf8');
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^\d/.test(l));
  const syn = lines.find((l) => l.includes('Flags [S]'))!;
  const at = (line: number, character = 0) => ({ line, character });
  // A digit of the first record's seconds (18:24:35 -> 18:24:34), and put back.
  const digit = lines[first]!.indexOf(':35.') + 2;
  const timed = equalsFresh(
    reanalyzeEdit(analyzeTrace(text), { start: at(first, digit), end: at(first, digit + 1) }, '4'),
    'time edited',
  );
  equalsFresh(
    reanalyzeEdit(timed, { start: at(first, digit), end: at(first, digit + 1) }, '5'),
    'time put back',
  );
  // The first record deleted (its notes go to the record below), then put back.
  const deleted = equalsFresh(
    reanalyzeEdit(analyzeTrace(text), { start: at(first), end: at(first + 1) }, ''),
    'first deleted',
  );
  equalsFresh(
    reanalyzeEdit(deleted, { start: at(first), end: at(first) }, `${lines[first]}\n`),
    'first put back',
  );
  // The SYN pasted above the first record, below its notes (they are the SYN's now), and above them.
  equalsFresh(
    reanalyzeEdit(analyzeTrace(text), { start: at(first), end: at(first) }, `${syn}\n`),
    'pasted below notes',
  );
  equalsFresh(
    reanalyzeEdit(analyzeTrace(text), { start: at(0), end: at(0) }, `${syn}\n`),
    'pasted at the top',
  );
});

// In an -A dump only the first packet has notes: comment lines after a packet are its payload. Found
// by random edits of the first lines of an -A rendering: a packet line pasted above the notes made
// them the pasted packet's payload, and the packet below kept them as its notes.
test(
  'a packet line put in above the first of an -A dump takes its notes as payload, from the change range',
  { skip: !present && 'no corpus' },
  () => {
    // (Longer than the file's head, 4 096 characters: a shorter file is analysed whole at any edit there.)
    const dump = corpusLines('bulk-loss-tx/A-nn.trace').slice(0, 400);
    const text = `# a note\n${dump.join('\n')}\n`;
    const packet = dump.find((l, k) => k > 0 && /^\d\d:/.test(l))!;
    const at = { line: 0, character: 0 };
    const notes = (a: TraceAnalysis) => a.parsed.records.map((r) => r.annotations);
    const put = reanalyzeEdit(analyzeTrace(text), { start: at, end: at }, `${packet}\n`);
    assert.ok(put, 'incremental');
    const fresh = analyzeTrace(`${packet}\n${text}`);
    assert.ok(fresh.parsed.asciiDump);
    assert.deepEqual(notes(put), notes(fresh));
    assert.deepEqual(notes(fresh)[1], [], 'the packet below has no notes');
    assert.deepEqual(report(put), report(fresh));
    assert.deepEqual(tracked(put), tracked(fresh));
    const back = reanalyzeEdit(put, { start: at, end: { line: 1, character: 0 } }, '');
    assert.ok(back, 'incremental');
    assert.deepEqual(notes(back), notes(analyzeTrace(text)));
    assert.equal(notes(back)[0]![0]!.text, 'a note');
    assert.deepEqual(tracked(back), tracked(analyzeTrace(text)));
  },
);

/**
 * The example lossy transfer's packet lines with tcpdump's -ttt times (each from the packet before) or,
 * `cumulative`, -ttttt's (each from the first packet).
 */
function deltaTrace(cumulative: boolean): string[] {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/lossy-transfer.trace'), 'utf8');
  const packets = text.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));
  const seconds = (l: string) =>
    Number(l.slice(0, 2)) * 3600 + Number(l.slice(3, 5)) * 60 + Number(l.slice(6, 15));
  const stamp = (t: number) => {
    const micros = Math.round(t * 1e6);
    const s = Math.floor(micros / 1e6);
    const two = (n: number) => String(n).padStart(2, '0');
    return ` ${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${String(micros % 1e6).padStart(6, '0')}`;
  };
  return packets.map((l, k) => {
    const t = seconds(l) - seconds(packets[cumulative ? 0 : Math.max(0, k - 1)]!);
    return `${stamp(t)}${l.slice(15)}`;
  });
}

// -ttt and -ttttt times went the long way at any packet line put in or taken away (their reading,
// from the packet before or from the first, is judged on all of them): 100 lines pasted at the end of
// 100 000 -ttt packets took 457 ms. Lines at the end are timed on from the packet above; -ttttt times
// do not move when a packet is taken away from the middle, -ttt ones do (the long way).
test('-ttt and -ttttt lines pasted at the end or taken away there, and -ttttt packets deleted, from the change range', () => {
  for (const cumulative of [false, true]) {
    const lines = deltaTrace(cumulative);
    const text = `${lines.join('\n')}\n`;
    const prev = analyzeTrace(text);
    assert.ok(prev.parsed.records.every((r) => r.timeKind === 'delta'));
    const label = cumulative ? '-ttttt' : '-ttt';
    const same = (inc: TraceAnalysis | undefined, what: string) => equalsFresh(inc, `${label} ${what}`);
    // The last 40 lines taken away, then pasted back.
    const cut = lines.length - 40;
    const end = { line: lines.length, character: 0 };
    const shortened = same(
      reanalyzeEdit(prev, { start: { line: cut, character: 0 }, end }, ''),
      'lines taken away at the end',
    );
    const at = { line: cut, character: 0 };
    same(
      reanalyzeEdit(
        shortened,
        { start: at, end: at },
        lines
          .slice(cut)
          .map((l) => `${l}\n`)
          .join(''),
      ),
      'lines pasted at the end',
    );
    // A packet in the middle deleted: -ttttt times stay, -ttt ones below move (a whole analysis).
    const middle = { start: { line: 100, character: 0 }, end: { line: 101, character: 0 } };
    const deleted = reanalyzeEdit(analyzeTrace(text), middle, '');
    if (cumulative) same(deleted, 'a packet deleted');
    else assert.equal(deleted, undefined);
  }
});

// Found by random edits at both ends of a -ttt trace: a record of another kind of time (a line cut
// to '1.37327 > ...', read as an epoch time) above a deleted -ttt packet left the sum of the deltas
// before it unknown; the record below must then keep its time for the edit to stay local.
test('a -ttt packet deleted below a record of another kind of time equals a fresh analysis', () => {
  const lines = deltaTrace(false).slice(0, 60);
  lines.splice(1, 0, '1.37327 > 10.77.0.2.5001: Flags [S.], seq 1, ack 1, win 512, length 0');
  const text = `${lines.join('\n')}\n`;
  assert.equal(analyzeTrace(text).parsed.records[1]!.timeKind, 'epoch');
  const next = `${lines.slice(0, 2).concat(lines.slice(3)).join('\n')}\n`;
  const inc = reanalyze(analyzeTrace(text), next) ?? analyzeTrace(next);
  assert.deepEqual(tracked(inc), tracked(analyzeTrace(next)));
});

// A record without a time below the edited one passes the clock on: the day of the next timed
// record depends on the edited time. Only the record below was checked, and a record without a time
// kept its (none): 22:00 edited to 12:00 left 09:00 on the next day (118 800 s, 32 400 fresh).
test('a time edited above a record without one keeps the day of the times below it right', () => {
  const lines = [
    '10:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 512, length 0',
    '10:00:00.100000 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 7, ack 2, win 512, length 0',
    '22:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 512, length 0',
    'IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [P.], seq 1:11, ack 1, win 512, length 10',
    '09:00:00.000000 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [.], ack 11, win 512, length 0',
  ];
  const text = `${lines.join('\n')}\n`;
  const edited = text.replace('22:00:00.000000', '12:00:00.000000');
  const fresh = analyzeTrace(edited);
  assert.deepEqual(
    fresh.parsed.records.map((r) => r.time),
    [36000, 36000.1, 43200, undefined, 32400],
  );
  const inc = reanalyze(analyzeTrace(text), edited) ?? fresh;
  assert.deepEqual(tracked(inc), tracked(fresh));
  // An edit that keeps the day below (22:00 to 23:00: 09:00 is still the next day) stays local.
  const kept = text.replace('22:00:00.000000', '23:00:00.000000');
  const local = reanalyze(analyzeTrace(text), kept);
  assert.ok(local, 'incremental');
  assert.deepEqual(tracked(local), tracked(analyzeTrace(kept)));
});

test('a first record that moves the next to another day, or a command line no longer before the first packet, goes the long way', () => {
  // Times count on past midnight: 23:59:59 then 00:00:02 is the next day.
  const night = [
    '00:00:01.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 512, length 0',
    '00:00:02.000000 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 7, ack 2, win 512, length 0',
    '00:00:03.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 512, length 0',
    '',
  ].join('\n');
  const lateStart = night.replace('00:00:01.000000', '23:59:59.000000');
  assert.equal(reanalyze(analyzeTrace(night), lateStart), undefined);
  // The same edit where it keeps the day is incremental.
  const earlier = night.replace('00:00:01.000000', '00:00:00.500000');
  const kept = reanalyze(analyzeTrace(night), earlier);
  assert.ok(kept, 'incremental');
  assert.deepEqual(tracked(kept), tracked(analyzeTrace(earlier)));
  // A pasted session's command line says how its numbers are printed (-S: absolute), only before the
  // first packet: a packet line pasted above it makes the reading the file's own again.
  const seed = fs.readFileSync(path.join(__dirname, '../../../examples/seed-handshake.trace'), 'utf8');
  const session = `$ tcpdump -nnS -r handshake.pcap\n${seed}`;
  const packet = seed.split('\n').find((l) => l.includes(' > '))!;
  assert.equal(analyzeTrace(session).parsed.commandNumbering, true);
  assert.equal(reanalyze(analyzeTrace(session), `${packet}\n${session}`), undefined);
  const resequenced = session.replace('S 3626544836:3626544836(0)', 'S 3626544837:3626544837(0)');
  const inc = reanalyze(analyzeTrace(session), resequenced);
  assert.ok(inc, 'the command line still before the first packet: incremental');
  assert.deepEqual(report(inc), report(analyzeTrace(resequenced)));
});

// Found by a run of random one-character edits: an ACK's flags made [F] (no ACK any more) no longer
// tells the seq the bare ACK before it had been given from it; numbered again, its 4-tuple is numbered
// from scratch, as a fresh analysis numbers it.
test(
  "a record that no longer tells a bare ACK's seq leaves it unknown",
  { skip: !present && 'no corpus' },
  () => {
    let lines = corpusLines('tcpdump-kday4/default.trace');
    const edits: Array<[number, number, string]> = [
      [8, 53, '8'],
      [8, 7, '2'],
      [8, 8, '3'],
      [1, 64, 'R'],
      [12, 53, '7'],
      [16, 53, '5'],
      [1, 8, '5'],
      [1, 7, '5'],
    ];
    const put = (ls: string[], [line, col, ch]: [number, number, string]) =>
      ls.map((l, i) => (i === line ? l.slice(0, col) + ch + l.slice(col + 1) : l));
    for (const edit of edits) lines = put(lines, edit);
    const prev = analyzeTrace(`${lines.join('\n')}\n`);
    const text = `${put(lines, [15, 65, 'F']).join('\n')}\n`;
    // (A small file: the whole text's way.)
    const inc = reanalyze(prev, text);
    assert.ok(inc, 'incremental');
    assert.deepEqual(tracked(inc), tracked(analyzeTrace(text)));
  },
);

// Packets put in above where their connection started: it starts there now, before others, and the
// connections are numbered again in the order they start.
test(
  'a connection that starts elsewhere after a splice is numbered again',
  { skip: !present && 'no corpus' },
  () => {
    const lines = corpusLines('tcpdump-bgp-4byte-asn/nn.trace');
    const prev = analyzeTrace(`${lines.join('\n')}\n`);
    const keys = prev.connections.map((c) => c.key);
    // The SYN and SYN-ACK of the fifth connection, copied above the second's.
    const text = `${lines.slice(0, 10).concat(lines.slice(40, 42), lines.slice(10)).join('\n')}\n`;
    const inc = reanalyze(prev, text);
    assert.ok(inc, 'incremental');
    const fresh = analyzeTrace(text);
    assert.deepEqual(report(inc), report(fresh));
    assert.deepEqual(tracked(inc), tracked(fresh));
    assert.deepEqual(
      inc.connections.map((c) => c.key),
      [keys[0], keys[4], keys[1], keys[2], keys[3], keys[5]],
    );
  },
);

// Found by a run of random one-character edits: a bare ACK made [F] (no ACK any more) leaves its
// connection without the peer's base, so the peer's SYN after it joins that connection instead of
// starting one of its own. Re-tracking the edited connection alone kept the second connection.
test('an edit that changes whether a later SYN starts a connection re-tracks the 4-tuple', () => {
  let lines = splitLines(
    fs.readFileSync(
      path.join(__dirname, '../../../test/differential/crafted-third-ack-bad/tttt-nn.trace'),
      'utf8',
    ),
  );
  const put = (ls: string[], [line, col, ch]: [number, number, string]) =>
    ls.map((l, i) => (i === line ? l.slice(0, col) + ch + l.slice(col + 1) : l));
  const edits: Array<[number, number, string]> = [
    [3, 74, 'S'],
    [0, 74, '.'],
    [0, 64, '5'],
    [1, 8, '4'],
    [1, 64, '1'],
    [1, 74, '.'],
    [0, 74, 'S'],
  ];
  for (const edit of edits) lines = put(lines, edit);
  const prev = analyzeTrace(`${lines.join('\n')}\n`);
  assert.equal(prev.connections.length, 4);
  const text = `${put(lines, [2, 74, 'F']).join('\n')}\n`;
  const fresh = analyzeTrace(text);
  assert.equal(fresh.connections.length, 3, 'the SYN joins the connection before it');
  const inc = reanalyze(prev, text);
  if (inc) assert.deepEqual(report(inc), report(fresh));
});

/** The change event an editor sends for `before` -> `after` (one line changed): the differing span. */
function changeEvent(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  const x = a[line]!;
  const y = b[line]!;
  let p = 0;
  while (p < x.length && p < y.length && x[p] === y[p]) p++;
  let q = 0;
  while (q < x.length - p && q < y.length - p && x[x.length - 1 - q] === y[y.length - 1 - q]) q++;
  return {
    range: { start: { line, character: p }, end: { line, character: x.length - q } },
    text: y.slice(p, y.length - q),
  };
}

test(
  "an editor's change range alone (reanalyzeEdit) gives what a fresh analysis gives",
  { skip: !present && 'no corpus' },
  () => {
    const { cases, applied } = editOneByOne(7, (prev, text, next) => {
      const change = changeEvent(text, next);
      return reanalyzeEdit(prev, change.range, change.text);
    });
    assert.ok(cases > 100);
    assert.ok(applied * 4 > cases, `only ${applied} of ${cases} edits applied from their range`);
  },
);

test('a change range that makes the file another kind, or would mix line breaks, goes the long way', () => {
  const lines = fs.readFileSync(path.join(CORPUS, 'bulk-loss-tx/nn.trace'), 'utf8').split('\n');
  const text = lines.join('\n');
  const prev = analyzeTrace(text);
  const far = lines.length - 3;
  const at = (line: number, character: number) => ({ line, character });
  const win = lines[far]!.indexOf(' win ') + 5;
  assert.ok(
    reanalyzeEdit(prev, { start: at(far, win), end: at(far, win + 1) }, '7'),
    'a window digit far down',
  );
  // The head decides what kind of file this is (binary, UTF-16): an edit there has it judged again.
  // Text still, the edit is re-analysed as any other; made a gzip file's magic number, or binary, the
  // whole text is judged again.
  const headEdit = (range: { start: LinePosition; end: LinePosition }, put: string) =>
    reanalyzeEdit(analyzeTrace(text), range, put);
  const headWin = lines[5]!.indexOf(' win ') + 5;
  const winDigit = headEdit({ start: at(5, headWin), end: at(5, headWin + 1) }, '7');
  assert.ok(winDigit, 'a window digit on line 6');
  const withDigit = lines.slice();
  withDigit[5] = `${lines[5]!.slice(0, headWin)}7${lines[5]!.slice(headWin + 1)}`;
  assert.deepEqual(report(winDigit), report(analyzeTrace(withDigit.join('\n'))));
  const note = headEdit({ start: at(0, 0), end: at(0, 0) }, '# the capture starts here\n');
  assert.ok(note, 'a note above the first packet');
  assert.deepEqual(report(note), report(analyzeTrace(`# the capture starts here\n${text}`)));
  assert.equal(headEdit({ start: at(0, 0), end: at(0, 0) }, '\x1f\x8b\x08'), undefined);
  assert.equal(headEdit({ start: at(2, 0), end: at(2, 0) }, '\0'.repeat(500)), undefined);
  // A CR could join two line ends into one CRLF.
  assert.equal(reanalyzeEdit(prev, { start: at(far, win), end: at(far, win) }, '\r'), undefined);
  // A line break in a packet line: a record taken away, a line cut short and one of text put in its
  // place (see reanalyzeSplice).
  const broken = lines
    .slice(0, far)
    .concat(lines[far]!.slice(0, win), lines[far]!.slice(win), lines.slice(far + 1));
  assert.deepEqual(
    report(reanalyzeEdit(prev, { start: at(far, win), end: at(far, win) }, '\n')!),
    report(analyzeTrace(broken.join('\n'))),
  );
  // Past the last line.
  assert.equal(reanalyzeEdit(prev, { start: at(lines.length, 0), end: at(lines.length, 0) }, 'x'), undefined);
  // A file whose every line break is \r\n (saved on Windows) is read line by line too, new lines
  // given in \r\n included; a lone \r or \n would make its breaks mixed, where an edit can join two
  // of them into one: the text path splits it again.
  const crlf = () => analyzeTrace(lines.join('\r\n'));
  // (Each from an analysis of its own: an incremental one changes the analysis it is made from.)
  const crlfEdit = (range: { start: LinePosition; end: LinePosition }, text: string, expected: string[]) => {
    const inc = reanalyzeEdit(crlf(), range, text);
    assert.ok(inc, `${JSON.stringify(text)} at ${JSON.stringify(range)}`);
    assert.deepEqual(report(inc), report(analyzeTrace(expected.join('\r\n'))));
    assert.equal(inc.parsed.eol, '\r\n');
  };
  const withWin = lines.slice();
  withWin[far] = lines[far]!.slice(0, win) + '7' + lines[far]!.slice(win + 1);
  crlfEdit({ start: at(far, win), end: at(far, win + 1) }, '7', withWin);
  crlfEdit({ start: at(far, 0), end: at(far + 1, 0) }, '', lines.slice(0, far).concat(lines.slice(far + 1)));
  crlfEdit(
    { start: at(far, 0), end: at(far, 0) },
    `${lines[3]}\r\n`,
    lines.slice(0, far).concat(lines[3]!, lines.slice(far)),
  );
  for (const text of ['\r', '\n', `${lines[3]}\n`, '7\r'])
    assert.equal(reanalyzeEdit(crlf(), { start: at(far, win), end: at(far, win) }, text), undefined);
  const mixed = analyzeTrace(`${lines.slice(0, 5).join('\r')}\r${lines.slice(5).join('\r\n')}`);
  assert.equal(reanalyzeEdit(mixed, { start: at(far, win), end: at(far, win + 1) }, '7'), undefined);
});
