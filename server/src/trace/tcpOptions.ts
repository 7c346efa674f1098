/**
 * TCP options as tcpdump prints them: `options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]` (4.x) and
 * `<mss 1460,sackOK,timestamp 1 0,nop,wscale 0>` (3.x). MPTCP and SACK items nest their own brackets and
 * braces, so the list is split with a depth counter, never on the first closing bracket.
 */
import { isDigit, readUint } from './lineScanner';
import type { TcpOption } from './types';

export interface OptionList {
  options: TcpOption[];
  /** Column after the closing bracket, or the end of the line when the list was cut off. */
  end: number;
  /** The closing bracket is missing: the header was truncated (`[|tcp]`) or the list is bad. */
  unterminated: boolean;
}

/**
 * Scans an option list whose opening bracket is at `open` (`[` or `<`). Linear in the list length.
 */
export function scanOptionList(text: string, open: number, line: number): OptionList {
  const options: TcpOption[] = [];
  const { end, unterminated } = forEachOptionItem(text, open, (s, to) => {
    options.push(parseOption(text.slice(s, to), { line, start: s, end: to }));
    return true;
  });
  return { options, end, unterminated };
}

/**
 * Visits the items of the list at `open`, each as its columns without leading spaces (empty items
 * skipped), until `visit` returns false. MPTCP and SACK items nest brackets and braces: the list is
 * split on commas at depth 0. A list cut off (no closing bracket) ends at the line's end, or before a
 * trailing ` [|tcp]`. Gives the column after the list and whether it was cut off.
 */
function forEachOptionItem(
  text: string,
  open: number,
  visit: (start: number, end: number) => boolean,
): { end: number; unterminated: boolean } {
  const opener = text.charCodeAt(open);
  const closer = opener === 60 ? 62 : 93; // '<' -> '>', '[' -> ']'
  let depth = 0;
  let itemStart = open + 1;
  const item = (to: number): boolean => {
    let s = itemStart;
    while (s < to && text.charCodeAt(s) === 32) s++;
    return to > s ? visit(s, to) : true;
  };
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123 || (opener === 60 && c === 60)) depth++;
    else if ((c === 93 || c === 125 || (opener === 60 && c === 62)) && depth > 0) depth--;
    else if (c === closer && depth === 0) {
      item(i);
      return { end: i + 1, unterminated: false };
    } else if (c === 44 && depth === 0) {
      if (!item(i)) return { end: i + 1, unterminated: false };
      itemStart = i + 1;
    }
  }
  // Cut off: keep the items read so far; a trailing ` [|tcp]` is not an option.
  let tail = text.length;
  const trunc = text.lastIndexOf(' [|', tail);
  if (trunc >= itemStart) tail = trunc;
  item(tail);
  return { end: text.length, unterminated: true };
}

/**
 * Options that change on every packet, or pad: left out of a list's signature (3.x prints TS as
 * `timestamp`; parsed, it is TS).
 */
export const UNSIGNED_KINDS: ReadonlySet<string> = new Set(['nop', 'TS', 'timestamp', 'sack', 'eol']);

/**
 * The kinds of a list's options other than padding, timestamps and SACK, each followed by ';', read
 * without building the list (a repeated pure ACK's signature is compared with its flow's last one).
 * Undefined when an MPTCP item is there: its signature needs the parsed item.
 */
export function optionKindSignature(text: string, open: number): string | undefined {
  let sig = '';
  let mptcp = false;
  forEachOptionItem(text, open, (s, to) => {
    const kind = text.slice(s, keywordEnd(text, s, to));
    if (kind === 'mptcp') mptcp = true;
    else if (!UNSIGNED_KINDS.has(kind)) sig += `${kind};`;
    return !mptcp;
  });
  return mptcp ? undefined : sig;
}

/**
 * The number of the list's first `kind` option (mss, wscale), as parseOption reads it, without
 * building the list.
 */
export function optionNumber(text: string, open: number, kind: string): number | undefined {
  let value: number | undefined;
  forEachOptionItem(text, open, (s, to) => {
    if (keywordEnd(text, s, to) !== s + kind.length || !text.startsWith(kind, s)) return true;
    // parseOption: the number after the item's first space (none without one).
    const sp = firstSpace(text, s, to);
    const n = sp < to ? readUint(text, sp + 1).value : NaN;
    value = Number.isNaN(n) ? undefined : n;
    return false;
  });
  return value;
}

