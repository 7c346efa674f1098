// The head-line prefix (tcpdump-format.md §2-4): the -# packet number, every -t form (with and without
// --nano), broken timestamps, the two rare prefixes, and the -i any interface/direction columns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYN } from '../../server/src/trace/index';
import { ep, hp, near, only, parseClean, rec, textAt, trace } from '../helpers/parserHelpers';

const NET = 'IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0';
const SYN_NET = 'IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [S], seq 1, win 1024, length 0';

describe('§2 packet number (-#)', () => {
  test('the number is read from its right-aligned 5-column field followed by two spaces', () => {
    const line = `    1  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0`;
    const r = only(line);
    assert.equal(r.number, 1);
    assert.deepEqual(r.numberSpan, { line: 0, start: 4, end: 5 });
    assert.equal(r.timeKind, 'clock');
  });

  test('numbers of 100000 and more widen the field', () => {
    const p = parseClean(
      `99999  17:16:09.924505 ${NET}`,
      `100000  17:16:09.924506 ${NET}`,
      `1234567  17:16:09.924507 ${NET}`,
    );
    assert.deepEqual(
      p.records.map((r) => r.number),
      [99999, 100000, 1234567],
    );
    assert.equal(
      textAt(
        trace(`100000  17:16:09.924506 ${NET}`),
        rec(parseClean(`100000  17:16:09.924506 ${NET}`), 0).numberSpan,
      ),
      '100000',
    );
  });

  test('a filtered capture numbers from 1 whatever the frame position: numbers are kept as printed', () => {
    const p = parseClean(`    1  09:21:03.831829 ${NET}`, `    2  09:21:03.886170 ${NET}`);
    assert.deepEqual(
      p.records.map((r) => r.number),
      [1, 2],
    );
  });

  test('a line without -# has no number', () => {
    const r = only(`17:16:09.924505 ${NET}`);
    assert.equal(r.number, undefined);
    assert.equal(r.timeKind, 'clock');
  });
});

