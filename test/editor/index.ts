/**
 * The editor tier's entry point, loaded by VS Code's extension host as `extensionTestsPath` (by
 * scripts/e2e/run.mjs through code-server's URL payload, or by scripts/e2e/electron.mjs through
 * @vscode/test-electron). Runs every `*.test.js` next to this file with mocha and resolves only when
 * all passed. Before settling it writes `{failures, passes, pending, metrics}` to the file named by
 * PACKET_TRACE_E2E_RESULT: the launchers accept a run only with that file and `passes > 0`, because
 * the workbench also reports success when no test ran at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';
import { metrics } from './metrics';

/**
 * In code-server the extension host's console reaches the launcher mixed with the workbench's own log;
 * when PACKET_TRACE_E2E_LOG_MARKER is set, mocha's lines carry it so that the launcher can pick them out.
 */
export function report(...args: unknown[]): void {
  const marker = process.env.PACKET_TRACE_E2E_LOG_MARKER;
  const text = util.format(...args);
  console.log(
    marker
      ? text
          .split('\n')
          .map((l) => marker + l)
          .join('\n')
      : text,
  );
}

export function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = report;
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).sort())
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    const write = (summary: object) => {
      const file = process.env.PACKET_TRACE_E2E_RESULT;
      if (file) fs.writeFileSync(file, JSON.stringify(summary, null, 2));
    };
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        write({
          failures,
          passes: stats?.passes ?? 0,
          pending: stats?.pending ?? 0,
          tests: stats?.tests ?? 0,
          durationMs: stats?.duration ?? 0,
          metrics,
        });
        if (failures > 0) reject(new Error(`${failures} editor test(s) failed`));
        else resolve();
      });
    } catch (e) {
      write({ failures: 1, passes: 0, error: String(e) });
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
