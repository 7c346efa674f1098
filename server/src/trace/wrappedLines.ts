/**
 * Packet lines that a mail, a ticket or a terminal wrapped: tcpdump's lines are long (150 characters
 * and more with options), and a hard wrap leaves the head line cut short (`..., le` or `..., win 502,`)
 * and the rest on the next line or two (`ngth 0`), which read as prose. Joined again, directly where
 * the wrap split a word or with the space it ate, the lines read as one clean packet: that is the fix
 * offered on them, and the only case it is offered in.
 */
import { parseTrace, type ParsedTrace } from './parser';
import type { Fix, TextEdit } from './types';

/** A packet line wrapped at 80 columns takes at most three lines more. */
const MAX_PIECES = 3;
/** Longer joins are not looked at (no packet line is that long). */
const MAX_JOINED_LENGTH = 4000;

/** Every join of a file touches its own line breaks: they can all be applied at once. */
const JOIN_FAMILY = { id: 'join-wrapped-lines', title: 'Join every wrapped packet line in this file' };

/** A join of the lines `head`..`last` into one, with its fix. */
export interface WrappedLine {
  head: number;
  last: number;
  fix: Fix;
}

/**
 * When line `first` (reported as no packet line) and up to two lines after it are the rest of the
 * packet line above it: which lines, and the fix that joins them. Undefined when no join of them
 * reads as exactly one packet with nothing to report.
 */
export function findWrappedLine(lines: readonly string[], first: number): WrappedLine | undefined {
  const head = first - 1;
  if (head < 0 || first >= lines.length) return undefined;
  const headText = lines[head]!;
  if (!cutShort(parseTrace(headText))) return undefined;
  const pieces: string[] = [];
  let length = headText.length;
  // The shortest join that is clean and whole wins; a clean join cut short (inside an option list,
  // which reads as a list tcpdump cut) takes the next piece too if that makes it whole.
  let best: { separators: string[]; last: number } | undefined;
  for (let k = 0; k < MAX_PIECES && first + k < lines.length; k++) {
    const piece = lines[first + k]!;
    // A wrap may leave a space at the start of the rest, but no tab (dump lines) or comment mark.
    const c = piece.charCodeAt(0);
    if (!piece.trim() || c === 9 || c === 35) break;
    // Nor is the rest of a line a packet of its own.
    if (parseTrace(piece).records.length) break;
    length += piece.length + 1;
    if (length > MAX_JOINED_LENGTH) break;
    pieces.push(piece);
    const join = cleanJoin(headText, pieces);
    if (!join) continue;
    best = { separators: join.separators, last: first + k };
    if (join.whole) break;
  }
  if (!best) return undefined;
  const last = best.last;
  return {
    head,
    last,
    fix: {
      title:
        last === first
          ? `Join line ${first + 1} onto the line above: the rest of a wrapped packet line`
          : `Join lines ${first + 1}-${last + 1} onto the line above: the rest of a wrapped packet line`,
      family: JOIN_FAMILY,
      edits: best.separators.map((newText, j): TextEdit => ({
        span: { line: head + j, start: lines[head + j]!.length, end: 0 },
        endLine: head + j + 1,
        newText,
      })),
    },
  };
}

/**
 * A TCP packet line read alone that is cut short: it has a problem, or it ends before its `length`
 * (which tcpdump prints last, before any payload summary: after it, anything goes) and not where
 * tcpdump itself stopped.
 */
function cutShort(alone: ParsedTrace): boolean {
  const rec = alone.records[0];
  if (alone.records.length !== 1 || !rec || rec.kind === 'other') return false;
  // tcpdump's own `[|tcp]` (the capture cut the header) ends a line as printed.
  if (rec.kind === 'tcp-truncated' || alone.lines[0]!.includes('[|')) return false;
  return alone.problems.length > 0 || rec.lengthSpan === undefined;
}

/**
 * The separator at each junction ('' where the wrap split a word, ' ' where it ate a space) that makes
 * `head` and `pieces` one clean TCP packet line, trying the direct join first, and whether that line is
 * whole (has its length); undefined when no join is clean.
 */
function cleanJoin(head: string, pieces: string[]): { separators: string[]; whole: boolean } | undefined {
  const n = pieces.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const separators = pieces.map((_, j) => (mask & (1 << j) ? ' ' : ''));
    let text = head;
    for (let j = 0; j < n; j++) text += separators[j]! + pieces[j]!;
    const joined = parseTrace(text);
    const rec = joined.records[0];
    if (!joined.problems.length && joined.records.length === 1 && rec?.kind === 'tcp')
      return { separators, whole: rec.lengthSpan !== undefined };
  }
  return undefined;
}
