// Record and segment columns grow by doubling as slots are added (columns.ts, ColumnSet): every field
// written before a growth must read back the same after it, spans (several values a slot) included. A
// parse's records are slots of its store (RecordSlots), whose handles are made when asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Segment, SegmentList, SegmentStore } from '../../server/src/trace/model';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeTrace, jsonReport, sarifReport, textReport } from '../../server/src/trace/index';
import { reanalyzeEdit } from '../../server/src/trace/incremental';
import { RecordSlots, RecordStore, SpanField, TraceRecord } from '../../server/src/trace/record';
import { newColumn, withSpareMemory } from '../../server/src/trace/columns';
import { TupleIds } from '../../server/src/trace/tuples';
import { parseTrace } from '../../server/src/trace/parser';
import { resolveTimes } from '../../server/src/trace/times';
import { resolveNumbers } from '../../server/src/trace/numbering';
import { trackConnections } from '../../server/src/trace/connections';

test('records keep every field across the growth of their columns', () => {
  const store = new RecordStore(1);
  const records: TraceRecord[] = [];
  for (let i = 0; i < 100; i++) {
    const r = TraceRecord.create(i, 2 * i, store);
    r.kind = 'tcp';
    r.flags = i % 32;
    r.seq = 4000000000 + i;
    r.win = i === 7 ? undefined : 100 + i;
    r.tuple = i % 5;
    r.truncated = i % 3 === 0;
    r.timeValue = i / 1000;
    r.setSpanColumns(SpanField.length, i, i + 3);
    records.push(r);
  }
  records.forEach((r, i) => {
    assert.equal(r.line, 2 * i);
    assert.equal(r.endLine, 2 * i);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, i % 32);
    assert.equal(r.seq, 4000000000 + i);
    assert.equal(r.win, i === 7 ? undefined : 100 + i);
    assert.equal(r.tuple, i % 5);
    assert.equal(r.truncated, i % 3 === 0);
    assert.equal(r.timeValue, i / 1000);
    assert.deepEqual(r.lengthSpan, { line: 2 * i, start: i, end: i + 3 });
    assert.equal(r.ack, undefined);
  });
});

test('segments keep every field across the growth of their columns', () => {
  const records = new RecordStore(1);
  const recordList: TraceRecord[] = [];
  const store = new SegmentStore(recordList, 1);
  const segments: Segment[] = [];
  for (let i = 0; i < 100; i++) {
    const record = TraceRecord.create(i, i, records);
    recordList.push(record);
    record.flags = i % 2 ? 0x18 : 0x10;
    record.length = i;
    record.seqAbs = 3000000000 + i;
    record.ackAbs = i;
    record.win = 512;
    record.time = i / 10;
    const s = new Segment(
      store,
      store.addSegment(
        i,
        i,
        i % 2 === 0,
        record.flags!,
        i,
        3000000000 + i,
        i,
        512,
        i / 10,
        undefined,
        false,
        i,
      ),
    );
    s.relSeq = i + 1;
    s.originalRecord = i % 3 ? undefined : i;
    segments.push(s);
  }
  segments.forEach((s, i) => {
    assert.equal(s.record.index, i);
    assert.equal(s.position, i);
    assert.equal(s.fromClient, i % 2 === 0);
    assert.equal(s.flags, i % 2 ? 0x18 : 0x10);
    assert.equal(s.len, i);
    assert.equal(s.seq, 3000000000 + i);
    assert.equal(s.ack, i);
    assert.equal(s.win, 512);
    assert.equal(s.time, i / 10);
    assert.equal(s.nextPrintedSeq, undefined);
    assert.equal(s.nextPrintedSoon, false);
    assert.equal(s.analysis, i);
    assert.equal(s.relSeq, i + 1);
    assert.equal(s.originalRecord, i % 3 ? undefined : i);
    assert.deepEqual(s.clientState, ['UNKNOWN', 'UNKNOWN']);
  });
});

