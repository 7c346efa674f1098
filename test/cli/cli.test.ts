// The `packet-trace` command line, run as a user runs it (node bin/packet-trace.js ...), against the contract:
// `packet-trace check [--format text|json|sarif] FILE...`, compiler-style text, the version-1 JSON report,
// SARIF 2.1.0 for code scanning, and exit codes 0 (no errors) / 1 (errors) / 2 (usage or I/O failure, with
// a one-line `packet-trace: ...` reason on stderr).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CliConnection, CliDiagnostic } from '../helpers/lspClient';

/** Compiled to out/test/cli/, so the repository root is three levels up. */
const ROOT = path.join(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/packet-trace.js');
const CORPUS = '/work/shared/corpus/http-get-fin';

/** Fixture paths as a user in the repository root would type them (the CLI echoes them back). */
const FX = {
  clean: 'test/fixtures/clean-handshake-fin.trace',
  badSynAck: 'test/fixtures/bad-synack-ack.trace',
  warnings: 'test/fixtures/warnings-only.trace',
  malformed: 'test/fixtures/malformed-line.trace',
  ipv6: 'test/fixtures/ipv6-handshake.trace',
  services: 'test/fixtures/service-names.trace',
  verbose: 'test/fixtures/verbose-records.trace',
} as const;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  input?: string;
  uid?: number;
  gid?: number;
}

function cli(args: string[], opts: RunOptions = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    timeout: 60_000,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** 1-based line of the first line of `text` containing `needle`, and the 1-based column where it starts. */
function locate(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0 && ++seen === occurrence) return { line: i + 1, column: col + 1 };
  }
  throw new Error(`'${needle}' not found`);
}

/** 1-based numbers of the lines that start a packet record (not indented, not a comment, not blank). */
function recordHeadLines(text: string): number[] {
  const out: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() !== '' && !/^[ \t]/.test(l) && !l.startsWith('#')) out.push(i + 1);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The JSON report (version 1): exact shape.

interface JsonFile {
  file: string;
  connections: CliConnection[];
  diagnostics: CliDiagnostic[];
}

interface JsonReport {
  version: number;
  files: JsonFile[];
}

const SEVERITIES = ['error', 'warning', 'information', 'hint'];

function keysOf(o: unknown): string[] {
  assert.ok(
    o !== null && typeof o === 'object' && !Array.isArray(o),
    `expected an object, got ${JSON.stringify(o)}`,
  );
  return Object.keys(o).sort();
}

function assertInt(v: unknown, min: number, what: string): void {
  assert.ok(
    typeof v === 'number' && Number.isInteger(v) && v >= min,
    `${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`,
  );
}

/** Parses stdout as the JSON report and checks every object has exactly the documented keys and types. */
function parseJsonReport(stdout: string): JsonReport {
  const report = JSON.parse(stdout) as unknown;
  assert.deepEqual(keysOf(report), ['files', 'version']);
  const r = report as JsonReport;
  assert.equal(r.version, 1);
  assert.ok(Array.isArray(r.files));
  for (const f of r.files) {
    assert.deepEqual(keysOf(f), ['connections', 'diagnostics', 'file']);
    assert.equal(typeof f.file, 'string');
    assert.ok(Array.isArray(f.connections) && Array.isArray(f.diagnostics));
    for (const c of f.connections) {
      assert.deepEqual(keysOf(c), [
        'client',
        'firstLine',
        'handshake',
        'history',
        'id',
        'lastLine',
        'packets',
        'server',
        'teardown',
        'zeekState',
      ]);
      assertInt(c.id, 1, 'connection id');
      assertInt(c.firstLine, 1, 'firstLine');
      assertInt(c.lastLine, c.firstLine, 'lastLine');
      assertInt(c.packets, 1, 'packets');
      for (const k of ['client', 'server', 'handshake', 'teardown', 'zeekState', 'history'] as const) {
        assert.equal(typeof c[k], 'string', `connection.${k}`);
      }
      assert.match(c.client, /^.+:\d{1,5}$/);
      assert.match(c.server, /^.+:\d{1,5}$/);
    }
    for (const d of f.diagnostics) {
      assert.deepEqual(keysOf(d), ['code', 'column', 'endColumn', 'endLine', 'line', 'message', 'severity']);
      assertInt(d.line, 1, 'line');
      assertInt(d.endLine, d.line, 'endLine');
      assertInt(d.column, 1, 'column');
      assertInt(d.endColumn, 1, 'endColumn');
      if (d.endLine === d.line) assert.ok(d.endColumn >= d.column, 'endColumn before column');
      assert.ok(SEVERITIES.includes(d.severity), `severity ${d.severity}`);
      assert.match(d.code, /^[a-z]+\.[a-z0-9-]+$/);
      assert.ok(typeof d.message === 'string' && d.message.length > 0 && !d.message.includes('\n'));
    }
  }
  return r;
}

