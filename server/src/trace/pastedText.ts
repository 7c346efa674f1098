/**
 * What comes along when a trace is pasted from a terminal, a web page or a ticket: no-break spaces,
 * the Markdown fence around it, and the lines tcpdump writes around its packets when a terminal
 * session is pasted whole: the shell command that started it, its banner (`tcpdump: verbose output
 * suppressed, ...`, `listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes`,
 * `reading from file x.pcap, link-type ...`), the `^C` that stopped it and the counts it prints on
 * exit (`12 packets captured`, `12 packets received by filter`, `0 packets dropped by kernel`). They
 * are tcpdump's output, not prose to be told to start with `#`; and a count of packets the kernel
 * dropped says the trace itself has holes, which matters to every "previous segment not captured".
 * The strings are tcpdump.c's (4.99; older releases say `capture size N bytes`).
 */
import { skipDigits } from './lineScanner';
import { LinePrefix, findDisplacedTime } from './timestamp';
import type { ParseProblem } from './types';

export type TcpdumpMessage =
  | { kind: 'command' }
  | { kind: 'banner' }
  | { kind: 'interrupt' }
  | { kind: 'count'; count: number; what: CountWhat; numberStart: number; numberEnd: number };

/** What an exit count counts. */
export type CountWhat = 'captured' | 'received by filter' | 'dropped by kernel' | 'dropped by interface';

const COUNT_WHATS: readonly CountWhat[] = [
  'captured',
  'received by filter',
  'dropped by kernel',
  'dropped by interface',
];

/** Longer lines are not tcpdump's messages (a command line with a long filter stays well under). */
const MAX_MESSAGE_LENGTH = 2000;

/** The no-break space, which a trace copied from a web page (a wiki, a ticket) often has for spaces. */
const NO_BREAK_SPACE = /\u00a0/g;

/**
 * `text` with each no-break space (U+00A0) a plain space, as tcpdump printed it: one UTF-16 unit for
 * another, so every column stays where it was. The same string when there is none (a fast search).
 */
export function withPlainSpaces(text: string): string {
  return text.indexOf('\u00a0') < 0 ? text : text.replace(NO_BREAK_SPACE, ' ');
}

/**
 * A Markdown code fence (```` ``` ````, ```` ```text ````, `~~~`), which a trace pasted from a ticket,
 * a README or a chat often keeps around it: it frames the trace and is no prose in it.
 */