test("tracking takes a segment's numbers from its record: the ack only with the ACK flag, the length less what the capture lacks", () => {
  const parsed = parseTrace(
    '12:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 7, win 512, length 100\n' +
      '12:00:00.100000 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 70, ack 8, win 512, length 0\n',
  );
  const records = parsed.recordList;
  resolveTimes(records);
  resolveNumbers(records);
  // A SYN with an ack field (as a hostile line may print one) and a header that says 40 bytes are
  // missing from the capture.
  records.at(0)!.ackAbs = 9;
  records.at(0)!.ipMissingBytes = 40;
  const [syn, synAck] = [...trackConnections(records).connections[0]!.segments];
  assert.equal(syn!.ack, undefined);
  assert.equal(syn!.seq, 7);
  assert.equal(syn!.len, 60);
  assert.equal(syn!.win, 512);
  assert.equal(syn!.time, 43200);
  assert.equal(syn!.nextPrintedSeq, 8, "no seq of its side follows: the peer's ack of it");
  assert.equal(synAck!.ack, 8);
  assert.equal(synAck!.len, 0);
  assert.equal(synAck!.time, 43200.1);
  assert.equal(synAck!.fromClient, false);
});

test("a connection's segment list gives a handle on each entry, over the stores of two tracking runs", () => {
  const records: TraceRecord[] = [];
  const recordStore = new RecordStore(1);
  for (let i = 0; i < 40; i++) {
    const r = TraceRecord.create(i, i, recordStore);
    r.flags = 0x10;
    r.length = i;
    records.push(r);
  }
  const first = new SegmentStore(records, 1);
  const second = new SegmentStore(records, 1);
  const list = new SegmentList(first);
  const add = (store: SegmentStore, at: number, position: number, fromClient: boolean) =>
    store.addSegment(at, position, fromClient, 0x10, at, NaN, NaN, NaN, NaN, undefined, false, 0);
  for (let i = 0; i < 20; i++) list.push(add(first, i, i, true), first);
  assert.equal(list.length, 20);
  assert.equal(list.at(7).record.index, 7);
  assert.equal(list.recordIndex(7), 7);
  assert.ok(list.at(7).is(list.at(7)), 'two handles on one entry stand for the same segment');
  assert.ok(!list.at(7).is(list.at(8)));
  // A re-tracked connection: the old run's first entries, new ones in another store, then the old tail.
  const retracked = list.head(5);
  for (let i = 5; i < 10; i++) retracked.push(add(second, 20 + i, i, false), second);
  retracked.append(list, 10);
  assert.equal(retracked.length, 20);
  assert.deepEqual(
    [...retracked].map((s) => s.record.index),
    [0, 1, 2, 3, 4, 25, 26, 27, 28, 29, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  );
  assert.deepEqual(
    Array.from({ length: 20 }, (_, k) => retracked.recordIndex(k)),
    [...retracked].map((s) => s.record.index),
  );
  assert.ok(retracked.at(0).is(list.at(0)) && retracked.at(12).is(list.at(12)));
  assert.ok(!retracked.at(5).is(list.at(5)));
  assert.equal(retracked.at(6).fromClient, false);
  // The old list is left as it was.
  assert.equal(list.length, 20);
  assert.equal(list.at(5).record.index, 5);
  assert.equal(
    retracked.findIndex((s) => !s.fromClient),
    5,
  );
  assert.deepEqual(
    retracked.filter((s) => s.len > 12, 10).map((s) => s.record.index),
    [13, 14, 15, 16, 17, 18, 19],
  );
});

test('a record finds its endpoints by its 4-tuple, and its option list in the lines or a text of its own', () => {
  const tuples = new TupleIds();
  const a = { host: '10.0.0.1', portText: '80', port: 80, key: '10.0.0.1.80', id: 0 };
  const b = { host: '10.0.0.2', portText: '5000', port: 5000, key: '10.0.0.2.5000', id: 1 };
  const line =
    'IP 10.0.0.2.5000 > 10.0.0.1.80: Flags [S], seq 1, win 64, options [mss 1460,wscale 7], length 0';
  const open = line.indexOf('[mss');
  const withLines = new RecordStore(1, tuples, [line]);
  const withoutLines = new RecordStore(1, tuples);
  const tuple = tuples.of(a, b);
  for (const store of [withLines, withoutLines]) {
    const fromB = TraceRecord.create(0, 0, store);
    fromB.setEndpoints(b, a, tuple);
    fromB.setOptionSource(line, open, 0);
    const fromA = TraceRecord.create(1, 0, store);
    fromA.setEndpoints(a, b, tuple);
    assert.equal(fromB.src, b);
    assert.equal(fromB.dst, a);
    assert.equal(fromA.src, a);
    assert.equal(fromA.dst, b);
    assert.equal(fromB.tuple, fromA.tuple);
    assert.deepEqual(
      fromB.options.map((o) => [o.kind, o.value]),
      [
        ['mss', 1460],
        ['wscale', 7],
      ],
    );
    assert.equal(fromB.wscale, 7);
    assert.deepEqual(fromA.options, []);
  }
  const none = TraceRecord.create(2, 0, withLines);
  assert.equal(none.src, undefined);
  assert.equal(none.dst, undefined);
});

test('span columns start at 8 bits and widen to 16, then 32, keeping every span, as lines get longer', () => {
  const store = new RecordStore(1);
  const short = TraceRecord.create(0, 0, store);
  short.setSpanColumns(SpanField.seq, 10, 20);
  short.setSpanColumns(SpanField.win, 200, 254);
  assert.deepEqual(short.winSpan, { line: 0, start: 200, end: 254 });
  short.flagsSpan = { line: 0, start: 250, end: 300 };
  assert.deepEqual(short.seqSpan, { line: 0, start: 10, end: 20 }, 'kept when widened to 16 bits');
  assert.deepEqual(short.flagsSpan, { line: 0, start: 250, end: 300 });
  short.lengthSpan = { line: 0, start: 65000, end: 65534 };
  const long = TraceRecord.create(1, 1, store);
  long.setSpanColumns(SpanField.ack, 70000, 70010);
  long.setEndpointColumns(0, 5, 8, 100000);
  const after = TraceRecord.create(2, 2, store);
  after.winSpan = { line: 2, start: 3, end: 9 };
  assert.deepEqual(short.seqSpan, { line: 0, start: 10, end: 20 });
  assert.deepEqual(short.winSpan, { line: 0, start: 200, end: 254 });
  assert.deepEqual(short.flagsSpan, { line: 0, start: 250, end: 300 });
  assert.deepEqual(short.lengthSpan, { line: 0, start: 65000, end: 65534 });
  assert.deepEqual(long.ackSpan, { line: 1, start: 70000, end: 70010 });
  assert.deepEqual(long.dstSpan, { line: 1, start: 8, end: 100000 });
  assert.deepEqual(after.winSpan, { line: 2, start: 3, end: 9 });
  assert.equal(short.ackSpan, undefined);
  // A line that long, read by the parser: its length field is past column 65 535.
  const options = `options [${'nop,'.repeat(20000)}nop]`;
  const text = [
    '12:00:00.000000 IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [S], seq 1, win 64240, length 0',
    `12:00:00.000001 IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [.], ack 1, win 502, ${options}, length 0`,
    '',
  ].join('\n');
  const parsed = parseTrace(text);
  const last = parsed.records[1]!;
  const at = parsed.lines[1]!.lastIndexOf('length 0');
  assert.ok(at > 65535);
  assert.deepEqual(last.lengthSpan, { line: 1, start: at + 7, end: at + 8 });
  const win = parsed.lines[0]!.indexOf('64240');
  assert.deepEqual(parsed.records[0]!.winSpan, { line: 0, start: win, end: win + 5 });
});

test("a parse's record list makes handles on demand; an edit's copy replaces one record, a subset picks some", () => {
  const text = [
    '10:00:00.000000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 100, win 64240, length 0',
    '10:00:00.001000 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 500, ack 101, win 65160, length 0',
    '10:00:00.002000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 502, length 0',
  ].join('\n');
  const parsed = parseTrace(text);
  const list = parsed.recordList;
  assert.equal(list.length, 3);
  assert.equal(list.at(3), undefined);
  assert.equal(list.at(-1), undefined);
  // Two handles on one record: not the same object, the same record.
  const a = list.at(1)!;
  const b = list.at(1)!;
  assert.notEqual(a, b);
  assert.ok(a.is(b));
  assert.ok(!a.is(list.at(0)));
  assert.equal(a.line, 1);
  assert.equal(a.seq, 500);
  // The array is made once, with the same records.
  const array = parsed.records;
  assert.equal(parsed.records, array);
  assert.deepEqual(
    array.map((r) => r.seq),
    [100, 500, undefined],
  );

  // An edit's list: record 1 is another one (read again, in a store of its own); the others are the same.
  const edited = TraceRecord.create(1, 1);
  edited.seq = 777;
  const copy = list.with(1, edited);
  assert.equal(copy.at(1), edited);
  assert.equal(list.at(1)!.seq, 500, 'the list it was copied from keeps its record');
  assert.ok(copy.at(0)!.is(list.at(0)));
  assert.ok(copy.at(2)!.is(list.at(2)));
  // Its array is the old one's, the record replaced (the old one had made it).
  assert.deepEqual(
    copy.array().map((r) => r.seq),
    [100, 777, undefined],
  );
  assert.equal(array[1]!.seq, 500);

  // A subset keeps the replaced record where it lands.
  const some = copy.subset([1, 2]);
  assert.equal(some.length, 2);
  assert.equal(some.at(0), edited);
  assert.ok(some.at(1)!.is(list.at(2)));
  assert.equal(some.at(2), undefined);
  const without = copy.subset([0, 2]);
  assert.ok(without.at(0)!.is(list.at(0)) && without.at(1)!.is(list.at(2)), 'one without it');
});

test('checking a trace and typing in it never make the array of all its records; a feature that asks gets it once', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/lossy-transfer.trace'), 'utf8');
  const made = RecordSlots.prototype.array;
  let arrays = 0;
  RecordSlots.prototype.array = function (this: RecordSlots) {
    arrays++;
    return made.call(this);
  };
  try {
    const analysis = analyzeTrace(text);
    const report = JSON.parse(jsonReport([{ file: 'lossy-transfer.trace', analysis }]));
    sarifReport([{ file: 'lossy-transfer.trace', analysis }], '0');
    textReport([{ file: 'lossy-transfer.trace', analysis }]);
    assert.ok(report.files[0].diagnostics.length > 0, 'the example has findings to report');
    // A window typed over on the last data segment's line (past the head of the file, which an
    // edit may change the kind of), as an editor sends it.
    const lines = text.split('\n');
    let line = lines.length - 1;
    while (line > 0 && !/ win \d+, options .*length [1-9]/.test(lines[line]!)) line--;
    const at = lines[line]!.indexOf(' win ') + 5;
    const edited = reanalyzeEdit(
      analysis,
      { start: { line, character: at }, end: { line, character: at + 1 } },
      '9',
    );
    assert.ok(edited, 'the edit is analysed incrementally');
    assert.equal(arrays, 0, 'no array of records for the analysis, the reports or the edit');
    const records = edited.records;
    assert.equal(edited.records, records, 'made once');
    assert.equal(records.length, edited.parsed.recordList.length);
    assert.ok(arrays > 0, 'asked for, it is made');
  } finally {
    RecordSlots.prototype.array = made;
  }
});

