// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.mjs into
// server/src/trace/commonLineWasm.ts (run it after changing this file; the lint tier checks that the
// two agree).
//
// The common line (server/src/trace/commonLine.ts, readCommonLine) read from bytes: a chunk of a
// file's lines at a time, each line's fields written as readCommonLine writes them into commonFields.
// It accepts a subset of what readCommonLine accepts (a clock time, not -tttt's date; option lists
// that nest nothing) and must give exactly its values for every line it accepts: the parser reads
// every other line with readCommonLine as before (test/unit/commonLine.test.ts compares the two on
// every corpus file). WebAssembly because a JIT compiles this loop only after it has run slowly for
// a while, and the strings' hashing in a JavaScript map cost ~100 ns a line; here the heads are
// hashed and compared as bytes.
//
// Memory, in bytes: the flag letters' bits at FLAG_BITS; the heads' hash table at HEAD_TABLE, their
// bytes at HEAD_BYTES and each id's entry at HEAD_INDEX; the lines' starts at STARTS, the results at
// RESULTS and the chunk's bytes at WINDOW, as the host writes and reads them (commonLineScanner.ts).

const FLAG_BITS: i32 = 1024;
const HEAD_TABLE: i32 = 2048;
const HEAD_SLOTS: i32 = 32768;
const HEAD_BYTES: i32 = HEAD_TABLE + HEAD_SLOTS * 16;
const HEAD_BYTES_SIZE: i32 = 1 << 20;
/** Heads beyond this many are the JavaScript reader's: the table stays at most half full. */
const MAX_HEADS: i32 = HEAD_SLOTS / 2;
/** How many entries a lookup looks at (at most half full, a table needs fewer than two on average). */
const MAX_PROBES: i32 = 64;
const MAX_HEAD_LENGTH: i32 = 160;
const MAX_LINES: i32 = 2048;
/** Each head id's entry in the table. */
const HEAD_INDEX: i32 = HEAD_BYTES + HEAD_BYTES_SIZE;
const STARTS: i32 = HEAD_INDEX + (MAX_HEADS + 2) * 4;
/** Results: STRIDE f64 a line, readCommonLine's commonFields (record.ts, Common) and these: */
const STRIDE: i32 = 32;
const R_OK: i32 = 25;
const R_HEAD: i32 = 26;
const R_OPTIONS_OPEN: i32 = 27;
const R_BODY: i32 = 28;
const R_FLAGS_AT: i32 = 29;
const R_LINE_LENGTH: i32 = 30;
const RESULTS: i32 = STARTS + (MAX_LINES + 2) * 4;
const WINDOW: i32 = RESULTS + MAX_LINES * STRIDE * 8;
const WINDOW_SIZE: i32 = 512 << 10;
/** Zeros after the chunk's bytes: a read past the last line's end finds no character. */
const SLACK: i32 = 64;

// commonFields' slots (record.ts, Common).
const TIME: i32 = 0;
const TIME_END: i32 = 1;
const FLAGS: i32 = 2;
const FLAGS_START: i32 = 3;
const FLAGS_END: i32 = 4;
const SEQ: i32 = 5;
const SEQ_END: i32 = 6;
const SEQ_START: i32 = 7;
const SEQ_STOP: i32 = 8;
const ACK: i32 = 9;
const ACK_START: i32 = 10;
const ACK_STOP: i32 = 11;
const WIN: i32 = 12;
const WIN_START: i32 = 13;
const WIN_STOP: i32 = 14;
const OPTIONS_START: i32 = 15;
const OPTIONS_STOP: i32 = 16;
const LENGTH: i32 = 17;
const LENGTH_START: i32 = 18;
const LENGTH_STOP: i32 = 19;

// The fields (packetLine.ts, commonFieldAt), in the order tcpdump prints them.
const FIELD_UNKNOWN: i32 = 0;
const FIELD_SEQ: i32 = 1;
const FIELD_ACK: i32 = 2;
const FIELD_WIN: i32 = 3;
const FIELD_OPTIONS: i32 = 6;

const MAX_U32: f64 = 4294967295;

