// Mutation fuzzing of real lines from ../shared/corpus: byte and bit flips, truncation, duplicated,
// swapped and deleted fields, huge numbers, the 2^32 wrap, negative numbers, Arabic-Indic and fullwidth
// digits, mixed line endings, NULs and very long tokens. At least 100 000 cases in this tier (scaled by
// ROBUSTNESS_FUZZ_CASES), each timed: zero crashes, zero hangs, every invariant of support.ts kept.
// Every 25th case also runs every LSP feature at random positions. `npm run fuzz` runs the same cases
// for longer, with random seeds (scripts/fuzz.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  analyzeAndCheck,
  caseRandom,
  checkFeatures,
  corpusFiles,
  describeInput,
  fuzzCase,
  newTiming,
  probesFor,
  recordTiming,
  type Violation,
  SEED,
} from './support';

const CASES = Number(process.env.ROBUSTNESS_FUZZ_CASES ?? 100_000);
/** A case over this (or, above 10 KB, over 20 µs per character) is a hang. */
const CASE_BOUND_MS = 200;
const boundFor = (text: string) => Math.max(CASE_BOUND_MS, text.length * 0.02);

test(`mutation fuzzing: ${CASES} cases from real corpus lines, no crash, no hang, every invariant`, (t) => {
  const timing = newTiming();
  const known = new Map<string, number>();
  const mutations = new Map<string, number>();
  const failures: string[] = [];
  let featureCases = 0;
  const started = performance.now();
  for (let i = 0; i < CASES; i++) {
    const rand = caseRandom(SEED, i);
    const c = fuzzCase(rand);
    for (const m of c.mutations) mutations.set(m, (mutations.get(m) ?? 0) + 1);
    const t0 = performance.now();
    const { analysis, violations } = analyzeAndCheck(c.text);
    let ms = performance.now() - t0;
    if (ms > boundFor(c.text)) {
      // A GC pause is not a hang: time the case again, best of three.
      for (let k = 0; k < 3; k++) {
        const t1 = performance.now();
        analyzeAndCheck(c.text);
        ms = Math.min(ms, performance.now() - t1);
      }
    }
    recordTiming(timing, c.text, ms);
    const all: Violation[] = [...violations];
    if (ms > boundFor(c.text))
      all.push({ kind: 'hang', detail: `${ms.toFixed(1)} ms for ${c.text.length} characters` });
    if (analysis && i % 25 === 0) {
      featureCases++;
      all.push(...checkFeatures(c.text, analysis, probesFor(c.text, rand, 4)));
    }
    for (const v of all) {
      if (v.knownBug) {
        known.set(v.knownBug, (known.get(v.knownBug) ?? 0) + 1);
        continue;
      }
      if (failures.length < 10)
        failures.push(
          `case ${i} (seed ${SEED}; mutations ${c.mutations.join(', ')}): [${v.kind}] ${v.detail
            .split('\n')
            .slice(0, 6)
            .join('\n    ')}\n  input: ${describeInput(c.text, 400)}`,
        );
    }
  }
  const wall = performance.now() - started;
  t.diagnostic(
    `${CASES} cases (${featureCases} with every LSP feature) in ${(wall / 1000).toFixed(1)} s; corpus files: ${corpusFiles().length}`,
  );
  t.diagnostic(`mutations applied: ${[...mutations].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  t.diagnostic(`slowest case: ${timing.maxMs.toFixed(2)} ms on ${describeInput(timing.maxMsInput, 100)}`);
  t.diagnostic(
    `slowest per character (inputs >= 1000 chars): ${timing.maxUsPerByte.toFixed(3)} µs on ${describeInput(timing.maxUsPerByteInput, 100)}`,
  );
  if (known.size)
    t.diagnostic(
      `known bugs hit (reported, todo tests): ${[...known].map(([k, n]) => `${k} x${n}`).join(', ')}`,
    );
  assert.equal(failures.length, 0, `fuzzing found problems:\n${failures.join('\n')}`);
});