test('an analysis given spare memory cuts zeroed columns from it and reports what it reports without', () => {
  // The CLI gives the analysis the bytes it decoded the text from (AnalyzeOptions.spareMemory): the
  // columns cut from them must start at zero whatever the bytes held, and not overlap.
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/lossy-transfer.trace'), 'utf8');
  const without = analyzeTrace(text);
  const memory = new ArrayBuffer(1 << 20);
  new Uint8Array(memory).fill(0xa5);
  const withSpare = analyzeTrace(text, { spareMemory: memory });
  const report = (a: typeof without) => jsonReport([{ file: 'x', analysis: a }]);
  assert.equal(report(withSpare), report(without));
  const store = (withSpare.parsed.recordList.at(0) as unknown as { store: RecordStore }).store;
  assert.equal(store.seqAbs.buffer, memory, 'the dense record columns are cut from the spare memory');
  assert.notEqual(store.urg.buffer, memory, 'a column few records write is a typed array of its own');
  const fields = (a: typeof without) =>
    a.connections.flatMap((c) =>
      [...c.segments].map((s) => [s.seq, s.ack, s.relSeq, s.winBytes, s.clientState]),
    );
  assert.deepEqual(fields(withSpare), fields(without));
  // Used up, the columns are new typed arrays; after the analysis none comes from it.
  const small = analyzeTrace(text, { spareMemory: new ArrayBuffer(64) });
  assert.equal(report(small), report(without));
  assert.equal(newColumn(Int32Array, 4).buffer.byteLength, 16);
  withSpareMemory(memory, () => {
    const a = newColumn(Float64Array, 3);
    const b = newColumn(Uint8Array, 5);
    const c = newColumn(Int32Array, 2);
    assert.deepEqual([...a, ...b, ...c], new Array(10).fill(0));
    assert.ok(a.buffer === memory && b.byteOffset >= a.byteOffset + 24 && c.byteOffset % 4 === 0);
    assert.ok(c.byteOffset >= b.byteOffset + 5);
  });
});