let headCount: i32 = 0;
let headBytesUsed: i32 = 0;
/** Where the last readNumber stopped, and how many digits it read. */
let numberEnd: i32 = 0;
let numberDigits: i32 = 0;

export function windowAt(): i32 {
  return WINDOW;
}
export function windowSize(): i32 {
  return WINDOW_SIZE;
}
export function startsAt(): i32 {
  return STARTS;
}
export function resultsAt(): i32 {
  return RESULTS;
}
export function maxLines(): i32 {
  return MAX_LINES;
}
export function stride(): i32 {
  return STRIDE;
}

/**
 * The pages of memory the layout above takes. The module starts with them (scripts/build-wasm.mjs
 * compiles it with this many): growing the memory detaches its old buffer, and the first buffer
 * detached in a process makes V8 check every typed array access of optimised code for one from then
 * on (the tracking pass, on columns, became 10 ms slower).
 */
export function memoryPages(): i32 {
  return (WINDOW + WINDOW_SIZE + SLACK + 65535) >>> 16;
}

/** An empty head table: before each file. False without the memory the layout needs. */
export function reset(): bool {
  const need = memoryPages();
  const have = memory.size();
  // (Without the memory, nothing here may run: every read and write is inside this layout.)
  if (have < need && memory.grow(need - have) < 0) return false;
  memory.fill(HEAD_TABLE, 0, HEAD_SLOTS * 16);
  headCount = 0;
  headBytesUsed = 0;
  recentA = 0;
  recentB = 0;
  return true;
}

function at(p: i32): i32 {
  return <i32>load<u8>(p);
}

function isDigit(c: i32): bool {
  return <u32>(c - 48) <= 9;
}

/** The head's id (1, 2, ...), the same for the same bytes; 0 when the table is full. */
/** The last two heads' ids (0: none), most recent first: a connection's two sides alternate. */
let recentA: i32 = 0;
let recentB: i32 = 0;

/** Whether head `id` (in the table's entry for it) has the `n` bytes at `from`. */
function isHead(id: i32, from: i32, n: i32): bool {
  if (id === 0) return false;
  const e = load<i32>(HEAD_INDEX + id * 4);
  return load<i32>(e, 8) === n && sameBytes(load<i32>(e, 4), from, n);
}

function headId(from: i32, to: i32): i32 {
  const n = to - from;
  if (isHead(recentA, from, n)) return recentA;
  if (isHead(recentB, from, n)) {
    const id = recentB;
    recentB = recentA;
    recentA = id;
    return id;
  }
  const id = hashedHeadId(from, to);
  recentB = recentA;
  recentA = id;
  return id;
}

function hashedHeadId(from: i32, to: i32): i32 {
  const n = to - from;
  // Eight bytes at a time (a multiply a word, not a byte: the multiplies are a chain), then the rest.
  let h: u64 = 0x9e3779b97f4a7c15;
  let p = from;
  for (; p + 8 <= to; p += 8) h = (h ^ load<u64>(p)) * 0xff51afd7ed558ccd;
  for (; p < to; p++) h = (h ^ (<u64>load<u8>(p))) * 0xc4ceb9fe1a85ec53;
  // A multiply carries a word's bits only upwards: mixed down again (MurmurHash3's finaliser), or
  // heads that differ in a port's digits cluster in the table.
  h ^= h >>> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >>> 33;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >>> 33;
  const hash = <u32>h;
  let slot = <i32>(hash & (<u32>(HEAD_SLOTS - 1)));
  // At most MAX_PROBES entries looked at: heads made to collide (the text is anyone's) cannot make
  // the lookups quadratic; a head past them is the JavaScript reader's.
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const e = HEAD_TABLE + slot * 16;
    const id = load<i32>(e, 12);
    if (id === 0) {
      if (headCount >= MAX_HEADS || headBytesUsed + n > HEAD_BYTES_SIZE) return 0;
      const copy = HEAD_BYTES + headBytesUsed;
      memory.copy(copy, from, n);
      headBytesUsed += n;
      headCount++;
      store<u32>(e, hash);
      store<i32>(e, copy, 4);
      store<i32>(e, n, 8);
      store<i32>(e, headCount, 12);
      store<i32>(HEAD_INDEX + headCount * 4, e);
      return headCount;
    }
    if (load<u32>(e) === hash && load<i32>(e, 8) === n && sameBytes(load<i32>(e, 4), from, n)) return id;
    slot = (slot + 1) & (HEAD_SLOTS - 1);
  }
  return 0;
}

