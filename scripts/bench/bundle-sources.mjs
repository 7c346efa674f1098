// Bundles a few of the project's TypeScript modules into one CommonJS file with esbuild, as the
// shipped bundles are built, for benchmarks that call the server's or client's code directly
// (ladder-bench.mjs, stage-times.mjs), or another version's (stage-ab.mjs, same-output.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Writes `outfile` exporting what `exportLines` (`export { x } from './server/src/...'`) name, from
 * the sources under `root` (by default this checkout; stage-ab.mjs passes another version's).
 */
export async function bundleSources(exportLines, outfile, root = ROOT) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    stdin: { contents: exportLines.join('\n'), resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
}

/**
 * bundleSources for the sources of commit `ref` (a git ref of this checkout), from a worktree made for
 * it and taken away after. Gives the full commit id; throws with a message when `ref` names none.
 */
export async function bundleSourcesAt(ref, exportLines, outfile) {
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new Error(`'${ref}' names no commit`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-at-'));
  const worktree = path.join(tmp, 'ref');
  const git = (...a) => execFileSync('git', a, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  git('worktree', 'add', '--detach', worktree, commit);
  try {
    await bundleSources(exportLines, outfile, worktree);
  } finally {
    git('worktree', 'remove', '--force', worktree);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return commit;
}

/**
 * The two sides of a comparison, bundled into `dir`: `before` from commit `ref` (bundleSourcesAt),
 * `after` from this checkout. `badRef(message)` is called when `ref` cannot be bundled (a script's
 * usage error; it does not return); a failure to bundle the checkout throws.
 */
export async function bundleBothSides(ref, exportLines, dir, badRef) {
  const before = path.join(dir, 'before.cjs');
  const after = path.join(dir, 'after.cjs');
  let commit = '';
  try {
    commit = await bundleSourcesAt(ref, exportLines, before);
  } catch (err) {
    badRef(err.message);
  }
  await bundleSources(exportLines, after);
  return { commit, before, after };
}