/** The end of the item's keyword at `s`, as parseOption reads it: a space, or a bracket glued to it. */
function keywordEnd(text: string, s: number, to: number): number {
  const sp = firstSpace(text, s, to);
  const br = text.indexOf('[', s);
  return br > s && br < sp ? br : sp;
}

/** The item's first space, or its end. */
function firstSpace(text: string, s: number, to: number): number {
  const sp = text.indexOf(' ', s);
  return sp < 0 || sp > to ? to : sp;
}

/**
 * Finds the end of an option list without building it: the column after its closing bracket, where
 * the fields after it resume; -1 when the list is not closed (cut off with the header).
 */
export function optionListClose(text: string, open: number): number {
  if (text.charCodeAt(open) === 91) {
    // The common list (`[nop,nop,TS val 1 ecr 2]`) nests nothing: its first ']' closes it unless a
    // '[' or '{' (SACK blocks, MPTCP) comes before. Searches for a character (indexOf is vectorised)
    // find that several times faster than the depth count of nestedListClose, and faster than a
    // sticky expression /[^[\]{]*\]/y (parse of the bench trace 363 -> 324 ms,
    // `node scripts/bench/stage-ab.mjs --cold`). The two after the first search only the list (a
    // slice shares the text): over the rest of a line, a line of many lists would be read again for
    // each of them.
    const close = text.indexOf(']', open + 1);
    if (close < 0) return -1;
    const list = text.slice(open + 1, close);
    if (list.indexOf('[') < 0 && list.indexOf('{') < 0) return close + 1;
  }
  return nestedListClose(text, open);
}

/** optionListClose for any list: brackets and braces counted. */
function nestedListClose(text: string, open: number): number {
  const opener = text.charCodeAt(open);
  const closer = opener === 60 ? 62 : 93;
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123 || (opener === 60 && c === 60)) depth++;
    else if ((c === 93 || c === 125 || (opener === 60 && c === 62)) && depth > 0) depth--;
    else if (c === closer && depth === 0) return i + 1;
  }
  return -1;
}

function parseOption(item: string, span: TcpOption['span']): TcpOption {
  const sp = item.indexOf(' ');
  // The keyword ends at a space or at a bracket glued to it ("scps[bad opt]").
  let kindEnd = sp < 0 ? item.length : sp;
  const br = item.indexOf('[');
  if (br > 0 && br < kindEnd) kindEnd = br;
  const kind = item.slice(0, kindEnd);
  const opt: TcpOption = { kind, text: item, span };
  const num = (from: number) => {
    const r = readUint(item, from);
    return Number.isNaN(r.value) ? undefined : r.value;
  };
  switch (kind) {
    case 'mss':
    case 'wscale':
    case 'echo':
    case 'echoreply':
      opt.value = num(sp + 1);
      break;
    case 'TS': {
      // "TS val N ecr N"
      const v = item.indexOf('val ');
      const e = item.indexOf('ecr ');
      if (v >= 0) opt.tsVal = num(v + 4);
      if (e >= 0) opt.tsEcr = num(e + 4);
      break;
    }
    case 'timestamp': {
      // 3.x: "timestamp VAL ECR"
      opt.kind = 'TS';
      const r1 = readUint(item, sp + 1);
      if (!Number.isNaN(r1.value)) opt.tsVal = r1.value;
      const r2 = readUint(item, r1.end + 1);
      if (!Number.isNaN(r2.value)) opt.tsEcr = r2.value;
      break;
    }
    case 'sack':
      opt.blocks = sackBlocks(item);
      break;
    default:
      break;
  }
  return opt;
}

/** `sack 2 {1:2}{5:9}` (also 3.7's `sack sack 1 {l:r} `) -> [[1,2],[5,9]]. */
function sackBlocks(item: string): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let i = item.indexOf('{');
  while (i >= 0 && i < item.length) {
    const a = readUint(item, i + 1);
    if (Number.isNaN(a.value) || item.charCodeAt(a.end) !== 58) break;
    const b = readUint(item, a.end + 1);
    if (Number.isNaN(b.value)) break;
    blocks.push([a.value, b.value]);
    i = item.indexOf('{', b.end);
    if (i < 0 || !isDigit(item.charCodeAt(i + 1))) break;
  }
  return blocks;
}