describe('§3 timestamps', () => {
  test('default: HH:MM:SS.ffffff is seconds since midnight', () => {
    const r = only(`    2  17:16:10.052027 ${NET}`);
    assert.equal(r.timeKind, 'clock');
    near(r.timeValue, 17 * 3600 + 16 * 60 + 10.052027);
  });

  test('-t: no timestamp at all, with and without -#', () => {
    const a = only(`    2  ${NET}`);
    assert.equal(a.timeKind, 'none');
    assert.equal(a.number, 2);
    const b = only(NET);
    assert.equal(b.timeKind, 'none');
    assert.equal(b.number, undefined);
    assert.deepEqual(ep(b.src), hp('137.116.81.94', '80'));
  });

  test('-tt: seconds since the epoch with 6 digits', () => {
    const line = `    2  1418145370.052027 ${NET}`;
    const r = only(line);
    assert.equal(r.timeKind, 'epoch');
    near(r.timeValue, 1418145370.052027);
    assert.equal(textAt(trace(line), r.timeSpan), '1418145370.052027');
  });

  test('-ttt: a positive delta has a sign space, so three spaces follow the number', () => {
    const line = `    2   00:00:00.127522 ${NET}`;
    const r = only(line);
    assert.equal(r.timeKind, 'delta');
    near(r.timeValue, 0.127522);
    assert.equal(r.number, 2);
  });

  test('-ttt without -#: the line itself starts with the sign space', () => {
    const r = only(` 00:00:00.127522 ${SYN_NET}`);
    assert.equal(r.timeKind, 'delta');
    near(r.timeValue, 0.127522);
    assert.equal(r.flags, SYN);
  });

  test("-ttt: a negative delta (out-of-order timestamps) is printed with '-'", () => {
    const a = only(`    3  -00:00:00.500000 ${NET}`);
    assert.equal(a.timeKind, 'delta');
    near(a.timeValue, -0.5);
    const b = only(`-00:00:00.500000 ${SYN_NET}`);
    assert.equal(b.timeKind, 'delta');
    near(b.timeValue, -0.5);
  });

  test('-ttt: deltas wrap at 24 h and are kept as printed (25 h 0.5 s prints 01:00:00.500000)', () => {
    const r = only(` 01:00:00.500000 ${SYN_NET}`);
    assert.equal(r.timeKind, 'delta');
    near(r.timeValue, 3600.5);
  });

  test('-tttt: date and clock', () => {
    const line = `    2  2014-12-09 17:16:10.052027 ${NET}`;
    const r = only(line);
    assert.equal(r.timeKind, 'datetime');
    assert.equal(new Date(r.timeValue! * 1000).toISOString(), '2014-12-09T17:16:10.052Z');
    assert.equal(textAt(trace(line), r.timeSpan), '2014-12-09 17:16:10.052027');
  });

  test('-ttttt: a delta from the first packet, same form as -ttt', () => {
    const r = only(`    3   00:00:00.127610 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0`);
    assert.equal(r.timeKind, 'delta');
    near(r.timeValue, 0.12761);
  });

  test('--nano: 9 fraction digits in every form', () => {
    const p = parseClean(
      `    2  1418145370.052027262 ${NET}`,
      `    2   00:00:00.127521774 ${NET}`,
      `    2  2014-12-09 17:16:10.052027262 ${NET}`,
      `    2  17:16:10.052027262 ${NET}`,
    );
    assert.deepEqual(
      p.records.map((r) => r.timeKind),
      ['epoch', 'delta', 'datetime', 'clock'],
    );
    near(rec(p, 0).timeValue, 1418145370 + 0.052027262);
    near(rec(p, 1).timeValue, 0.127521774, 1e-12);
    near(rec(p, 2).timeValue, Date.UTC(2014, 11, 9, 17, 16, 10) / 1000 + 0.052027262);
    near(rec(p, 3).timeValue, 17 * 3600 + 16 * 60 + 10.052027262, 1e-9);
  });

  test('--nano on a microsecond file: trailing zeros', () => {
    const r = only(`1700000000.000000000 ${SYN_NET}`);
    assert.equal(r.timeKind, 'epoch');
    assert.equal(r.timeValue, 1700000000);
  });

  test("'(invalid us)' and '(invalid ns)' after an out-of-range fraction do not break the packet", () => {
    const p = parseClean(
      `    2  17:16:10.1000000 (invalid us) ${NET}`,
      `    3  17:16:10.1000000000 (invalid ns) ${NET}`,
      `    4  1418145370.1000000 (invalid us) ${NET}`,
    );
    assert.equal(p.records.length, 3);
    for (const r of p.records) {
      assert.equal(r.kind, 'tcp-quiet');
      assert.deepEqual(ep(r.src), hp('137.116.81.94', '80'));
      assert.equal(r.linkText, undefined, 'the marker is not taken for link text');
    }
    assert.equal(rec(p, 0).timeKind, 'clock');
    assert.equal(rec(p, 1).timeKind, 'clock');
  });

  test("4.99.3's invalid fraction without a marker (17:16:10.1000000) still parses", () => {
    const r = only(`    2  17:16:10.1000000 ${NET}`);
    assert.equal(r.timeKind, 'clock');
    assert.equal(r.kind, 'tcp-quiet');
  });

  test("'[timestamp overflow]' instead of a time: the packet is read, without a time", () => {
    const r = only(`    4  [timestamp overflow] ${NET}`);
    assert.equal(r.number, 4);
    assert.equal(r.timeKind, 'none');
    assert.equal(r.kind, 'tcp-quiet');
    assert.deepEqual(ep(r.dst), hp('131.155.215.69', '46656'));
  });

  test("--lengths: 'caplen N len N' between the number and the time is skipped", {}, () => {
    const r = only(
      `    1  caplen 74 len 74 17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0`,
    );
    assert.equal(r.number, 1);
    assert.equal(r.timeKind, 'clock');
    near(r.timeValue, 17 * 3600 + 16 * 60 + 9.924505);
  });

  test("'[Invalid header: ...]' between the number and the time is skipped", {}, () => {
    const r = only(`    2  [Invalid header: caplen(0) > snapshot(262144)] 17:16:10.052027 ${NET}`);
    assert.equal(r.timeKind, 'clock');
    near(r.timeValue, 17 * 3600 + 16 * 60 + 10.052027);
  });

  test('the packet still parses after either rare prefix', () => {
    const p = parseClean(
      `    1  caplen 74 len 74 17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0`,
      `    2  [Invalid header: caplen(0) > snapshot(262144)] 17:16:10.052027 ${NET}`,
    );
    assert.deepEqual(
      p.records.map((r) => [r.number, r.kind, r.src?.port]),
      [
        [1, 'tcp-quiet', 46656],
        [2, 'tcp-quiet', 80],
      ],
    );
  });
});

describe('§4 interface and direction (-i any, LINUX_SLL2)', () => {
  const SLL = [
    '22:13:20.000000 lo    In  IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    '22:13:21.000000 ?     Out IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    '22:13:22.000000 eth0  B   IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    '22:13:23.000000 eth0  M   IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    '22:13:24.000000 wlp2s0 P   IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    '    6  22:13:25.000000 lo    In  IP 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
  ];

  test('the interface and direction columns are skipped: every line is a SYN from 127.0.0.1.40000', () => {
    const p = parseClean(...SLL);
    assert.equal(p.records.length, SLL.length);
    for (const r of p.records) {
      assert.equal(r.kind, 'tcp');
      assert.equal(r.flags, SYN);
      assert.equal(r.af, 4);
      assert.deepEqual(ep(r.src), hp('127.0.0.1', '40000'));
      assert.deepEqual(ep(r.dst), hp('127.0.0.1', '80'));
      assert.equal(r.timeKind, 'clock');
    }
    assert.equal(rec(p, 5).number, 6);
  });

  test('the interface name and direction are kept with the record', {}, () => {
    const p = parseClean(...SLL.slice(0, 2));
    assert.match(rec(p, 0).linkText ?? '', /^lo\s+In$/);
    assert.match(rec(p, 1).linkText ?? '', /^\?\s+Out$/);
  });

  test('-i any with -e: the SLL2 header is link text and the endpoints still parse', () => {
    const r = only(
      '22:13:20.000000 lo    In  ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 60: 127.0.0.1.40000 > 127.0.0.1.80: Flags [S], seq 1, win 1024, length 0',
    );
    assert.equal(r.flags, SYN);
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('127.0.0.1', '40000'));
    assert.ok(r.linkText?.includes('ethertype IPv4 (0x0800)'), r.linkText);
  });
});
