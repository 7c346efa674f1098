/**
 * Notes: blank and `#` comment lines, and the annotations they give the packet below them, as the
 * reader gives them; an edit that only changes notes (see reanalyzeLines).
 */
import { commentAnnotation, isBlankLine, plainComment, type ParsedTrace } from '../parser';
import { lowerBound } from '../search';
import type { PacketRecord, RecordList } from '../types';

/** A line that is no part of any packet and holds nothing but a note, or nothing. */
export function blankOrComment(text: string): boolean {
  return isBlankLine(text) || plainComment(text) !== undefined;
}

/**
 * The first record that starts on line `at` or below (in `records`, as they are placed in `lines`),
 * and the annotations the reader gives it: the comments since the last blank line after the record
 * above it started.
 */
export function notesBelow(
  records: RecordList,
  lines: readonly string[],
  at: number,
): { record?: PacketRecord; notes: PacketRecord['annotations'] } {
  const below = lowerBound(records.length, (k) => records.at(k)!.line, at);
  const record = records.at(below);
  let notes: PacketRecord['annotations'] = [];
  if (!record) return { notes };
  for (let i = below > 0 ? records.at(below - 1)!.line + 1 : 0; i < record.line; i++) {
    if (isBlankLine(lines[i]!)) notes = [];
    else {
      const text = commentAnnotation(lines[i]!);
      if (text !== undefined) notes.push({ text, line: i });
    }
  }
  return { record, notes };
}

/**
 * An edit of a blank or `#` comment line that leaves it one or the other (typing a note, or the `#`
 * that starts one): nothing the analysis reads changes, only the annotations of the packet below
 * (see notesBelow). `record`: that packet, with its new `annotations`; none when they stay as they
 * were. Undefined for any other edit, and in an -A dump, whose payload lines may look like comments.
 */
export function editedComment(
  old: ParsedTrace,
  lines: readonly string[],
  line: number,
): { record?: PacketRecord; annotations?: PacketRecord['annotations'] } | undefined {
  if (old.asciiDump || !blankOrComment(lines[line]!) || !blankOrComment(old.lines[line]!)) return undefined;
  const { record, notes } = notesBelow(old.recordList, lines, line + 1);
  if (!record) return {};
  return sameNotes(record.annotations, notes) ? {} : { record, annotations: notes };
}

export function sameNotes(a: PacketRecord['annotations'], b: PacketRecord['annotations']): boolean {
  return a.length === b.length && a.every((note, k) => note.text === b[k]!.text && note.line === b[k]!.line);
}
