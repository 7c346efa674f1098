// The analysis as analyzeTrace (server/src/trace/analyze.ts) runs it, stage by stage, each timed: for
// the benchmarks that say where the time goes (stage-times.mjs) and what a change did to it
// (stage-ab.mjs), in their child processes too. `core` is a bundle of CORE_EXPORTS (bundle-sources.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout, and the trace `npm run bench` builds there. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_TRACE = path.join(ROOT, 'bench-results/cache/capture.trace');
/** This module, for the child processes that run the stages to import. */
export const STAGES_MODULE = import.meta.url;

/** The value after `--name` in `args`, or `dflt`. */
export function option(args, name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

/**
 * What the A/B scripts (stage-ab.mjs, cli-ab.mjs) read alike from their `args`: REF (the first
 * argument unless it is an option; HEAD by default) and `--trace FILE` (the bench trace by default,
 * which must be there); `opt` for their own options, and `fail`, which ends `script` with a one-line
 * usage error (exit 2).
 */
export function abArguments(script, args) {
  const fail = (message) => {
    console.error(`${script}: ${message}`);
    process.exit(2);
  };
  const opt = (name, dflt) => option(args, name, dflt);
  const ref = args[0] && !args[0].startsWith('--') ? args[0] : 'HEAD';
  const trace = path.resolve(opt('--trace', BENCH_TRACE));
  if (!fs.existsSync(trace))
    fail(`no trace at ${trace}; run \`node scripts/bench.mjs\` first, or pass --trace FILE`);
  return { ref, trace, opt, fail };
}

/** What a core bundle exports, as bundleSources takes it. */
export const CORE_EXPORTS = [
  "export { parseTrace } from './server/src/trace/parser';",
  "export { resolveTimes } from './server/src/trace/times';",
  "export { resolveNumbers } from './server/src/trace/numbering';",
  "export { trackConnections } from './server/src/trace/connections';",
  "export { judgeConnection, collectFindings } from './server/src/trace/analyze';",
  "export { decodeText } from './server/src/trace/textEncoding';",
  // (A namespace: a version from before withSpareMemory bundles too, without it.)
  "export * as columns from './server/src/trace/columns';",
];

/** The file's text as the CLI reads it: its bytes, then decoded (faster than readFileSync with 'utf8'). */
export const readTrace = (core, file) => core.decodeText(fs.readFileSync(file));

/**
 * readTrace, and the memory of the bytes for the analysis' columns, as the CLI gives it (see
 * AnalyzeOptions.spareMemory): for a process that analyses the text once.
 */
export const readTraceOnce = (core, file) => {
  const bytes = fs.readFileSync(file);
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return { text: core.decodeText(bytes), spareMemory: own ? bytes.buffer : undefined };
};

/**
 * Runs every stage on `text`; `lap(name)` is called after each (it times them). Returns the number of
 * records and of findings. `spareMemory`: see readTraceOnce (a version without withSpareMemory
 * ignores it). `editor`: the full analysis the language server makes, instead of the CLI's
 * report-only one (AnalyzeOptions.reportOnly; a version without it always makes the full one).
 */
export const runStages = (core, text, lap, spareMemory, editor = false) => {
  const withSpareMemory = core.columns?.withSpareMemory;
  const run = () => stages(core, text, lap, !editor);
  return withSpareMemory ? withSpareMemory(spareMemory, run) : run();
};

const stages = (core, text, lap, reportOnly) => {
  const parsed = core.parseTrace(text);
  lap('parse');
  // (A version from before the parse kept an array of its records has no recordList.)
  const records = parsed.recordList ?? parsed.records;
  core.resolveTimes(records);
  lap('times');
  const numbering = core.resolveNumbers(records);
  lap('numbering');
  const table = core.trackConnections(records, reportOnly);
  lap('tracking');
  for (const c of table.connections) core.judgeConnection(c, parsed, numbering.absolute);
  lap('checks');
  const findings = core.collectFindings(parsed, table.connections);
  lap('findings');
  return { packets: records.length, findings: findings.length };
};
