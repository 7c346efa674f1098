// A second, independent LSP client: headless Neovim with its built-in client (test/neovim/nvim-check.lua)
// runs the real server on corpus traces; the diagnostics Neovim received must equal the CLI's. The
// configuration in docs/neovim.md is run as written too (test/neovim/docs-check.lua). Skipped, with
// the reason, when nvim (>= 0.7) is not on PATH. Every run is bounded and leaves no process behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, SEVERITY_NUMBER, cliReport, tracePath } from '../helpers/lspClient';

const CHECK = path.join(ROOT, 'test/neovim/nvim-check.lua');
const DOCS_CHECK = path.join(ROOT, 'test/neovim/docs-check.lua');
const DOC = path.join(ROOT, 'docs/neovim.md');
const RUN_TIMEOUT_MS = 20_000;

/** Why the Neovim tests cannot run here, or undefined when they can. */
function nvimUnavailable(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error)
    return `nvim not on PATH (${(r.error as NodeJS.ErrnoException).code}); install Neovim >= 0.7 to run this check`;
  const m = /NVIM v(\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
  if (!m) return `cannot read the nvim version from: ${r.stdout.split('\n')[0]}`;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 0 && minor < 7)
    return `nvim ${m[0]} is older than 0.7 (no vim.lsp.start_client with handlers/on_init)`;
  return undefined;
}

const SKIP = nvimUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-nvim-'));
/** Marks every process started for these tests (servers inherit it), to find leftovers. */
const MARKER = `PT_NVIM_TEST=${crypto.randomUUID()}`;

/** Pids of processes (other than us) whose environment carries MARKER. */
function markedProcesses(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(MARKER))
        out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Waits up to `ms` for the marked processes to end; kills (by pid) and reports any that stay. */
async function assertNoLeftovers(ms = 3_000): Promise<void> {
  if (process.platform !== 'linux') return;
  const deadline = Date.now() + ms;
  let left = markedProcesses();
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = markedProcesses();
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  assert.deepEqual(left, [], 'no nvim or server process left running');
}