export function isCodeFence(text: string): boolean {
  let i = 0;
  while (i < 3 && text.charCodeAt(i) === 32) i++;
  const mark = text.charCodeAt(i);
  if (mark !== 96 && mark !== 126) return false;
  let n = 0;
  while (text.charCodeAt(i + n) === mark) n++;
  if (n < 3) return false;
  // An info string (a language name) may follow the fence, with no backquote in it.
  const info = text.slice(i + n, i + n + 200).trim();
  return text.length - (i + n) <= 200 && /^[\w+.#-]*$/.test(info);
}

/** Which of tcpdump's own messages `text` is, or undefined. Linear in the line; never throws. */
export function readTcpdumpMessage(text: string): TcpdumpMessage | undefined {
  if (text.length > MAX_MESSAGE_LENGTH) return undefined;
  let from = 0;
  while (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9) from++;
  // The terminal echoes the interrupt, and tcpdump's first count often follows on the same line.
  if (text.startsWith('^C', from)) {
    from += 2;
    if (text.trimEnd().length === from) return { kind: 'interrupt' };
  }
  if (text.startsWith('tcpdump: ', from)) return { kind: 'banner' };
  if (text.startsWith('listening on ', from) && text.includes(', link-type ', from))
    return { kind: 'banner' };
  if (text.startsWith('reading from file ', from) && text.includes(', link-type ', from))
    return { kind: 'banner' };
  const count = readCount(text, from);
  if (count) return count;
  return isCommandLine(text, from) ? { kind: 'command' } : undefined;
}

/** `N packet(s) captured|received by filter|dropped by kernel|dropped by interface`. */
function readCount(text: string, from: number): TcpdumpMessage | undefined {
  const numberEnd = skipDigits(text, from);
  if (numberEnd === from || numberEnd - from >= 20) return undefined;
  let rest = text.slice(numberEnd).trimEnd();
  if (rest.startsWith(' packets ')) rest = rest.slice(9);
  else if (rest.startsWith(' packet ')) rest = rest.slice(8);
  else return undefined;
  const what = COUNT_WHATS.find((w) => rest === w);
  if (!what) return undefined;
  return { kind: 'count', count: Number(text.slice(from, numberEnd)), what, numberStart: from, numberEnd };
}

/**
 * A shell prompt and the command that ran tcpdump: `$ tcpdump -nn -i eth0`, `user@host:~$ sudo
 * tcpdump ...`, `% /usr/sbin/tcpdump -r x.pcap`. (A root prompt, `# tcpdump`, is a comment already.)
 */
function isCommandLine(text: string, from: number): boolean {
  const at = text.indexOf('tcpdump', from);
  if (at < 0 || at - from > 200) return false;
  const after = text.charCodeAt(at + 7);
  if (!Number.isNaN(after) && after !== 32 && after !== 9) return false;
  // Before the program: its directory, `sudo` and sudo's options, then the prompt's last character.
  let i = at;
  while (i > from && text.charCodeAt(i - 1) !== 32) i--;
  const path = text.slice(i, at);
  if (path !== '' && !path.endsWith('/')) return false;
  let words = text.slice(from, i).trimEnd();
  const sudo = /(?:^|\s)sudo(?:\s+-\S+)*$/.exec(words);
  if (sudo) words = words.slice(0, sudo.index).trimEnd();
  // No prompt: the command alone at the start of the line, with options or nothing after it.
  if (words === '') return Number.isNaN(after) || /^\s+-/.test(text.slice(at + 7, at + 12));
  const last = words.charCodeAt(words.length - 1);
  // $ % > #
  return last === 36 || last === 37 || last === 62 || last === 35;
}

/**
 * `capture.packets-dropped` for an exit count of packets the kernel or the interface dropped (more
 * than none), on the count's text; undefined for any other message.
 */
export function droppedPackets(
  message: TcpdumpMessage,
  line: number,
  text: string,
): ParseProblem | undefined {
  if (message.kind !== 'count' || message.count === 0 || !message.what.startsWith('dropped'))
    return undefined;
  const who = message.what === 'dropped by kernel' ? 'the kernel' : 'the interface';
  const n = message.count === 1 ? 'one packet' : `${message.count} packets`;
  return {
    code: 'capture.packets-dropped',
    message: `${who} dropped ${n} during this capture (tcpdump's count): the trace has holes, so a "previous segment not captured" or an ACK of unseen data may be the capture's loss, not the network's`,
    span: { line, start: message.numberStart, end: text.trimEnd().length },
  };
}

/** tcpdump's options that take an argument (its getopt string, 4.99): in a cluster, the rest is it. */
const TAKES_ARGUMENT = new Set('BcCEFGijmMrsTVwWyzZQ'.split(''));

/** One option of a tcpdump command line: `-nn` is `n` twice; `-i eth0` has its argument. */
export interface CommandOption {
  /** The letters as written (`nn`, `tttt`, `i`), or a long option with its `--`. */
  name: string;
  argument?: string;
}

/**
 * The options and the capture filter of a command line that ran tcpdump (`readTcpdumpMessage` says
 * 'command'), read as tcpdump's getopt reads them: letters cluster (`-nnS`), a run of one letter is
 * one option (`-vvv`), and an option that takes an argument takes the rest of its cluster or the next
 * word. Words that are no option are the filter.
 */
export function commandOptions(text: string): { options: CommandOption[]; filter: string[] } {
  const at = text.indexOf('tcpdump');
  const words = text
    .slice(at + 'tcpdump'.length, at + 2000)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const options: CommandOption[] = [];
  const filter: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      options.push(eq < 0 ? { name: w } : { name: w.slice(0, eq), argument: w.slice(eq + 1) });
      continue;
    }
    if (!w.startsWith('-') || w === '-') {
      filter.push(w);
      continue;
    }
    const letters = w.slice(1);
    for (let j = 0; j < letters.length;) {
      const c = letters[j]!;
      if (TAKES_ARGUMENT.has(c)) {
        options.push({ name: c, argument: letters.slice(j + 1) || words[++i] || '' });
        break;
      }
      let k = j;
      while (letters[k] === c) k++;
      options.push({ name: letters.slice(j, k) });
      j = k;
    }
  }
  return { options, filter };
}

/**
 * What a command line that ran tcpdump says of its sequence numbers: absolute with `-S` (or
 * `--absolute-tcp-sequence-numbers`), relative without; undefined when it only read or wrote a file
 * with no text (`-w`).
 */
export function commandNumbering(text: string): boolean | undefined {
  const { options } = commandOptions(text);
  if (options.some((o) => o.name === 'w')) return undefined;
  return options.some((o) => o.name === 'S' || o.name === '--absolute-tcp-sequence-numbers');
}

const joinedPrefix = new LinePrefix();

/**
 * Where more packet lines start on this one, from column `from` on: a trace pasted into a field that
 * folds line breaks into spaces runs its packets together on one line (`... length 0 10:00:00.000101
 * IP ...`), and tcpdump's payload summary after `length N` would swallow them. Each is a time (with
 * -tttt its date) after a space and followed by a network part (see findDisplacedTime). Linear.
 */
export function findJoinedPackets(text: string, from: number): number[] {
  const starts: number[] = [];
  let at = from;
  while (at < text.length && findDisplacedTime(text, at, joinedPrefix, text.length)) {
    starts.push(joinedPrefix.timeStart);
    at = joinedPrefix.bodyStart;
  }
  return starts;
}

/** `parse.joined-packets` for a packet line with others run on after it, from their first start. */
export function joinedPackets(text: string, line: number, starts: number[]): ParseProblem {
  const n = starts.length;
  return {
    code: 'parse.joined-packets',
    message: `${n === 1 ? 'one more packet line runs' : `${n} more packet lines run`} on after this one (the line breaks were lost in a paste): only the first is read; split the line to read them all`,
    span: { line, start: starts[0]!, end: Math.max(starts[0]! + 1, text.trimEnd().length) },
  };
}