/** Whether the `n` bytes at `a` and at `b` are the same: eight at a time, then the rest. */
function sameBytes(a: i32, b: i32, n: i32): bool {
  let k = 0;
  for (; k + 8 <= n; k += 8) if (load<u64>(a + k) !== load<u64>(b + k)) return false;
  for (; k < n; k++) if (load<u8>(a + k) !== load<u8>(b + k)) return false;
  return true;
}

/**
 * readNumber (packetLine.ts): the digits at `i` before `end`, their value, where they stop in
 * numberEnd and how many in numberDigits.
 */
function readNumber(i: i32, end: i32): f64 {
  let j = i;
  // In integers (a multiply and an add a digit, where doubles took twice as long): the value of up to
  // 15 digits is exact either way, and more are never taken.
  let value: i64 = 0;
  while (j < end) {
    const d = at(j) - 48;
    if (<u32>d > 9) break;
    value = value * 10 + d;
    j++;
  }
  numberEnd = j;
  numberDigits = j - i;
  return <f64>value;
}

/** A 32-bit number as readCommonLine takes one (1 to 15 digits, at most 2^32 - 1); -1 otherwise. */
function u32At(i: i32, end: i32): f64 {
  const v = readNumber(i, end);
  return numberDigits === 0 || numberDigits > 15 || v > MAX_U32 ? -1 : v;
}

/** A byte in each of a word's eight: what firstOf looks for. */
const COLONS: u64 = 0x3a3a3a3a3a3a3a3a;
const CLOSERS: u64 = 0x5d5d5d5d5d5d5d5d;
const OPENERS: u64 = 0x5b5b5b5b5b5b5b5b;
const BRACES: u64 = 0x7b7b7b7b7b7b7b7b;
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** The high bit of each zero byte of `x` (and maybe of bytes above the lowest one: not read). */
function zeroBytes(x: u64): u64 {
  return (x - ONES) & ~x & HIGHS;
}

/**
 * Where the first byte from `p` on that is one of the bytes of `a`, `b` and `c` is, eight at a time;
 * `end` when there is none before it. (A word may reach past `end` into the lines after, or the
 * zeros after the chunk: a match there is not taken.)
 */
function firstOf(p: i32, end: i32, a: u64, b: u64, c: u64): i32 {
  for (; p < end; p += 8) {
    const w = load<u64>(p);
    const found = zeroBytes(w ^ a) | zeroBytes(w ^ b) | zeroBytes(w ^ c);
    if (found !== 0) return min(p + <i32>(ctz(found) >>> 3), end);
  }
  return end;
}

/** Three characters at `p`. */
function codes(p: i32, a: i32, b: i32, c: i32): bool {
  return at(p) === a && at(p + 1) === b && at(p + 2) === c;
}

/** commonFieldAt (packetLine.ts). */
function fieldAt(p: i32): i32 {
  const c = at(p);
  if (c === 115) return codes(p + 1, 101, 113, 32) ? FIELD_SEQ : FIELD_UNKNOWN;
  if (c === 97) return codes(p + 1, 99, 107, 32) ? FIELD_ACK : FIELD_UNKNOWN;
  if (c === 119) return codes(p + 1, 105, 110, 32) ? FIELD_WIN : FIELD_UNKNOWN;
  if (c === 111)
    return codes(p + 1, 112, 116, 105) && codes(p + 4, 111, 110, 115) && at(p + 7) === 32
      ? FIELD_OPTIONS
      : FIELD_UNKNOWN;
  if (c === 108) return codes(p + 1, 101, 110, 103) && codes(p + 4, 116, 104, 32) ? 7 : FIELD_UNKNOWN;
  return FIELD_UNKNOWN;
}

