// Fuzzed captures never crash or hang the reader: 2000 mutations (truncations, random bytes, bad block
// and record lengths, wrong magic numbers, huge lengths, spliced files) of real and crafted captures
// each render within a time bound, without throwing, with at most one problem; and streaming any of
// them in odd chunks gives exactly what reading it whole gives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe as suite, test } from 'node:test';
import { CaptureRenderer, renderCapture } from '../../server/src/trace/capture/index';
// A small deterministic PRNG (mulberry32), so a failure can be replayed from its index.
import { prng } from '../robustness/support';
import { craftedCaptures } from './captureFixtures';

const ROOT = path.join(__dirname, '../../..');
const CORPUS = path.join(ROOT, '../shared/corpus');
const MUTANTS = 2000;
/** Each mutant must render in this long (they are small; a hang or a quadratic path shows up here). */
const BOUND_MS = 2000;

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = Object.values(craftedCaptures());
  if (fs.existsSync(CORPUS)) {
    for (const d of fs.readdirSync(CORPUS).sort()) {
      const f = path.join(CORPUS, d, 'capture.pcap');
      if (fs.existsSync(f) && fs.statSync(f).size < 64 * 1024) out.push(new Uint8Array(fs.readFileSync(f)));
    }
  }
  return out;
}

const put32 = (b: Uint8Array, off: number, v: number, little: boolean) => {
  if (off < 0 || off + 4 > b.length) return;
  for (let k = 0; k < 4; k++) b[off + k] = little ? (v >>> (8 * k)) & 255 : (v >>> (24 - 8 * k)) & 255;
};

/** One mutant of `src`, by one of the strategies (chosen by the PRNG). */
function mutate(src: Uint8Array, all: Uint8Array[], rnd: () => number): { bytes: Uint8Array; how: string } {
  const b = src.slice();
  const at = () => Math.floor(rnd() * b.length);
  const little = b[0] === 0xd4 || b[0] === 0x4d || (b[0] === 0x0a && b[8] === 0x4d);
  const strategy = Math.floor(rnd() * 9);
  switch (strategy) {
    case 0:
      return { bytes: b.subarray(0, at()), how: 'truncated' };
    case 1: {
      const n = 1 + Math.floor(rnd() * 16);
      for (let k = 0; k < n; k++) b[at()] = Math.floor(rnd() * 256);
      return { bytes: b, how: `${n} random bytes` };
    }
    case 2: {
      // A length field: a pcap record's caplen/len or a pcapng block length, anywhere 4-aligned.
      const off = (at() & ~3) + (rnd() < 0.5 ? 0 : 4);
      const values = [0, 1, 11, 13, 0xffff, 0x40000, 0x7fffffff, 0xffffffff, Math.floor(rnd() * 5000)];
      put32(b, off, values[Math.floor(rnd() * values.length)]!, little);
      return { bytes: b, how: `length field at ${off}` };
    }
    case 3:
      put32(b, 0, Math.floor(rnd() * 0xffffffff), true);
      return { bytes: b, how: 'wrong magic' };
    case 4: {
      // Huge lengths in the first record or block.
      put32(b, rnd() < 0.5 ? 32 : 28 + 4, 0xfffffff0, little);
      put32(b, 36, 0xfffffff0, little);
      return { bytes: b, how: 'huge lengths' };
    }
    case 5: {
      // Bytes of another capture spliced in.
      const other = all[Math.floor(rnd() * all.length)]!;
      const from = Math.floor(rnd() * other.length);
      const n = Math.min(other.length - from, Math.floor(rnd() * 200));
      const off = at();
      const out = new Uint8Array(off + n + (b.length - off));
      out.set(b.subarray(0, off));
      out.set(other.subarray(from, from + n), off);
      out.set(b.subarray(off), off + n);
      return { bytes: out, how: 'spliced' };
    }
    case 6: {
      // Header bytes of packets (past the file header) flipped: IP, TCP, options, lengths.
      const n = 1 + Math.floor(rnd() * 64);
      for (let k = 0; k < n; k++) {
        const i = 24 + Math.floor(rnd() * Math.max(1, b.length - 24));
        if (i < b.length) b[i] = b[i]! ^ (1 << Math.floor(rnd() * 8));
      }
      return { bytes: b, how: `${n} bit flips` };
    }
    case 7: {
      // Zeroed runs.
      const off = at();
      b.fill(0, off, Math.min(b.length, off + Math.floor(rnd() * 64)));
      return { bytes: b, how: 'zeroed run' };
    }
    default: {
      // Random garbage after a valid header.
      const n = Math.floor(rnd() * 300);
      const out = new Uint8Array(Math.min(b.length, 64) + n);
      out.set(b.subarray(0, Math.min(b.length, 64)));
      for (let k = 64; k < out.length; k++) out[k] = Math.floor(rnd() * 256);
      return { bytes: out, how: 'garbage after the header' };
    }
  }
}

suite('capture reader: fuzzed captures', () => {
  const all = seeds();
  test(`${MUTANTS} mutants render within ${BOUND_MS} ms each, without throwing, with at most one problem`, () => {
    const rnd = prng(20240301);
    let problems = 0;
    let slowest = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const src = all[i % all.length]!;
      const { bytes, how } = mutate(src, all, rnd);
      const t0 = performance.now();
      let r: ReturnType<typeof renderCapture>;
      try {
        r = renderCapture(bytes, { timeZone: 'utc' });
      } catch (e) {
        assert.fail(`mutant ${i} (${how}) threw: ${(e as Error).stack}`);
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < BOUND_MS, `mutant ${i} (${how}) took ${ms.toFixed(0)} ms`);
      assert.ok(r.problems.length <= 1, `mutant ${i}: one problem at most`);
      if (r.problems.length) problems++;
      assert.equal(typeof r.text, 'string');
    }
    assert.ok(problems > 0, 'some mutants are damaged beyond reading');
    assert.ok(slowest < BOUND_MS);
  });

  test('streaming a mutant in odd chunks gives what reading it whole gives (200 mutants)', () => {
    const rnd = prng(7);
    for (let i = 0; i < 200; i++) {
      const { bytes, how } = mutate(all[i % all.length]!, all, rnd);
      const whole = renderCapture(bytes, { timeZone: 'utc' });
      const r = new CaptureRenderer({ timeZone: 'utc' });
      let text = '';
      const size = 1 + Math.floor(rnd() * 50);
      for (let off = 0; off < bytes.length; off += size) text += r.push(bytes.slice(off, off + size));
      text += r.end();
      assert.equal(text, whole.text, `mutant ${i} (${how})`);
      assert.deepEqual(r.problem ? [r.problem] : [], whole.problems, `mutant ${i} (${how})`);
    }
  });
});
