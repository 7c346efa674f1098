// Record and segment columns grow by doubling as slots are added (columns.ts, ColumnSet): every field
// written before a growth must read back the same after it, spans (several values a slot) included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Segment, SegmentStore } from '../../server/src/trace/model';
import { RecordStore, SpanField, TraceRecord } from '../../server/src/trace/record';

test('records keep every field across the growth of their columns', () => {
  const store = new RecordStore(1);
  const records: TraceRecord[] = [];
  for (let i = 0; i < 100; i++) {
    const r = new TraceRecord(i, 2 * i, store);
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
  const store = new SegmentStore(1);
  const records = new RecordStore(1);
  const segments: Segment[] = [];
  for (let i = 0; i < 100; i++) {
    const record = new TraceRecord(i, i, records);
    record.flags = i % 2 ? 0x18 : 0x10;
    record.length = i;
    record.seqAbs = 3000000000 + i;
    record.ackAbs = i;
    record.win = 512;
    record.time = i / 10;
    const s = new Segment(record, store, 1 + (i % 4), i, i % 2 === 0, undefined, i);
    s.relSeq = i + 1;
    s.originalRecord = i % 3 ? undefined : i;
    segments.push(s);
  }
  segments.forEach((s, i) => {
    assert.equal(s.record.index, i);
    assert.equal(s.connection, 1 + (i % 4));
    assert.equal(s.position, i);
    assert.equal(s.fromClient, i % 2 === 0);
    assert.equal(s.flags, i % 2 ? 0x18 : 0x10);
    assert.equal(s.len, i);
    assert.equal(s.seq, 3000000000 + i);
    assert.equal(s.ack, i);
    assert.equal(s.win, 512);
    assert.equal(s.time, i / 10);
    assert.equal(s.nextPrintedSeq, undefined);
    assert.equal(s.analysis, i);
    assert.equal(s.relSeq, i + 1);
    assert.equal(s.originalRecord, i % 3 ? undefined : i);
    assert.deepEqual(s.clientState, ['UNKNOWN', 'UNKNOWN']);
  });
});

test('a segment takes its numbers from its record: the ack only with the ACK flag, the length less what the capture lacks', () => {
  const record = new TraceRecord(0, 0);
  record.flags = 0x02;
  record.seqAbs = 7;
  record.ackAbs = 9;
  record.length = 100;
  record.ipMissingBytes = 40;
  const s = new Segment(record, new SegmentStore(1), 1, 0, true, 5, 0);
  assert.equal(s.ack, undefined);
  assert.equal(s.seq, 7);
  assert.equal(s.len, 60);
  assert.equal(s.win, undefined);
  assert.equal(s.time, undefined);
  assert.equal(s.nextPrintedSeq, 5);
});