after(async () => {
  await assertNoLeftovers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface NvimDiagnostic {
  code: string;
  lnum: number;
  col: number;
  severity: number;
  message: string;
  source?: string;
}

function runNvim(args: string[], env: Record<string, string>, cwd = ROOT): void {
  const [k, v] = MARKER.split('=') as [string, string];
  const r = spawnSync('nvim', args, {
    cwd,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    env: { ...process.env, ...env, [k]: v, PATH: `${env.PATH ?? process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  assert.equal(
    r.signal,
    null,
    `nvim was killed (${r.signal}) after ${RUN_TIMEOUT_MS} ms; stderr: ${r.stderr}`,
  );
  assert.equal(r.status, 0, `nvim exit status ${r.status}; stderr: ${r.stderr}`);
}

let runs = 0;

/** The diagnostics Neovim received for a trace. */
function nvimDiagnostics(file: string, settings?: unknown): NvimDiagnostic[] {
  const out = path.join(tmp, `diags-${++runs}.jsonl`);
  runNvim(['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${CHECK}`], {
    PT_FILE: file,
    PT_OUT: out,
    PT_REPO: ROOT,
    PT_TIMEOUT_MS: '10000',
    ...(settings !== undefined ? { PT_SETTINGS: JSON.stringify(settings) } : {}),
  });
  const text = fs.readFileSync(out, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as NvimDiagnostic);
}

const byPosition = <T extends { code: string; line: number; column: number }>(a: T, b: T) =>
  a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);

function fromCli(file: string, drop: string[] = []) {
  return cliReport(file)
    .diagnostics.filter((d) => !drop.includes(d.code))
    .map((d) => ({
      code: d.code,
      line: d.line - 1,
      column: d.column - 1,
      severity: SEVERITY_NUMBER[d.severity],
      message: d.message,
    }))
    .sort(byPosition);
}

function fromNvim(
  ds: Array<Pick<NvimDiagnostic, 'code' | 'lnum' | 'col' | 'severity'> & { message?: string }>,
) {
  return ds
    .map((d) => ({ code: d.code, line: d.lnum, column: d.col, severity: d.severity, message: d.message }))
    .sort(byPosition);
}

describe('Neovim (built-in LSP client)', { skip: SKIP }, () => {
  for (const rel of [
    'crafted-synack-bad-ack/nn.trace',
    'http-get-fin/nn.trace',
    'tcpdump-ssh/nn.trace',
    'keepalive/e-nn.trace',
  ]) {
    test(`Neovim's diagnostics equal the CLI's: ${rel}`, () => {
      const file = tracePath(rel);
      const got = nvimDiagnostics(file);
      for (const d of got) assert.equal(d.source, 'packet-trace');
      assert.deepEqual(fromNvim(got), fromCli(file));
    });
  }

  test('settings from Neovim reach the server (severity changed, code switched off)', () => {
    const file = tracePath('crafted-synack-bad-ack/nn.trace');
    const got = fromNvim(
      nvimDiagnostics(file, {
        diagnostics: { severity: { 'handshake.bad-ack': 'off', 'teardown.reset': 'error' } },
      }),
    );
    const expected = fromCli(file, ['handshake.bad-ack']).map((d) =>
      d.code === 'teardown.reset' ? { ...d, severity: 1 } : d,
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(got, expected);
  });

  test('the configuration in docs/neovim.md works as written', async () => {
    // The doc's lua block, as a user would paste it into init.lua.
    const doc = fs.readFileSync(DOC, 'utf8');
    const block = /```lua\n([\s\S]*?)```/.exec(doc);
    assert.ok(block, 'docs/neovim.md has a lua block');
    const init = path.join(tmp, 'init.lua');
    fs.writeFileSync(init, block[1]!);
    // packet-trace-lsp on PATH, as `npm link` would put it; node beside it.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'bin/packet-trace-lsp.js'), path.join(bin, 'packet-trace-lsp'));
    // A project with a .git directory and the trace in a subdirectory: root_dir is the project.
    const project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    fs.mkdirSync(path.join(project, 'traces'));
    const trace = path.join(project, 'traces', 'probe.trace');
    const source = tracePath('crafted-zero-window-probe/nn.trace');
    fs.copyFileSync(source, trace);
    const out = path.join(tmp, 'docs.json');
    runNvim(
      [
        '--headless',
        '--clean',
        '-u',
        init,
        '-c',
        `luafile ${DOCS_CHECK}`,
        path.join('traces', 'probe.trace'),
      ],
      {
        PT_OUT: out,
        PT_TIMEOUT_MS: '10000',
        PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      },
      project,
    );
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      filetype: string;
      client: { name: string; root_dir: string; cmd: string[] };
      diagnostics: Array<{ code: string; lnum: number; col: number; severity: number }>;
      lenses: Array<{ line: number; title: string; command: string }>;
      ladder: Array<{ lnum: number; text: string }>;
      revealed_line: number;
      reveal_target: number;
    };
    assert.equal(seen.filetype, 'packet-trace', '*.trace detected as packet-trace');
    assert.equal(seen.client.name, 'packet-trace');
    assert.deepEqual(seen.client.cmd, ['packet-trace-lsp', '--stdio']);
    assert.equal(
      fs.realpathSync(seen.client.root_dir),
      fs.realpathSync(project),
      'root_dir is the .git project',
    );
    // The doc's settings switch tcp.window-update off; everything else is the CLI's.
    assert.ok(cliReport(source).diagnostics.some((d) => d.code === 'tcp.window-update'));
    assert.deepEqual(
      fromNvim(seen.diagnostics).map(({ message: _m, ...d }) => d),
      fromCli(source, ['tcp.window-update']).map(({ message: _m, ...d }) => d),
    );
    // Code lenses and the two client-side commands the doc defines.
    assert.ok(
      seen.lenses.some((l) => l.command === 'packetTrace.revealConnection' && l.title.startsWith('#1 ')),
    );
    assert.ok(seen.lenses.some((l) => l.command === 'packetTrace.showLadder' && l.title === 'Show ladder'));
    const packets = cliReport(source).connections[0]!.packets;
    assert.equal(seen.ladder.length, packets, 'Show ladder lists every packet of the connection');
    assert.match(seen.ladder[0]!.text, /^client -> server S/);
    assert.equal(seen.revealed_line, seen.reveal_target, 'the verdict lens jumps to the connection');
    await assertNoLeftovers();
  });
});
