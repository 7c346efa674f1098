// Property-based tests (fast-check) on the parser, the analyser and every LSP feature: for any text, for
// tcpdump-like traces built from a grammar of real fields, and for any sequence of edits to a real
// corpus trace, nothing throws, every range lies inside the document, every code is known, and the
// analysis the server's document cache holds after the edits equals a fresh analysis of the final text.
//
// Seeded (ROBUSTNESS_SEED, default fixed) so a failure reproduces; fast-check prints the seed and the
// shrunk counterexample. ROBUSTNESS_RUNS scales every property's run count (default 1).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { TextDocument, type Range } from 'vscode-languageserver-textdocument';
import { DocumentCache } from '../../server/src/documentCache';
import { analyzeTrace, parseTrace } from '../../server/src/trace/index';
import { withPlainSpaces } from '../../server/src/trace/pastedText';
import {
  HOSTILE_NUMBERS,
  analysisFingerprint,
  analyzeAndCheck,
  checkFeatures,
  corpusFiles,
  corpusLines,
  describeInput,
  documentLines,
  prng,
  probesFor,
  smallCorpusFiles,
  type Violation,
  SEED,
} from './support';

const SCALE = Number(process.env.ROBUSTNESS_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Known-bug violations seen, by bug id (reported at the end, not failed). */
const knownSeen = new Map<string, number>();

after(() => {
  if (knownSeen.size)
    console.log(
      `robustness properties: known bugs tolerated: ${[...knownSeen].map(([k, n]) => `${k} x${n}`).join(', ')}`,
    );
});

/** Fails with the input and every violation that is not a known bug. */
function assertClean(text: string, violations: Violation[]): void {
  const fresh = violations.filter((v) => {
    if (v.knownBug) knownSeen.set(v.knownBug, (knownSeen.get(v.knownBug) ?? 0) + 1);
    return !v.knownBug;
  });
  if (fresh.length)
    assert.fail(
      `${fresh.length} violation(s) on ${describeInput(text, 300)}:\n${fresh
        .slice(0, 5)
        .map((v) => `  [${v.kind}] ${v.detail.split('\n').slice(0, 8).join('\n    ')}`)
        .join('\n')}`,
    );
}

/** The analysis and every feature on `text`, at probes from `probeSeed`. */
function checkAll(text: string, probeSeed: number, probes = 6): void {
  const { analysis, violations } = analyzeAndCheck(text);
  assertClean(text, violations);
  if (analysis) assertClean(text, checkFeatures(text, analysis, probesFor(text, prng(probeSeed), probes)));
}

// ---- arbitraries ----

/** Single characters and snippets that matter to the parser, and any UTF-16 code unit. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\r',
      '\r\n',
      '\t',
      '\u0000',
      '\ufeff',
      '\ufffd',
      '\ud83d',
      '\ude00',
      '😀',
      '٣',
      '３',
      ': ',
      ' > ',
      ': Flags [',
      ', seq ',
      ', ack ',
      ', win ',
      ', length ',
      ', options [',
      '[',
      ']',
      '{',
      '}',
      '<',
      '>',
      '(',
      ')',
      '#',
      '.',
      ',',
      '[|tcp]',
      ': tcp ',
      'IP ',
      'IP6 ',
      '10:00:00.000001 ',
      '    ',
      '\t0x0000:  ',
      '4294967296',
      '4294967295',
      '-1',
      '9'.repeat(30),
    ),
  },
);

const anyText = fc.string({ unit: hostileUnit, maxLength: 300, size: 'medium' });

// A grammar of tcpdump lines, from real fields and hostile numbers. A few hosts and ports keep packets
// in the same connections, so the handshake, teardown and sequence checks all run.
const num = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 0xffffffff }).map(String) },
  { weight: 3, arbitrary: fc.nat({ max: 2000 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS.filter((n) => n.length < 50)) },
);
const clock = fc
  .tuple(fc.nat({ max: 23 }), fc.nat({ max: 59 }), fc.nat({ max: 59 }), fc.nat({ max: 999999 }))
  .map(
    ([h, m, s, us]) =>
      `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(us).padStart(6, '0')}`,
  );
const timePrefix = fc.oneof(
  clock.map((c) => `${c} `),
  clock.map((c) => `2026-11-25 ${c} `),
  fc.nat({ max: 2_000_000_000 }).map((s) => `${s}.${String(s % 1000000).padStart(6, '0')} `),
  clock.map((c) => ` ${c} `),
  fc.constant(''),
  fc.constantFrom('99:99:99.999999 ', '10:00:00.12345678901 ', '1.1 ', '-00:00:01.000000 '),
);
const numberPrefix = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.nat({ max: 99999 }).map((n) => `${String(n).padStart(5)}  `) },
);
const ipPrefix = fc.constantFrom(
  'IP ',
  'IP ',
  'IP6 ',
  '',
  'IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)\n    ',
  '00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 74: ',
  'lo In  IP ',
  'IP truncated-ip - 768 bytes missing! ',
);
const host = fc.constantFrom(
  '10.0.0.1',
  '10.0.0.2',
  '::1',
  'fe80::1',
  'localhost',
  'host-a',
  '192.168.1.116',
);
const port = fc.oneof(
  fc.constantFrom('80', '1000', '40000', '5001', 'http', 'ssh', 'http-alt'),
  num,
  fc.constant(''),
);
const endpoint = fc.tuple(host, port).map(([h, p]) => (p ? `${h}.${p}` : h));
const flagLetters = fc.string({
  unit: fc.constantFrom('S', 'F', 'R', 'P', '.', 'U', 'E', 'W', 'e', 'x', '['),
  maxLength: 5,
});
const option = fc.oneof(
  fc.constantFrom(
    'mss 1460',
    'nop',
    'sackOK',
    'wscale 7',
    'wscale 14',
    'eol',
    'mptcp capable v1',
    'tfo  cookiereq',
    'unknown-99 0x11',
    "md5 shared secret not supplied with -M, can't check - 0123456789abcdef",
    'scps[bad opt]',
    '',
  ),
  fc.tuple(num, num).map(([a, b]) => `TS val ${a} ecr ${b}`),
  fc
    .array(fc.tuple(num, num), { maxLength: 4 })
    .map((bs) => `sack ${bs.length} ${bs.map(([a, b]) => `{${a}:${b}}`).join('')}`),
);
const field = fc.oneof(
  num.map((n) => `seq ${n}`),
  fc.tuple(num, num).map(([a, b]) => `seq ${a}:${b}`),
  num.map((n) => `ack ${n}`),
  num.map((n) => `win ${n}`),
  num.map((n) => `urg ${n}`),
  num.map((n) => `length ${n}`),
  fc.array(option, { maxLength: 6 }).map((os) => `options [${os.join(',')}]`),
  fc.constantFrom(
    'cksum 0x1234 (correct)',
    'cksum 0xfe30 (incorrect -> 0x4fc4)',
    '[|tcp]',
    '[bad hdr length 4',
  ),
  fc.string({ unit: hostileUnit, maxLength: 12 }),
);
const modernTcp = fc
  .tuple(flagLetters, fc.array(field, { maxLength: 7, size: 'medium' }), fc.boolean())
  .map(
    ([f, fs, colon]) =>
      `Flags [${f}]${fs.map((x) => `, ${x}`).join('')}${colon ? ': HTTP: GET / HTTP/1.1' : ''}`,
  );
const oldTcp = fc
  .tuple(
    fc.constantFrom('S', '.', 'P', 'F', 'R', 'FP', 'S.', 'x'),
    num,
    num,
    num,
    fc.array(
      fc.oneof(
        num.map((n) => `ack ${n}`),
        num.map((n) => `win ${n}`),
        fc.constant('<mss 1460,nop>'),
      ),
      {
        maxLength: 3,
      },
    ),
  )
  .map(([f, a, b, l, rest]) => `${f} ${a}:${b}(${l}) ${rest.join(' ')}`.trimEnd());
const tcpPart = fc.oneof(
  { weight: 6, arbitrary: modernTcp },
  { weight: 2, arbitrary: oldTcp },
  { weight: 1, arbitrary: num.map((n) => `tcp ${n}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('ip-proto-6', 'UDP, length 20', 'ICMP echo request, id 1, seq 1, length 64'),
  },
);
const packetLine = fc
  .tuple(numberPrefix, timePrefix, ipPrefix, endpoint, endpoint, tcpPart)
  .map(([n, t, ip, a, b, tcp]) => `${n}${t}${ip}${a} > ${b}: ${tcp}`);
const traceLine = fc.oneof(
  { weight: 10, arbitrary: packetLine },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '# a note',
      '',
      '   ',
      '\t0x0000:  4500 003c 98e2 4000 4006 a3d7 7f00 0001  E..<..@.@.......',
      'E..<..@.@............T..D.P....',
      '10:00:00.000000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28',
      'not a packet at all',
      '# packet-trace: the capture is damaged \u0007',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: hostileUnit, maxLength: 40 }) },
);
const eol = fc.constantFrom('\n', '\r\n', '\r');
const grammarTrace = fc
  .tuple(
    fc.array(fc.tuple(traceLine, eol), { minLength: 1, maxLength: 30, size: 'medium' }),
    fc.boolean(),
    eol,
  )
  .map(([ls, mixed, one]) => ls.map(([l, e]) => l + (mixed ? e : one)).join(''));

/** One edit at fractional positions of the current text, so any edit applies to any text. */
interface Edit {
  at: number;
  length: number;
  insert: string;
}
const realLine = fc.constantFrom(...corpusLines().slice(0, 5000));
const insertion = fc.oneof(
  fc.constant(''),
  fc.string({ unit: hostileUnit, maxLength: 20 }),
  realLine.map((l) => `${l}\n`),
  fc.constantFrom(...HOSTILE_NUMBERS),
);
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.oneof(fc.constant(0), fc.nat({ max: 10 }), fc.nat({ max: 400 })),
  insert: insertion,
});

