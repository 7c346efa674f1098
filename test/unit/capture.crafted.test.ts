// Crafted captures (captureFixtures.ts) of every link type and header form the reader handles:
// Ethernet with 802.1Q and QinQ tags, Linux cooked v1 and v2, raw IP, BSD loopback, IPv6 with a
// hop-by-hop header, IPv4 options and fragments, a short snap length, nanosecond and big-endian pcap,
// pcapng with two interfaces of different resolutions, comments, a simple packet block and a
// big-endian section. Each must render as tcpdump 4.99.3 prints it: against tcpdump itself when it is
// installed, and always against the stored output (captureCraftedExpected.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe as suite, test } from 'node:test';
import { renderCapture, type RenderOptions } from '../../server/src/trace/capture/index';
import { CRAFTED_EXPECTED } from './captureCraftedExpected';
import { craftedCaptures } from './captureFixtures';

const cases = craftedCaptures();
const FLAGSETS = [
  { flags: ['-nn'], timestamps: 'clock' },
  { flags: ['-nn', '-tttt'], timestamps: 'datetime' },
] as const;

/** The text without comment lines, as tcpdump prints it (it does not show pcapng comments). */
const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

function render(
  bytes: Uint8Array,
  timestamps: RenderOptions['timestamps'],
  names: (i: number) => string | undefined,
) {
  return renderCapture(bytes, { timeZone: 'utc', timestamps, interfaceName: names });
}

suite('capture reader: crafted captures, stored tcpdump output', () => {
  for (const [name, bytes] of Object.entries(cases)) {
    for (const fs_ of FLAGSETS) {
      test(`${name} ${fs_.flags.join(' ')}`, () => {
        const r = render(bytes, fs_.timestamps, (i) => (i === 1 ? 'lo' : undefined));
        assert.deepEqual(r.problems, []);
        const expected = CRAFTED_EXPECTED[`${name} ${fs_.flags.join(' ')}`];
        assert.ok(expected, 'stored output');
        assert.deepEqual(withoutComments(r.text).replace(/\n$/, '').split('\n'), expected);
      });
    }
  }

  test('pcapng comments become # lines above their packet', () => {
    const r = renderCapture(cases['pcapng-two-interfaces.pcapng']!, { timeZone: 'utc', trackLines: true });
    const lines = r.text.split('\n');
    assert.equal(lines[0], '# first SYN');
    assert.match(lines[1]!, /Flags \[S\]/);
    const request = r.packetLines![3]!;
    assert.deepEqual(lines.slice(request - 3, request), [
      '# the request',
      '# second comment',
      '# with two lines',
    ]);
    assert.match(lines[request]!, /HTTP: GET \/index.html/);
    assert.equal(r.packetCount, 10);
    assert.doesNotMatch(
      renderCapture(cases['pcapng-two-interfaces.pcapng']!, { comments: false }).text,
      /^#/m,
    );
  });
});

function tcpdumpVersion(): string | undefined {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return /tcpdump version (\S+)/.exec(r.stdout + r.stderr)?.[1];
}

/** Interface names as tcpdump resolves them on this machine (Linux sysfs). */
function machineInterfaces(): (i: number) => string | undefined {
  const names = new Map<number, string>();
  try {
    for (const n of fs.readdirSync('/sys/class/net'))
      names.set(Number(fs.readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8').trim()), n);
  } catch {
    // no sysfs: every index is '?'
  }
  return (i) => names.get(i);
}

suite('capture reader: crafted captures, live tcpdump', () => {
  const version = tcpdumpVersion();
  if (version === undefined || !version.startsWith('4.99.')) {
    test('tcpdump 4.99', (t) =>
      t.skip(version ? `tcpdump ${version} is not 4.99` : 'tcpdump is not installed'));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-capture-'));
  const names = machineInterfaces();
  for (const [name, bytes] of Object.entries(cases)) {
    for (const fs_ of FLAGSETS) {
      test(`${name}: tcpdump ${fs_.flags.join(' ')} -r prints the same text`, () => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, bytes);
        const t = spawnSync('tcpdump', [...fs_.flags, '-r', file], {
          encoding: 'latin1',
          env: { PATH: process.env.PATH, TZ: 'UTC', LC_ALL: 'C' },
        });
        assert.equal(t.status, 0, t.stderr);
        assert.equal(withoutComments(render(bytes, fs_.timestamps, names).text), t.stdout);
      });
    }
  }
  test('cleanup', () => fs.rmSync(dir, { recursive: true, force: true }));
});