/** The length of each field's name and space (packetLine.ts, COMMON_NAME_LENGTH). */
function nameLength(field: i32): i32 {
  return field === FIELD_OPTIONS ? 8 : field === 7 ? 7 : 4;
}

/** 10 ** digits for a clock's fraction (timestamp.ts, fractionSeconds). */
function fractionSeconds(v: f64, digits: i32): f64 {
  if (digits === 7 || digits === 8) return v / 1e6;
  if (digits === 10) return v / 1e9;
  let p: f64 = 1;
  for (let k = 0; k < digits; k++) p *= 10;
  return v / p;
}

/**
 * Line `k` of the chunk, from `s` to `n` (relative columns are from `s`), into its results; false
 * when readCommonLine is to read it.
 */
function readLine(s: i32, n: i32, r: i32): bool {
  if (n < 24) return false;
  // readClock (timestamp.ts): HH:MM:SS, and a fraction of up to 10 digits.
  if (at(s + 2) !== 58 || at(s + 5) !== 58) return false;
  const h0 = at(s) - 48;
  const h1 = at(s + 1) - 48;
  const m0 = at(s + 3) - 48;
  const m1 = at(s + 4) - 48;
  const s0 = at(s + 6) - 48;
  const s1 = at(s + 7) - 48;
  if (!isDigit(h0 + 48) || !isDigit(h1 + 48) || !isDigit(m0 + 48) || !isDigit(m1 + 48)) return false;
  if (!isDigit(s0 + 48) || !isDigit(s1 + 48)) return false;
  let time: f64 = <f64>((h0 * 10 + h1) * 3600 + (m0 * 10 + m1) * 60 + s0 * 10 + s1);
  let timeEnd = 8;
  if (timeEnd + 1 < n && at(s + timeEnd) === 46) {
    const v = readNumber(s + timeEnd + 1, s + n);
    const digits = numberDigits;
    if (digits > 10) return false;
    if (digits > 0) {
      time += fractionSeconds(v, digits);
      timeEnd = numberEnd - s;
    }
  }
  if (at(s + timeEnd) !== 32) return false;
  // `IP ` and an address.
  const body = timeEnd + 1;
  if (!codes(s + body, 73, 80, 32)) return false;
  const first = at(s + body + 3);
  if (first === 32 || (first >= 65 && first <= 90)) return false;
  // `: Flags [` in the line, at most MAX_HEAD_LENGTH after the body.
  let flagsAt = body;
  while (true) {
    flagsAt = firstOf(s + flagsAt, s + n, COLONS, COLONS, COLONS) - s;
    if (flagsAt + 9 > n) return false;
    const p = s + flagsAt;
    if (codes(p + 1, 32, 70, 108) && codes(p + 4, 97, 103, 115) && at(p + 7) === 32 && at(p + 8) === 91)
      break;
    flagsAt++;
  }
  if (flagsAt - body > MAX_HEAD_LENGTH) return false;
  // The flags: letters between `[` and the first `]` after it.
  const open = flagsAt + 8;
  let close = open + 1;
  while (close < n && at(s + close) !== 93) close++;
  if (close >= n || close - open > 12) return false;
  let flags = 0;
  for (let k = open + 1; k < close; k++) {
    const c = at(s + k);
    const bit = c < 128 ? <i32>load<u16>(FLAG_BITS + c * 2) : 0;
    if (bit === 0) return false;
    flags |= bit;
  }
  store<f64>(r + SEQ * 8, -1);
  store<f64>(r + SEQ_END * 8, -1);
  store<f64>(r + ACK * 8, -1);
  store<f64>(r + WIN * 8, -1);
  let optionsOpen = -1;
  let length: f64 = -1;
  let last = 0;
  let i = close + 1;
  while (i < n) {
    if (at(s + i) !== 44 || at(s + i + 1) !== 32) return false;
    const field = fieldAt(s + i + 2);
    if (field === FIELD_UNKNOWN || field <= last) return false;
    const value = i + 2 + nameLength(field);
    last = field;
    if (field === FIELD_OPTIONS) {
      // optionListClose (tcpOptions.ts) of a list that nests nothing: its first `]`.
      if (at(s + value) !== 91) return false;
      const end = firstOf(s + value + 1, s + n, CLOSERS, OPENERS, BRACES) - s;
      if (end >= n || at(s + end) !== 93) return false;
      optionsOpen = value;
      store<f64>(r + OPTIONS_START * 8, <f64>(i + 2));
      store<f64>(r + OPTIONS_STOP * 8, <f64>(end + 1));
      i = end + 1;
      continue;
    }
    const v = u32At(s + value, s + n);
    if (v < 0) return false;
    i = numberEnd - s;
    if (field === FIELD_SEQ) {
      store<f64>(r + SEQ * 8, v);
      store<f64>(r + SEQ_START * 8, <f64>value);
      if (i < n && at(s + i) === 58) {
        const end = u32At(s + i + 1, s + n);
        if (end < 0) return false;
        store<f64>(r + SEQ_END * 8, end);
        i = numberEnd - s;
      }
      store<f64>(r + SEQ_STOP * 8, <f64>i);
    } else if (field === FIELD_ACK) {
      store<f64>(r + ACK * 8, v);
      store<f64>(r + ACK_START * 8, <f64>value);
      store<f64>(r + ACK_STOP * 8, <f64>i);
    } else if (field === FIELD_WIN) {
      store<f64>(r + WIN * 8, v);
      store<f64>(r + WIN_START * 8, <f64>value);
      store<f64>(r + WIN_STOP * 8, <f64>i);
    } else {
      // The length ends the line.
      if (v > 0x3ffff || i !== n) return false;
      length = v;
      store<f64>(r + LENGTH * 8, v);
      store<f64>(r + LENGTH_START * 8, <f64>value);
      store<f64>(r + LENGTH_STOP * 8, <f64>n);
    }
  }
  if (length < 0) return false;
  const seq = load<f64>(r + SEQ * 8);
  const seqEnd = load<f64>(r + SEQ_END * 8);
  if (seq >= 0 && seqEnd >= 0 && <u32>(<i64>seqEnd - <i64>seq) !== <u32>(<i64>length)) return false;
  const head = headId(s + body, s + flagsAt);
  if (head === 0) return false;
  store<f64>(r + TIME * 8, time);
  store<f64>(r + TIME_END * 8, <f64>timeEnd);
  store<f64>(r + FLAGS * 8, <f64>flags);
  store<f64>(r + FLAGS_START * 8, <f64>(flagsAt + 2));
  store<f64>(r + FLAGS_END * 8, <f64>(close + 1));
  store<f64>(r + R_HEAD * 8, <f64>head);
  store<f64>(r + R_OPTIONS_OPEN * 8, <f64>optionsOpen);
  store<f64>(r + R_BODY * 8, <f64>body);
  store<f64>(r + R_FLAGS_AT * 8, <f64>flagsAt);
  store<f64>(r + R_LINE_LENGTH * 8, <f64>n);
  return true;
}

/**
 * Reads `count` lines of the chunk at WINDOW (`bytes` long), line k from STARTS[k] to
 * STARTS[k + 1] - `breakLength`, each into its results (R_OK 1 when read, 0 when not).
 */
export function scan(count: i32, bytes: i32, breakLength: i32): void {
  memory.fill(WINDOW + bytes, 0, SLACK);
  for (let k = 0; k < count; k++) {
    const from = load<i32>(STARTS + k * 4);
    const to = min(load<i32>(STARTS + (k + 1) * 4) - breakLength, bytes);
    const r = RESULTS + k * STRIDE * 8;
    store<f64>(r + R_OK * 8, readLine(WINDOW + from, to - from, r) ? 1 : 0);
  }
}

/** Sets the bit of a flag letter (packetLine.ts, FLAG_LETTERS). */
export function setFlagBit(code: i32, bit: i32): void {
  store<u16>(FLAG_BITS + code * 2, <u16>bit);
}
