// The CLI on captures: `packet-trace check capture.pcap` gives the same verdicts as on its tcpdump
// rendering (connections, their handshake/teardown/Zeek verdicts, and every diagnostic code per line),
// `packet-trace render` prints tcpdump's text, and damage gives every packet then one clear diagnostic.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe as suite, test } from 'node:test';

const ROOT = path.join(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/packet-trace.js');
const CORPUS = path.join(ROOT, '../shared/corpus');

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input,
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

interface JsonFile {
  file: string;
  connections: Array<Record<string, unknown>>;
  diagnostics: Array<{ line: number; code: string; severity: string }>;
}

const captures = fs.existsSync(CORPUS)
  ? fs
      .readdirSync(CORPUS)
      .filter(
        (d) =>
          fs.existsSync(path.join(CORPUS, d, 'capture.pcap')) &&
          fs.existsSync(path.join(CORPUS, d, 'nn.trace')),
      )
      .sort()
  : [];

suite('capture CLI: check on captures', () => {
  if (captures.length === 0) {
    test('corpus', (t) => t.skip(`no corpus at ${CORPUS}`));
    return;
  }
  // One run over every capture and one over every rendering.
  let pcaps: JsonFile[] = [];
  let traces: JsonFile[] = [];
  test('check --format json reads every corpus capture.pcap and every nn.trace', () => {
    const a = cli([
      'check',
      '--format',
      'json',
      ...captures.map((d) => path.join(CORPUS, d, 'capture.pcap')),
    ]);
    const b = cli(['check', '--format', 'json', ...captures.map((d) => path.join(CORPUS, d, 'nn.trace'))]);
    assert.ok(a.status === 0 || a.status === 1, a.stderr);
    assert.equal(a.status, b.status, 'the same exit status');
    pcaps = (JSON.parse(a.stdout) as { files: JsonFile[] }).files;
    traces = (JSON.parse(b.stdout) as { files: JsonFile[] }).files;
    assert.equal(pcaps.length, captures.length);
  });
  captures.forEach((name, k) => {
    test(`${name}: the verdicts on capture.pcap equal those on nn.trace`, () => {
      const p = pcaps[k];
      const t = traces[k];
      assert.ok(p && t, 'reports');
      assert.equal(p.file, path.join(CORPUS, name, 'capture.pcap'), 'the report names the capture');
      const verdicts = (f: JsonFile) =>
        f.connections.map((c) => ({
          client: c.client,
          server: c.server,
          packets: c.packets,
          firstLine: c.firstLine,
          lastLine: c.lastLine,
          handshake: c.handshake,
          teardown: c.teardown,
          zeekState: c.zeekState,
          history: c.history,
        }));
      assert.deepEqual(verdicts(p), verdicts(t));
      const codes = (f: JsonFile) => f.diagnostics.map((d) => `${d.line} ${d.code} ${d.severity}`);
      assert.deepEqual(codes(p), codes(t));
    });
  });
});

suite('capture CLI: render', () => {
  const dns = path.join(CORPUS, 'tcpdump-dns_tcp');
  test('render prints tcpdump -nn text; --tttt the -tttt -nn form', (t) => {
    if (!fs.existsSync(dns)) return t.skip('no corpus');
    const a = cli(['render', path.join(dns, 'capture.pcap')]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, fs.readFileSync(path.join(dns, 'nn.trace'), 'utf8'));
    const b = cli(['render', '--tttt', path.join(dns, 'capture.pcap')]);
    assert.equal(b.stdout, fs.readFileSync(path.join(dns, 'tttt-nn.trace'), 'utf8'));
  });

  test('render reads standard input; check reads a capture on standard input', (t) => {
    if (!fs.existsSync(dns)) return t.skip('no corpus');
    const bytes = fs.readFileSync(path.join(dns, 'capture.pcap'));
    assert.equal(cli(['render', '-'], bytes).stdout, fs.readFileSync(path.join(dns, 'nn.trace'), 'utf8'));
    const j = JSON.parse(cli(['check', '--format', 'json', '-'], bytes).stdout) as { files: JsonFile[] };
    assert.equal(j.files[0]!.file, '-');
    assert.equal(j.files[0]!.connections.length, 1);
  });

  test('a damaged capture: every packet before the damage, the reason on stderr, exit 1', (t) => {
    const src = path.join(CORPUS, 'http-get-fin/capture.pcap');
    if (!fs.existsSync(src)) return t.skip('no corpus');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-capture-cli-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const cut = path.join(dir, 'cut.pcap');
    fs.writeFileSync(cut, fs.readFileSync(src).subarray(0, 1000));
    const r = cli(['render', cut]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trimEnd().split('\n').length, 5);
    assert.match(
      r.stderr,
      /^packet-trace: .*cut\.pcap: damaged capture: truncated capture: packet 6 has \d+ captured bytes, but the file ends after \d+/,
    );
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
    const c = cli(['check', '--format', 'json', cut]);
    assert.equal(c.status, 1);
    const f = (JSON.parse(c.stdout) as { files: JsonFile[] }).files[0]!;
    const damage = f.diagnostics.filter((d) =>
      /damaged capture/.test((d as unknown as { message: string }).message),
    );
    assert.equal(damage.length, 1, 'one diagnostic');
    assert.equal(damage[0]!.line, 5, 'on the last line');
  });

  test('render of a text trace, a missing file, no file: exit 2 with a reason', () => {
    const text = cli(['render', 'test/fixtures/clean-handshake-fin.trace']);
    assert.equal(text.status, 2);
    assert.match(text.stderr, /not a pcap or pcapng capture/);
    assert.equal(cli(['render', 'no-such.pcap']).status, 2);
    assert.equal(cli(['render']).status, 2);
    assert.equal(cli(['render', '--bogus', 'x.pcap']).status, 2);
  });

  test('--help names render', () => {
    assert.match(cli(['--help']).stdout, /packet-trace render \[--tttt\]/);
  });
});