// ---- properties ----

describe('the core on any text', () => {
  test('analyzeTrace never throws and keeps every invariant on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, fc.integer(), (text, probeSeed) => checkAll(text, probeSeed)),
      { seed: SEED, numRuns: runs(3000) },
    );
  });

  test('parseTrace: line count, lines and records agree with the document', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const p = parseTrace(text);
        if (p.binary) return;
        // (With each no-break space a plain one, as tcpdump printed it: see withPlainSpaces. Found by
        // `npm run fuzz`, seed 451230002: a lone U+00A0.)
        const doc = documentLines(withPlainSpaces(text));
        assert.ok(p.lineCount === p.lines.length, 'lineCount is the number of lines');
        // The parser drops the empty line after a final line break; otherwise its lines are the document's.
        assert.deepEqual(p.lines, doc.length && doc[doc.length - 1] === '' ? doc.slice(0, -1) : doc);
        for (const r of p.records) assert.ok(r.endLine < p.lineCount);
      }),
      { seed: SEED, numRuns: runs(1000) },
    );
  });

  test('analysis is deterministic: the same text twice, with another text between, gives the same result', () => {
    fc.assert(
      fc.property(grammarTrace, anyText, (text, other) => {
        const first = analysisFingerprint(analyzeTrace(text));
        analyzeTrace(other);
        assert.deepEqual(analysisFingerprint(analyzeTrace(text)), first);
      }),
      { seed: SEED, numRuns: runs(300) },
    );
  });
});

