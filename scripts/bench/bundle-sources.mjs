// Bundles a few of the project's TypeScript modules into one CommonJS file with esbuild, as the
// shipped bundles are built, for benchmarks that call the server's or client's code directly
// (ladder-bench.mjs, stage-times.mjs).
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
