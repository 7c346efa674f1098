/**
 * Hovers on the lines that come along with a pasted terminal session (trace/pastedText.ts): the
 * command that ran tcpdump, with each of its flags that shapes the text explained; tcpdump's banner;
 * the ^C; and what each exit count counts (tcpdump(8), "when tcpdump finishes capturing packets").
 */
import { commandOptions, isCodeFence, readTcpdumpMessage, type CountWhat } from '../trace/index';

/** What each option that changes how the text looks (or where packets come from) does. */
const FLAG_WORDS: Record<string, string> = {
  A: 'each packet\u2019s bytes as ASCII text under its line',
  e: 'the link-level header (MAC addresses, ethertype) at the start of each line',
  K: 'checksums are not verified',
  l: 'stdout line-buffered',
  n: 'addresses as numbers, not names (in 4.99, ports too)',
  nn: 'addresses and ports as numbers, not names',
  q: 'quick output: `tcp N` only, no flags, sequence numbers or windows',
  S: 'absolute TCP sequence numbers, not relative to the ISN',
  t: 'no timestamp',
  tt: 'timestamps as seconds since the epoch',
  ttt: 'the time since the previous packet',
  tttt: 'date and time',
  ttttt: 'the time since the first packet',
  v: 'the IP header on a line of its own (TTL, id, length), the TCP line under it',
  vv: 'more detail: checksums verified, protocol decodes',
  vvv: 'the most detail',
  x: 'each packet\u2019s bytes in hex',
  xx: 'each packet\u2019s bytes in hex, the link header included',
  X: 'each packet\u2019s bytes in hex and ASCII',
  XX: 'each packet\u2019s bytes in hex and ASCII, the link header included',
  '#': 'each line starts with the packet\u2019s number',
  i: 'capture on this interface',
  r: 'read packets from this capture file instead of an interface',
  w: 'write packets to this file (no text at all)',
  s: 'snapshot length: packets are cut after this many bytes (`[|tcp]` where the TCP header is cut)',
  c: 'stop after this many packets',
};

const LONG_WORDS: Record<string, string> = {
  '--absolute-tcp-sequence-numbers': FLAG_WORDS.S!,
  '--number': FLAG_WORDS['#']!,
  '--nano': 'timestamps to the nanosecond',
  '--time-stamp-precision=nano': 'timestamps to the nanosecond',
  '--interface': FLAG_WORDS.i!,
  '--snapshot-length': FLAG_WORDS.s!,
};

/** A hover for a line of a pasted session, or undefined when `text` is none. */
export function explainSessionLine(text: string): string | undefined {
  if (isCodeFence(text)) return 'A Markdown fence around the pasted trace: no part of it.';
  const message = readTcpdumpMessage(text);
  if (!message) return undefined;
  switch (message.kind) {
    case 'command':
      return explainCommand(text);
    case 'interrupt':
      return '**^C**: the terminal\u2019s echo of Ctrl-C, which stopped tcpdump; it then prints its counts.';
    case 'banner':
      return explainBanner(text.trim().replace(/^\^C/, ''));
    case 'count':
      return explainCount(message.count, message.what);
  }
}

function explainBanner(text: string): string {
  const link = /link-type (\S+) \(([^)]*)\)/.exec(text);
  const snap = /(?:snapshot length|capture size) (\d+)/.exec(text);
  const parts: string[] = [];
  if (text.startsWith('listening on ')) {
    const iface = /^listening on ([^,]+),/.exec(text)?.[1];
    parts.push(`**tcpdump's banner**: a live capture${iface ? ` on \`${code(iface)}\`` : ''}.`);
  } else if (text.startsWith('reading from file ')) {
    const end = text.indexOf(', link-type');
    const file = end > 18 ? text.slice(18, end) : undefined;
    parts.push(
      `**tcpdump's banner**: packets read from a saved capture${file ? ` (\`${code(file)}\`)` : ''}.`,
    );
  } else if (text.includes('verbose output suppressed')) {
    parts.push("**tcpdump's banner**: run without `-v`, so one line per packet and no protocol decodes.");
  } else {
    parts.push(`**tcpdump's message**: \`${code(text)}\``);
  }
  if (link)
    parts.push(
      `Link type \`${code(link[1]!)}\` (\`${code(link[2]!)}\`): the header \`-e\` prints before each IP header.`,
    );
  if (snap)
    parts.push(
      `Snapshot length ${snap[1]} bytes: each packet is kept up to that many bytes; a longer one is cut, and tcpdump marks what it could not print (\`[|tcp]\`).`,
    );
  return parts.join('\n\n');
}

function explainCount(count: number, what: CountWhat): string {
  const n = `${count} packet${count === 1 ? '' : 's'}`;
  switch (what) {
    case 'captured':
      return `**${n} captured**: the packets tcpdump received and printed (this trace holds them, minus any cut from the paste).`;
    case 'received by filter':
      return `**${n} received by filter**: the packets that matched the capture filter, as the operating system counts them (on Linux, whether or not tcpdump read them; some systems count every packet seen).`;
    case 'dropped by kernel':
      return `**${n} dropped by kernel**: packets that matched the filter but were dropped for lack of buffer space before tcpdump could read them${count ? ': they are missing from this trace, so some gaps in it are the capture\u2019s, not the network\u2019s. A larger buffer (`-B`), `-n` (no name lookups) or writing to a file (`-w`) helps.' : ': none, so the capture is complete.'}`;
    case 'dropped by interface':
      return `**${n} dropped by interface**: packets the network interface or its driver dropped before the capture${count ? ': they are missing from this trace.' : ': none.'}`;
  }
}

/** The command's options, each with what it does to the text, and its capture filter. */
function explainCommand(text: string): string {
  const { options, filter } = commandOptions(text);
  const lines: string[] = [];
  for (const o of options) {
    const long = o.name.startsWith('--');
    const meaning = long
      ? (LONG_WORDS[o.argument === undefined ? o.name : `${o.name}=${o.argument}`] ?? LONG_WORDS[o.name])
      : (FLAG_WORDS[o.name] ?? FLAG_WORDS[o.name[0]!]);
    if (!meaning) continue;
    const written = long
      ? o.argument === undefined
        ? o.name
        : `${o.name}=${o.argument}`
      : `-${o.name}${o.argument === undefined ? '' : ` ${o.argument}`}`;
    lines.push(`- \`${code(written)}\`: ${meaning}`);
  }
  const head = '**The command that ran tcpdump.** Its options shape this text:';
  const body = lines.length ? lines.join('\n') : '- none that change how packets are printed';
  const tail = filter.length ? `\n\nCapture filter: \`${code(filter.join(' '))}\`` : '';
  return `${head}\n\n${body}${tail}`;
}

/** Text shown inside backquotes: no backquote may end the span early, nor a line break split it. */
function code(s: string): string {
  return s.replace(/[`\r\n]/g, ' ').slice(0, 200);
}