function onlyFile(r: JsonReport): JsonFile {
  assert.equal(r.files.length, 1);
  return r.files[0]!;
}

// ---------------------------------------------------------------------------------------------------------
// The text report: `file:line:col: severity code message`.

interface TextDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

function parseTextLine(l: string, files: readonly string[]): TextDiagnostic {
  const file = files.find((f) => l.startsWith(`${f}:`));
  assert.ok(file !== undefined, `text line does not start with a given file name: ${l}`);
  const m = /^(\d+):(\d+): (error|warning|information|hint) ([a-z]+\.[a-z0-9-]+) (\S.*)$/.exec(
    l.slice(file.length + 1),
  );
  assert.ok(m, `not 'file:line:col: severity code message': ${l}`);
  return { file, line: Number(m[1]), column: Number(m[2]), severity: m[3]!, code: m[4]!, message: m[5]! };
}

/** Parses a whole text report (every line must be a diagnostic). */
function parseTextReport(stdout: string, files: readonly string[]): TextDiagnostic[] {
  if (stdout === '') return [];
  assert.ok(stdout.endsWith('\n'), 'text output ends with a newline');
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((l) => parseTextLine(l, files));
}

// ---------------------------------------------------------------------------------------------------------
// SARIF 2.1.0, structurally, as GitHub code scanning needs it.

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface SarifPhysicalLocation {
  artifactLocation: { uri: string };
  region: SarifRegion;
}
interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: SarifPhysicalLocation }>;
  relatedLocations?: Array<{
    id?: number;
    message?: { text: string };
    physicalLocation: SarifPhysicalLocation;
  }>;
}
interface SarifRule {
  id: string;
  defaultConfiguration?: { level?: string };
  shortDescription?: { text: string };
}
interface SarifLog {
  version: string;
  $schema?: string;
  runs: Array<{
    tool: { driver: { name: string; version?: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

const SARIF_LEVELS = ['error', 'warning', 'note'];

function assertRegion(r: SarifRegion, what: string): void {
  assertInt(r.startLine, 1, `${what}.startLine`);
  assertInt(r.startColumn, 1, `${what}.startColumn`);
  assertInt(r.endLine, r.startLine, `${what}.endLine`);
  assertInt(r.endColumn, 1, `${what}.endColumn`);
  if (r.endLine === r.startLine)
    assert.ok(r.endColumn >= r.startColumn, `${what}: endColumn before startColumn`);
}

function assertPhysicalLocation(p: SarifPhysicalLocation, what: string): void {
  assert.ok(p && typeof p === 'object', `${what}.physicalLocation`);
  assert.ok(typeof p.artifactLocation?.uri === 'string' && p.artifactLocation.uri.length > 0, `${what} uri`);
  assertRegion(p.region, `${what}.region`);
}

/** Parses and checks a SARIF log; returns the run's results. */
function parseSarif(stdout: string): { log: SarifLog; results: SarifResult[]; rules: SarifRule[] } {
  const log = JSON.parse(stdout) as SarifLog;
  assert.equal(log.version, '2.1.0');
  if (log.$schema !== undefined) assert.match(log.$schema, /sarif/i);
  assert.ok(Array.isArray(log.runs) && log.runs.length >= 1, 'runs');
  const run = log.runs[0]!;
  const driver = run.tool?.driver;
  assert.ok(driver && typeof driver.name === 'string' && driver.name.length > 0, 'runs[0].tool.driver.name');
  assert.ok(Array.isArray(driver.rules), 'driver.rules');
  const ids = driver.rules.map((r) => r.id);
  for (const rule of driver.rules) {
    assert.ok(typeof rule.id === 'string' && rule.id.length > 0, 'rule id');
    const level = rule.defaultConfiguration?.level;
    if (level !== undefined) assert.ok(SARIF_LEVELS.includes(level), `rule ${rule.id} level ${level}`);
  }
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  assert.ok(Array.isArray(run.results), 'runs[0].results');
  run.results.forEach((res, i) => {
    const what = `results[${i}]`;
    assert.ok(ids.includes(res.ruleId), `${what}.ruleId ${res.ruleId} is not a driver rule`);
    if (res.ruleIndex !== undefined) {
      assertInt(res.ruleIndex, 0, `${what}.ruleIndex`);
      assert.equal(driver.rules[res.ruleIndex]?.id, res.ruleId, `${what}.ruleIndex points at its rule`);
    }
    assert.ok(SARIF_LEVELS.includes(res.level), `${what}.level ${res.level}`);
    assert.ok(typeof res.message?.text === 'string' && res.message.text.length > 0, `${what}.message.text`);
    assert.ok(Array.isArray(res.locations) && res.locations.length >= 1, `${what}.locations`);
    assertPhysicalLocation(res.locations[0]!.physicalLocation, `${what}.locations[0]`);
    for (const rel of res.relatedLocations ?? [])
      assertPhysicalLocation(rel.physicalLocation, `${what}.relatedLocations`);
  });
  return { log, results: run.results, rules: driver.rules };
}

const LEVEL_OF: Record<string, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** The SARIF results must be the JSON diagnostics, one to one, in the same places. */
function assertSarifMatchesJson(results: SarifResult[], json: JsonReport): void {
  const expected = json.files.flatMap((f) =>
    f.diagnostics.map((d) => ({
      uri: f.file,
      ruleId: d.code,
      level: LEVEL_OF[d.severity],
      text: d.message,
      region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
    })),
  );
  const actual = results.map((r) => ({
    uri: r.locations[0]!.physicalLocation.artifactLocation.uri,
    ruleId: r.ruleId,
    level: r.level,
    text: r.message.text,
    region: { ...r.locations[0]!.physicalLocation.region },
  }));
  assert.deepEqual(actual, expected);
}

// ---------------------------------------------------------------------------------------------------------
// Usage and I/O failures: exit 2 and one line on stderr.

function assertFailure(r: Run, reason: RegExp): void {
  assert.equal(r.status, 2, `exit status (stderr: ${r.stderr})`);
  assert.match(
    r.stderr,
    /^packet-trace: [^\n]+\n?$/,
    `one line starting 'packet-trace:' on stderr, got ${JSON.stringify(r.stderr)}`,
  );
  assert.match(r.stderr, reason);
}

// =========================================================================================================
// Fixtures themselves

test('every fixture starts with a one-line # comment saying what it demonstrates', () => {
  for (const rel of Object.values(FX)) {
    const first = fixtureText(rel).split('\n')[0]!;
    assert.match(first, /^# \S.{10,}$/, rel);
  }
});

// Text format and exit codes

test('clean handshake + FIN close: exit 0, no output at all in text mode', () => {
  const r = cli(['check', FX.clean]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
});

test('clean handshake + FIN close: text is the default format (same as --format text)', () => {
  const r = cli(['check', '--format', 'text', FX.clean]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '');
  const r2 = cli(['check', '--format=text', FX.badSynAck]);
  assert.equal(r2.stdout, cli(['check', FX.badSynAck]).stdout);
});

test('clean handshake + FIN close: JSON has one complete, FIN-closed SF connection and no diagnostics', () => {
  const r = cli(['check', '--format', 'json', FX.clean]);
  assert.equal(r.status, 0);
  const f = onlyFile(parseJsonReport(r.stdout));
  assert.equal(f.file, FX.clean);
  assert.deepEqual(f.diagnostics, []);
  assert.equal(f.connections.length, 1);
  const heads = recordHeadLines(fixtureText(FX.clean));
  assert.deepEqual(f.connections[0], {
    id: 1,
    client: '10.0.0.1:40000',
    server: '10.0.0.2:80',
    firstLine: heads[0],
    lastLine: heads[heads.length - 1],
    packets: heads.length,
    handshake: 'complete',
    teardown: 'fin',
    zeekState: 'SF',
    history: f.connections[0]!.history,
  });
  assert.match(f.connections[0]!.history, /^S/);
});

test('bad SYN-ACK ack: exit 1 and an error line at the exact column of the bad number', () => {
  const text = fixtureText(FX.badSynAck);
  const at = locate(text, 'ack 1005');
  const col = at.column + 'ack '.length;
  const r = cli(['check', FX.badSynAck]);
  assert.equal(r.status, 1);
  const diags = parseTextReport(r.stdout, [FX.badSynAck]);
  const bad = diags.filter((d) => d.code === 'handshake.bad-ack');
  assert.equal(bad.length, 1, r.stdout);
  assert.deepEqual(
    { line: bad[0]!.line, column: bad[0]!.column, severity: bad[0]!.severity },
    { line: at.line, column: col, severity: 'error' },
  );
  assert.ok(r.stdout.includes(`${FX.badSynAck}:${at.line}:${col}: error handshake.bad-ack `), r.stdout);
  assert.match(bad[0]!.message, /1001/, 'names the expected ack (ISN + 1)');
});

test('bad SYN-ACK ack: JSON diagnostic spans exactly the bad number, 1-based', () => {
  const text = fixtureText(FX.badSynAck);
  const at = locate(text, 'ack 1005');
  const r = cli(['check', '--format', 'json', FX.badSynAck]);
  assert.equal(r.status, 1);
  const f = onlyFile(parseJsonReport(r.stdout));
  const bad = f.diagnostics.find((d) => d.code === 'handshake.bad-ack');
  assert.ok(bad, r.stdout);
  const col = at.column + 'ack '.length;
  assert.deepEqual(
    {
      line: bad.line,
      endLine: bad.endLine,
      column: bad.column,
      endColumn: bad.endColumn,
      severity: bad.severity,
    },
    { line: at.line, endLine: at.line, column: col, endColumn: col + '1005'.length, severity: 'error' },
  );
  const lineText = text.split('\n')[bad.line - 1]!;
  assert.equal(lineText.slice(bad.column - 1, bad.endColumn - 1), '1005');
});

test('only warnings (and information): exit 0, diagnostics still printed', () => {
  const r = cli(['check', FX.warnings]);
  assert.equal(r.status, 0, r.stdout);
  const diags = parseTextReport(r.stdout, [FX.warnings]);
  assert.ok(diags.length >= 1);
  assert.ok(diags.every((d) => d.severity !== 'error'));
  const unanswered = diags.find((d) => d.code === 'handshake.unanswered-syn');
  assert.ok(unanswered, r.stdout);
  assert.equal(unanswered.severity, 'warning');
  assert.equal(unanswered.line, locate(fixtureText(FX.warnings), 'Flags [S]').line);
  assert.equal(cli(['check', '--format', 'json', FX.warnings]).status, 0);
  assert.equal(cli(['check', '--format', 'sarif', FX.warnings]).status, 0);
});

test('the exit code does not depend on the format', () => {
  for (const format of ['text', 'json', 'sarif']) {
    assert.equal(cli(['check', '--format', format, FX.clean]).status, 0, format);
    assert.equal(cli(['check', '--format', format, FX.badSynAck]).status, 1, format);
    assert.equal(cli(['check', `--format=${format}`, FX.malformed]).status, 1, format);
  }
});

test('text and JSON report the same diagnostics in the same places', () => {
  const files = Object.values(FX);
  const text = parseTextReport(cli(['check', ...files]).stdout, files);
  const json = parseJsonReport(cli(['check', '--format', 'json', ...files]).stdout);
  const fromJson = json.files.flatMap((f) =>
    f.diagnostics.map((d) => ({
      file: f.file,
      line: d.line,
      column: d.column,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
  );
  assert.deepEqual(text, fromJson);
});

// Several files

test('several files: one report per file, in the order given; exit 1 when any has an error', () => {
  const files = [FX.clean, FX.badSynAck, FX.warnings];
  const r = cli(['check', '--format', 'json', ...files]);
  assert.equal(r.status, 1);
  const j = parseJsonReport(r.stdout);
  assert.deepEqual(
    j.files.map((f) => f.file),
    files,
  );
  assert.deepEqual(j.files[0]!.diagnostics, []);
  assert.ok(j.files[1]!.diagnostics.some((d) => d.code === 'handshake.bad-ack' && d.severity === 'error'));
  assert.ok(
    j.files[2]!.diagnostics.length > 0 && j.files[2]!.diagnostics.every((d) => d.severity !== 'error'),
  );
  assert.ok(j.files.every((f) => f.connections.length >= 1));

  const t = cli(['check', ...files]);
  assert.equal(t.status, 1);
  const diags = parseTextReport(t.stdout, files);
  assert.ok(!diags.some((d) => d.file === FX.clean));
  assert.ok(diags.some((d) => d.file === FX.badSynAck && d.code === 'handshake.bad-ack'));
  assert.ok(diags.some((d) => d.file === FX.warnings && d.code === 'handshake.unanswered-syn'));
});

test('several files without any error: exit 0', () => {
  const r = cli(['check', FX.clean, FX.warnings, FX.services]);
  assert.equal(r.status, 0, r.stdout);
  const json = parseJsonReport(cli(['check', '--format', 'json', FX.clean, FX.warnings, FX.services]).stdout);
  assert.equal(json.files.length, 3);
});

test('the same file twice gives two reports', () => {
  const j = parseJsonReport(cli(['check', '--format', 'json', FX.clean, FX.clean]).stdout);
  assert.deepEqual(
    j.files.map((f) => f.file),
    [FX.clean, FX.clean],
  );
});

// stdin

test("'-' reads the trace from stdin (text and JSON; reported as file '-')", () => {
  const input = fixtureText(FX.badSynAck);
  const at = locate(input, 'ack 1005');
  const t = cli(['check', '-'], { input });
  assert.equal(t.status, 1);
  assert.ok(t.stdout.includes(`-:${at.line}:${at.column + 4}: error handshake.bad-ack `), t.stdout);

  const j = cli(['check', '--format', 'json', '-'], { input });
  assert.equal(j.status, 1);
  const f = onlyFile(parseJsonReport(j.stdout));
  assert.equal(f.file, '-');
  assert.equal(f.connections.length, 1);

  const clean = cli(['check', '-'], { input: fixtureText(FX.clean) });
  assert.equal(clean.status, 0);
  assert.equal(clean.stdout, '');
});

test("'-' mixes with file arguments", () => {
  const r = cli(['check', '--format', 'json', FX.clean, '-'], { input: fixtureText(FX.badSynAck) });
  assert.equal(r.status, 1);
  const j = parseJsonReport(r.stdout);
  assert.deepEqual(
    j.files.map((f) => f.file),
    [FX.clean, '-'],
  );
});

test('empty input is a clean (empty) trace: exit 0', () => {
  const r = cli(['check', '--format', 'json', '-'], { input: '' });
  assert.equal(r.status, 0);
  assert.deepEqual(onlyFile(parseJsonReport(r.stdout)), { file: '-', connections: [], diagnostics: [] });
});

// Malformed lines

test('a malformed line: parse.malformed-line error, exit 1, the rest still analysed', () => {
  const text = fixtureText(FX.malformed);
  const at = locate(text, 'bogus');
  const r = cli(['check', '--format', 'json', FX.malformed]);
  assert.equal(r.status, 1);
  const f = onlyFile(parseJsonReport(r.stdout));
  const bad = f.diagnostics.filter((d) => d.code === 'parse.malformed-line');
  assert.equal(bad.length, 1, r.stdout);
  assert.equal(bad[0]!.severity, 'error');
  assert.equal(bad[0]!.line, at.line);
  assert.equal(bad[0]!.column, at.column);
  // The connection before it and the one after it are both there and judged.
  assert.equal(f.connections.length, 2);
  const [before, after] = f.connections;
  assert.equal(before!.client, '10.0.0.1:40003');
  assert.equal(before!.handshake, 'complete');
  assert.equal(after!.client, '10.0.0.3:40004');
  assert.equal(after!.handshake, 'unanswered');
  assert.ok(after!.firstLine > at.line);
  assert.ok(f.diagnostics.some((d) => d.code === 'handshake.unanswered-syn' && d.line === after!.firstLine));

  const t = cli(['check', FX.malformed]);
  assert.equal(t.status, 1);
  assert.ok(
    t.stdout.includes(`${FX.malformed}:${at.line}:${at.column}: error parse.malformed-line `),
    t.stdout,
  );
});

// Endpoints and record lines in JSON

test('IPv6 endpoints print as ADDRESS:PORT (::1:8080)', () => {
  const r = cli(['check', '--format', 'json', FX.ipv6]);
  assert.equal(r.status, 0);
  const f = onlyFile(parseJsonReport(r.stdout));
  assert.deepEqual(
    f.connections.map((c) => [c.client, c.server, c.handshake]),
    [
      ['::1:52000', '::1:8080', 'complete'],
      ['2001:db8::1:33000', '2001:db8::2:443', 'unanswered'],
    ],
  );
});

test('service names: the host stays as printed, the port becomes its number (localhost:8080)', () => {
  const r = cli(['check', '--format', 'json', FX.services]);
  assert.equal(r.status, 0);
  const f = onlyFile(parseJsonReport(r.stdout));
  assert.equal(f.connections.length, 1);
  const c = f.connections[0]!;
  assert.equal(c.client, 'localhost:52052');
  assert.equal(c.server, 'localhost:8080');
  assert.equal(c.handshake, 'complete');
  assert.equal(c.packets, 3);
});

test("multi-line (-v) records: firstLine/lastLine are the first line of a packet's record", () => {
  const text = fixtureText(FX.verbose);
  const heads = recordHeadLines(text);
  assert.equal(heads.length, 3);
  const r = cli(['check', '--format', 'json', FX.verbose]);
  assert.equal(r.status, 0);
  const f = onlyFile(parseJsonReport(r.stdout));
  assert.equal(f.connections.length, 1);
  const c = f.connections[0]!;
  assert.equal(c.firstLine, heads[0]);
  assert.equal(c.lastLine, heads[2]);
  assert.equal(c.packets, 3);
  assert.equal(c.client, '10.0.0.1:40005');
  assert.equal(c.handshake, 'complete');
});

// --summary

test('--summary adds one line per connection after the diagnostics; exit code unchanged', () => {
  const clean = cli(['check', '--summary', FX.clean]);
  assert.equal(clean.status, 0);
  const lines = clean.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, clean.stdout);
  const line = lines[0]!;
  assert.ok(line.startsWith(`${FX.clean}:`), line);
  for (const part of ['10.0.0.1:40000', '10.0.0.2:80', 'complete', 'fin', 'SF'])
    assert.ok(line.includes(part), `${part} in ${line}`);

  const multi = cli(['check', '--summary', FX.badSynAck, FX.ipv6]);
  assert.equal(multi.status, 1);
  const out = multi.stdout.split('\n').filter((l) => l !== '');
  const diagLines = parseTextReport(cli(['check', FX.badSynAck, FX.ipv6]).stdout, [
    FX.badSynAck,
    FX.ipv6,
  ]).length;
  // 1 connection in the first file, 2 in the second.
  assert.equal(out.length, diagLines + 3, multi.stdout);
  const summary = out.slice(diagLines);
  assert.ok(summary[0]!.startsWith(`${FX.badSynAck}:`));
  assert.ok(summary[1]!.startsWith(`${FX.ipv6}:`) && summary[1]!.includes('::1:8080'));
  assert.ok(summary[2]!.startsWith(`${FX.ipv6}:`) && summary[2]!.includes('2001:db8::2:443'));
});

test('--summary leaves the JSON report valid', () => {
  const r = cli(['check', '--summary', '--format', 'json', FX.clean]);
  assert.equal(r.status, 0);
  assert.equal(onlyFile(parseJsonReport(r.stdout)).connections.length, 1);
});

// SARIF

test('SARIF: structurally valid 2.1.0, results point at driver rules', () => {
  const files = [FX.clean, FX.badSynAck, FX.warnings, FX.malformed];
  const r = cli(['check', '--format', 'sarif', ...files]);
  assert.equal(r.status, 1);
  const { results, rules } = parseSarif(r.stdout);
  assert.ok(results.length >= 3);
  const ids = rules.map((x) => x.id);
  for (const code of ['handshake.bad-ack', 'parse.malformed-line', 'handshake.unanswered-syn'])
    assert.ok(ids.includes(code), code);
  const json = parseJsonReport(cli(['check', '--format', 'json', ...files]).stdout);
  assertSarifMatchesJson(results, json);
});

test('SARIF: the bad SYN-ACK ack is an error region on exactly the bad number', () => {
  const text = fixtureText(FX.badSynAck);
  const at = locate(text, 'ack 1005');
  const col = at.column + 4;
  const { results } = parseSarif(cli(['check', '--format', 'sarif', FX.badSynAck]).stdout);
  const res = results.find((x) => x.ruleId === 'handshake.bad-ack');
  assert.ok(res);
  assert.equal(res.level, 'error');
  assert.equal(res.locations[0]!.physicalLocation.artifactLocation.uri, FX.badSynAck);
  assert.deepEqual(res.locations[0]!.physicalLocation.region, {
    startLine: at.line,
    startColumn: col,
    endLine: at.line,
    endColumn: col + 4,
  });
});

test('SARIF: information findings become level note; a clean file has an empty results array', () => {
  const w = parseSarif(cli(['check', '--format', 'sarif', FX.warnings]).stdout);
  const retrans = w.results.find((x) => x.ruleId === 'tcp.retransmission');
  assert.ok(retrans, 'the fixture has an information-level retransmission');
  assert.equal(retrans.level, 'note');
  const c = parseSarif(cli(['check', '--format', 'sarif', FX.clean]).stdout);
  assert.deepEqual(c.results, []);
  assert.ok(c.rules.length > 0, 'rules are listed even without results');
});

test('SARIF: artifactLocation.uri is a valid URI reference even for a path with a space and #', {}, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'odd name #1.trace');
  fs.copyFileSync(path.join(ROOT, FX.badSynAck), file);
  const r = cli(['check', '--format', 'sarif', file]);
  assert.equal(r.status, 1);
  const { results } = parseSarif(r.stdout);
  const uri = results[0]!.locations[0]!.physicalLocation.artifactLocation.uri;
  // RFC 3986: no raw spaces; a literal '#' in a path must be %23 or it starts a fragment.
  assert.match(uri, /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/, uri);
  assert.ok(!uri.includes('#'), uri);
  assert.ok(decodeURIComponent(uri).endsWith('/odd name #1.trace'), uri);
});

// Help, version

test('--help and -h: usage on stdout, exit 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = cli([flag]);
    assert.equal(r.status, 0, flag);
    assert.match(r.stdout, /usage: packet-trace check/);
    assert.match(r.stdout, /--format/);
    assert.equal(r.stderr, '');
  }
});

test("'check --help' prints the usage and exits 0", {}, () => {
  const r = cli(['check', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: packet-trace check/);
});

test('--version prints a version, exit 0', () => {
  const r = cli(['--version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

// Usage and I/O failures

test('no arguments: exit 2', () => {
  const r = cli([]);
  assert.equal(r.status, 2);
});

test('no arguments: a one-line packet-trace: reason on stderr', {}, () => {
  assertFailure(cli([]), /^packet-trace: /);
});

test("'check' with no FILE: exit 2, one-line reason", () => {
  assertFailure(cli(['check']), /FILE/);
  assertFailure(cli(['check', '--format', 'json']), /FILE/);
});

test('missing file: exit 2, one-line reason naming it', () => {
  assertFailure(cli(['check', 'test/fixtures/does-not-exist.trace']), /does-not-exist\.trace.*no such file/);
});

test('a missing file among good ones is still an I/O failure: exit 2', () => {
  assertFailure(cli(['check', FX.clean, 'test/fixtures/does-not-exist.trace']), /does-not-exist\.trace/);
  assertFailure(cli(['check', FX.badSynAck, 'test/fixtures/does-not-exist.trace']), /does-not-exist\.trace/);
});

test('a directory: exit 2, one-line reason', () => {
  assertFailure(cli(['check', 'test/fixtures']), /test\/fixtures.*directory/);
});

test('unreadable file (mode 000): exit 2, one-line reason', (t) => {
  if (process.getuid === undefined) {
    t.skip('no POSIX permissions on this platform');
    return;
  }
  if (process.getuid() === 0) {
    t.skip('running as root: mode 000 does not stop root from reading the file');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'unreadable.trace');
  fs.copyFileSync(path.join(ROOT, FX.clean), file);
  fs.chmodSync(file, 0o000);
  assertFailure(cli(['check', file]), /unreadable\.trace.*permission denied/);
});

test('unreadable file, when root: the CLI run as an unprivileged uid fails with exit 2', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('not root: the mode 000 test above covers this');
    return;
  }
  const nobody = { uid: 65534, gid: 65534 };
  let probe: Run;
  try {
    probe = cli(['--version'], nobody);
  } catch (e) {
    t.skip(`cannot run as uid 65534: ${(e as Error).message}`);
    return;
  }
  if (probe.status !== 0) {
    t.skip(`uid 65534 cannot run the CLI here: ${probe.stderr.split('\n')[0] ?? ''}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'unreadable.trace');
  fs.copyFileSync(path.join(ROOT, FX.clean), file);
  fs.chmodSync(file, 0o000);
  assertFailure(cli(['check', file], nobody), /unreadable\.trace.*permission denied/);
});

test('unknown option: exit 2, one-line reason naming it', () => {
  assertFailure(cli(['check', '--bogus', FX.clean]), /--bogus/);
});

test('unknown command: exit 2, one-line reason', () => {
  assertFailure(cli(['lint', FX.clean]), /lint/);
});

test('bad --format value: exit 2, one-line reason (both --format X and --format=X)', () => {
  assertFailure(cli(['check', '--format', 'xml', FX.clean]), /xml/);
  assertFailure(cli(['check', '--format=xml', FX.clean]), /xml/);
  assertFailure(cli(['check', '--format=', FX.clean]), /--format/);
});

test('--format without a value: exit 2, one-line reason', () => {
  assertFailure(cli(['check', FX.clean, '--format']), /--format/);
});

test('the reason stays on one line even when the file name holds a newline', {}, () => {
  assertFailure(cli(['check', 'no\nsuch.trace']), /no such file/);
});

// The real corpus

function corpusJson(t: { skip: (reason: string) => void }, name: string): JsonFile | undefined {
  const file = path.join(CORPUS, name);
  if (!fs.existsSync(file)) {
    t.skip(`corpus file ${file} is absent`);
    return undefined;
  }
  const r = cli(['check', '--format', 'json', file]);
  assert.equal(r.status, 0, r.stdout);
  const f = onlyFile(parseJsonReport(r.stdout));
  assert.equal(f.file, file);
  return f;
}

test('corpus http-get-fin/nn.trace: one complete, FIN-closed SF connection', (t) => {
  const f = corpusJson(t, 'nn.trace');
  if (!f) return;
  assert.equal(f.connections.length, 1);
  const c = f.connections[0]!;
  assert.equal(c.client, '127.0.0.1:52052');
  assert.equal(c.server, '127.0.0.1:8080');
  assert.equal(c.firstLine, 1);
  assert.equal(c.handshake, 'complete');
  assert.equal(c.teardown, 'fin');
  assert.equal(c.zeekState, 'SF');
  assert.equal(c.packets, 10);
  assert.equal(c.lastLine, 10);
});

test('corpus http-get-fin/default.trace (names on): localhost:52052 -> localhost:8080', (t) => {
  const f = corpusJson(t, 'default.trace');
  if (!f) return;
  assert.equal(f.connections.length, 1);
  const c = f.connections[0]!;
  assert.equal(c.client, 'localhost:52052');
  assert.equal(c.server, 'localhost:8080');
  assert.equal(c.zeekState, 'SF');
});

test('corpus http-get-fin/v-nn.trace (-v): lastLine is the first line of the last record', (t) => {
  const f = corpusJson(t, 'v-nn.trace');
  if (!f) return;
  const heads = recordHeadLines(fs.readFileSync(path.join(CORPUS, 'v-nn.trace'), 'utf8'));
  assert.equal(heads.length, 10);
  assert.equal(f.connections.length, 1);
  const c = f.connections[0]!;
  assert.equal(c.firstLine, heads[0]);
  assert.equal(c.lastLine, heads[9]);
  assert.equal(c.packets, 10);
  assert.equal(c.handshake, 'complete');
  assert.equal(c.teardown, 'fin');
});