describe('tcpdump-like traces from a grammar of real fields', () => {
  test('no throw, ranges inside, known codes: analysis and every LSP feature', () => {
    fc.assert(
      fc.property(grammarTrace, fc.integer(), (text, probeSeed) => checkAll(text, probeSeed, 8)),
      { seed: SEED, numRuns: runs(2000) },
    );
  });
});

describe('edit sequences on real corpus traces', () => {
  const files = smallCorpusFiles(12_000);
  const tally = { edits: 0, incremental: 0, byRange: 0 };

  /**
   * What the server does on each version (`doc`, made from `fromVersion` by `insert` over `range`):
   * the incremental path first, the change event's range (nothing looks at the whole text), then the
   * text compared line by line; then any request. The cached analysis must equal a fresh one.
   */
  function followEdit(
    cache: DocumentCache,
    doc: TextDocument,
    fromVersion: number,
    range: Range,
    insert: string,
  ): void {
    tally.edits++;
    if (cache.tryEdit(doc, fromVersion, range, insert)) {
      tally.incremental++;
      tally.byRange++;
    } else if (cache.tryIncremental(doc)) tally.incremental++;
    assert.deepEqual(
      analysisFingerprint(cache.get(doc).analysis),
      analysisFingerprint(analyzeTrace(doc.getText())),
      'the cached analysis equals a fresh one',
    );
  }

  /**
   * Applies the edits one by one as the server does (TextDocument.update, then the document cache,
   * incremental where it can), and checks after every edit: the invariants, and the cached analysis
   * equal to a fresh analysis of the text. Features run on the final text.
   */
  function editAndCompare(rel: string, edits: Edit[], probeSeed: number, withinLine = false): void {
    const file = files.find((f) => f.rel === rel)!;
    const cache = new DocumentCache();
    let doc = TextDocument.create('file:///robustness/edited.trace', 'packet-trace', 1, file.text);
    let text = file.text;
    cache.get(doc);
    for (const e of edits) {
      // Positions cannot point between the \r and \n of a line break: round through them.
      const from = doc.positionAt(Math.floor(e.at * text.length));
      let to = doc.positionAt(Math.floor(e.at * text.length) + e.length);
      // Within one line: never past the end of the line the edit starts on.
      if (withinLine && to.line !== from.line) to = { line: from.line, character: Number.MAX_SAFE_INTEGER };
      const range = { start: from, end: doc.positionAt(doc.offsetAt(to)) };
      const start = doc.offsetAt(range.start);
      const end = Math.max(start, doc.offsetAt(range.end));
      const fromVersion = doc.version;
      doc = TextDocument.update(doc, [{ range, text: e.insert }], doc.version + 1);
      text = text.slice(0, start) + e.insert + text.slice(end);
      assert.equal(doc.getText(), text, 'the edit applied as the editor applies it');
      assertClean(text, analyzeAndCheck(text).violations);
      followEdit(cache, doc, fromVersion, range, e.insert);
    }
    assertClean(text, checkFeatures(text, cache.get(doc).analysis, probesFor(text, prng(probeSeed), 6)));
  }

  test('any edits: after every edit the invariants hold and the document cache equals a fresh analysis', (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    fc.assert(
      fc.property(
        // By name, so that a counterexample stays readable.
        fc.constantFrom(...files.map((f) => f.rel)),
        fc.array(edit, { minLength: 1, maxLength: 12, size: 'medium' }),
        fc.integer(),
        (rel, edits, probeSeed) => editAndCompare(rel, edits, probeSeed),
      ),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  test('edits inside one packet line (the incremental path): the document cache equals a fresh analysis', (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    // Small replacements of what packet lines are made of, at a point inside a line.
    const token = fc.oneof(
      fc.constantFrom(
        'S',
        'F',
        'R',
        'P',
        '.',
        'S.',
        'F.',
        'R.',
        'P.',
        '',
        ' ',
        ',',
        ':',
        '[',
        ']',
        '0',
        '1',
        '9',
      ),
      fc.constantFrom(...HOSTILE_NUMBERS.filter((n) => n.length < 30)),
      fc.nat({ max: 0xffffffff }).map(String),
    );
    const lineEdit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      length: fc.nat({ max: 6 }),
      insert: token,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...files.map((f) => f.rel)),
        fc.array(lineEdit, { minLength: 1, maxLength: 20, size: 'medium' }),
        fc.integer(),
        (rel, edits, probeSeed) => editAndCompare(rel, edits, probeSeed, true),
      ),
      { seed: SEED, numRuns: runs(300) },
    );
  });

  test('notes and blank lines added or taken away: the document cache equals a fresh analysis', (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    // Annotating: line breaks and notes put in anywhere, a few characters (line breaks among them)
    // taken away.
    const noteEdit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      length: fc.oneof(fc.constant(0), fc.nat({ max: 3 })),
      insert: fc.constantFrom('\n', '\n# note', '# note\n', '\n\n', '#', ' ', ''),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...files.map((f) => f.rel)),
        fc.array(noteEdit, { minLength: 1, maxLength: 20, size: 'medium' }),
        fc.integer(),
        (rel, edits, probeSeed) => editAndCompare(rel, edits, probeSeed),
      ),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  test('packet lines taken away or copied in anywhere: the document cache equals a fresh analysis', (t) => {
    if (!files.length) return t.skip('../shared/corpus is not there');
    // Whole lines: a run of one to three cut at a line, or copied from another place of the file (a
    // packet deleted, a line pasted in: times go back and forth).
    const lineSplice = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      count: fc.integer({ min: 1, max: 3 }),
      from: fc.double({ min: 0, max: 1, noNaN: true }),
      cut: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...files.map((f) => f.rel)),
        fc.array(lineSplice, { minLength: 1, maxLength: 12, size: 'medium' }),
        (rel, splices) => {
          const file = files.find((f) => f.rel === rel)!;
          const cache = new DocumentCache();
          let doc = TextDocument.create('file:///robustness/spliced.trace', 'packet-trace', 1, file.text);
          cache.get(doc);
          for (const sp of splices) {
            const lineCount = doc.lineCount;
            const line = Math.floor(sp.at * lineCount);
            const end = Math.min(lineCount, line + sp.count);
            const source = Math.floor(sp.from * Math.max(1, lineCount - sp.count));
            const copied = doc.getText({
              start: { line: source, character: 0 },
              end: { line: Math.min(lineCount, source + sp.count), character: 0 },
            });
            const range = sp.cut
              ? { start: { line, character: 0 }, end: { line: end, character: 0 } }
              : { start: { line, character: 0 }, end: { line, character: 0 } };
            const insert = sp.cut ? '' : copied;
            const fromVersion = doc.version;
            doc = TextDocument.update(doc, [{ range, text: insert }], doc.version + 1);
            followEdit(cache, doc, fromVersion, range, insert);
          }
        },
      ),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  after(() => {
    console.log(
      `robustness properties: ${tally.edits} edits, ${tally.incremental} analysed incrementally (${tally.byRange} from the change range alone), each compared with a fresh analysis`,
    );
  });
});

describe('the whole corpus', () => {
  test('every rendering of every capture: invariants and every LSP feature at probes', (t) => {
    const files = corpusFiles();
    if (!files.length) return t.skip('../shared/corpus is not there');
    const rand = prng(SEED);
    for (const f of files) {
      const { analysis, violations } = analyzeAndCheck(f.text);
      assertClean(f.text, violations);
      assert.ok(analysis);
      assertClean(f.text, checkFeatures(f.text, analysis, probesFor(f.text, rand, 4)));
    }
    t.diagnostic(`${files.length} corpus files`);
  });
});
