#!/usr/bin/env node
// Whether a change to the core keeps every answer: each trace under the given folders analysed by the
// core of another version (a git ref, by default HEAD) and by this checkout's, with its uncommitted
// changes, and compared. For changes meant to leave the analysis as it is (speed, restructuring):
// besides the CLI's JSON report (connections, diagnostics), the model the editor's features read,
// every connection's flows and every segment's fields (relative numbers, states, analysis bits, what
// an ack acknowledges...), which the report does not show.
//   node scripts/same-output.mjs [REF] [--report-only] [DIR|FILE ...]
// DIR defaults to ../shared/corpus, test and examples (every *.trace in them, at any depth). Prints
// each trace whose analysis differs with its first difference, and exits 1 when one does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleBothSides } from './bench/bundle-sources.mjs';
import { modelOf } from './model-data.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const fail = (message) => {
  console.error(`same-output: ${message}`);
  process.exit(2);
};
const reportOnly = args.includes('--report-only');
const positional = args.filter((a) => !a.startsWith('--'));
// The first argument names a commit unless it is a file or folder.
const ref = positional[0] && !fs.existsSync(positional[0]) ? positional.shift() : 'HEAD';
const roots = positional.length
  ? positional.map((p) => path.resolve(p))
  : [path.resolve(ROOT, '../shared/corpus'), path.join(ROOT, 'test'), path.join(ROOT, 'examples')];

/** Every *.trace under `p` (or `p` itself), sorted. */
function traces(p) {
  if (!fs.existsSync(p)) return [];
  if (!fs.statSync(p).isDirectory()) return [p];
  const out = [];
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    const child = path.join(p, entry.name);
    if (entry.isDirectory()) out.push(...traces(child));
    else if (entry.name.endsWith('.trace')) out.push(child);
  }
  return out.sort();
}
const files = roots.flatMap(traces);
if (!files.length) fail(`no .trace file under ${roots.join(', ')}`);

const EXPORTS = ["export { analyzeTrace, jsonReport, decodeText } from './server/src/trace/index';"];

/** Fields of the model that only one version has (a field added or taken away): not compared. */
const oneSided = new Set();

/**
 * The first place where `a` and `b` differ, as a path and the two values; undefined when equal. An
 * array's length counts; an object's field that only one of them has is noted in oneSided instead.
 */
function firstDifference(a, b, at = '') {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return { at: at || '(root)', a, b };
  if (Array.isArray(a) !== Array.isArray(b) || (Array.isArray(a) && a.length !== b.length))
    return { at: `${at}.length`, a: a.length, b: b.length };
  for (const key of Object.keys(a)) {
    if (!(key in b)) {
      oneSided.add(`${key} (only in the other version)`);
      continue;
    }
    const d = firstDifference(a[key], b[key], `${at}${Array.isArray(a) ? `[${key}]` : `.${key}`}`);
    if (d) return d;
  }
  for (const key of Object.keys(b)) if (!(key in a)) oneSided.add(`${key} (only here)`);
  return undefined;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'same-output-'));
let differing = 0;
let commit = '';
try {
  const sides = await bundleBothSides(ref, EXPORTS, tmp, fail);
  commit = sides.commit;
  const { before, after } = sides;
  const require = createRequire(import.meta.url);
  const cores = [require(before), require(after)];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const name = path.relative(ROOT, file);
    const [a, b] = cores.map((core) => {
      const analysis = core.analyzeTrace(core.decodeText(bytes));
      return {
        report: JSON.parse(core.jsonReport([{ file: name, analysis }])),
        model: reportOnly ? undefined : modelOf(analysis),
      };
    });
    const d = firstDifference(a, b);
    if (d) {
      differing++;
      console.log(
        `${name}: ${d.at}: ${JSON.stringify(d.a)?.slice(0, 200)} -> ${JSON.stringify(d.b)?.slice(0, 200)}`,
      );
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (oneSided.size) console.log(`not compared, one version has them: ${[...oneSided].join(', ')}`);
console.log(
  `${files.length} traces, ${reportOnly ? 'reports' : 'reports and models'} compared with ${ref} (${commit.slice(0, 7)}): ${differing ? `${differing} differ` : 'all the same'}`,
);
process.exit(differing ? 1 : 0);
