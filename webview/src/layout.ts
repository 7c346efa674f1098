/**
 * From a ladder model and the view switches to rows with positions: lanes (one per `ip:port`),
 * filters, collapsed runs, the compact and the time-proportional axis with folded idle gaps. Pure
 * and linear in the number of packets; the drawing (render.ts) and the exports read the result.
 */
import type { ConnectionSummary, LadderArrow, LadderModel } from '../../protocol/lsp';
import type { LadderToggles } from '../../protocol/webview';
import { arrowLabel, badges, isPlainAck, isUneventful, synOptionsLabel } from './labels';

export interface Lane {
  endpoint: string;
  /** `client`, `server`, or both when the endpoint plays both parts in different connections. */
  roles: string[];
  guessed: boolean;
  x: number;
}

interface RowBase {
  /** Top of the row, in pixels from the top of the diagram. */
  y: number;
  h: number;
}

export interface ArrowRow extends RowBase {
  kind: 'arrow';
  /** Index into model.arrows. */
  i: number;
  /** Offset of the arrow's line from the row's top, and how far its end sinks (slant). */
  arrowY: number;
  slant: number;
  /** Note lines beside the arrow (annotations, wrapped). */
  notes: string[];
}

export interface RunRow extends RowBase {
  kind: 'run';
  first: number;
  last: number;
  count: number;
  bytes: number;
  seconds?: number;
  expanded: boolean;
  /** The run's identity across updates: the line of its first packet. */
  key: number;
  connection: number;
}

export interface HiddenRow extends RowBase {
  kind: 'hidden';
  first: number;
  last: number;
  count: number;
}

export interface IdleRow extends RowBase {
  kind: 'idle';
  seconds: number;
}

/**
 * In the all-connections view, a header above each connection's first packet: its verdict in words and
 * Zeek's conn_state and history (the one-connection view has them in the page header).
 */
export interface ConnRow extends RowBase {
  kind: 'conn';
  connection: number;
  summary: ConnectionSummary;
}

export type Row = ArrowRow | RunRow | HiddenRow | IdleRow | ConnRow;

export interface Layout {
  lanes: Lane[];
  /** Client and server lane of each connection. */
  laneOfConnection: Map<number, [number, number]>;
  rows: Row[];
  /** Row tops, for binary search. */
  tops: Float64Array;
  height: number;
  width: number;
  /**
   * Right edges of the gutter's columns, and its width; `times` false when the trace has none, `delta`
   * 0 when the view is too narrow for that column (the tooltip still gives it).
   */
  gutter: { line: number; time: number; delta: number; width: number; times: boolean };
  /** Laid out tighter because the view is narrower than `fitWidth`, what the roomy layout needs. */
  tight: boolean;
  fitWidth: number;
  notesX: number;
  /** Row of each arrow, or -1 when it is not drawn. */
  rowOfArrow: Int32Array;
  /** For an arrow not drawn: the run or hidden-packets row holding it, or -1 (hidden pure ACK). */
  holderOfArrow: Int32Array;
  counts: {
    total: number;
    arrows: number;
    runs: number;
    inRuns: number;
    hiddenAcks: number;
    hiddenNoFinding: number;
  };
  /** Time axis: pixels per second, folded gaps; `note` when the axis could not be used. */
  time: { on: boolean; pxPerSecond?: number; foldSeconds?: number; folded: number; note?: string };
  /** Slant in use, and the handshake RTT it comes from. */
  slant: { on: boolean; rtt?: number };
}

/** Geometry of a row, in pixels. */
export const GEOM = {
  labelBaseline: 15,
  optionsBaseline: 28,
  arrowGap: 9,
  badgeGap: 15,
  bottom: 10,
  noteLine: 14,
  runH: 30,
  hiddenH: 22,
  connH: 42,
  idleH: 30,
  charW: 7.2,
  stateCharW: 6.7,
  stateMargin: 150,
  stateMarginTight: 112,
  minRun: 8,
  noteChars: 60,
  noteCharsTight: 36,
  maxNoteLines: 6,
} as const;

export interface LayoutOptions {
  toggles: LadderToggles;
  /** Keys (first lines) of the runs the user expanded. */
  expanded: ReadonlySet<number>;
  /** Width of the view: when the diagram would not fit, margins shrink and the Δ column goes. */
  viewWidth?: number;
}

function buildLanes(model: LadderModel): { lanes: Lane[]; laneOfConnection: Map<number, [number, number]> } {
  const lanes: Lane[] = [];
  const index = new Map<string, number>();
  const laneOfConnection = new Map<number, [number, number]>();
  // Linear in packets and connections: a trace can hold thousands of each.
  const withArrows = new Set<number>();
  if (model.connection === 0) for (const a of model.arrows) withArrows.add(a.connection);
  const shown: ConnectionSummary[] =
    model.connection === 0
      ? model.connections.filter((c) => withArrows.has(c.id))
      : model.connections.filter((c) => c.id === model.connection);
  const laneFor = (endpoint: string, role: string, guessed: boolean): number => {
    let i = index.get(endpoint);
    if (i === undefined) {
      i = lanes.length;
      index.set(endpoint, i);
      lanes.push({ endpoint, roles: [role], guessed, x: 0 });
    } else if (!lanes[i]!.roles.includes(role)) lanes[i]!.roles.push(role);
    return i;
  };
  for (const c of shown) {
    const client = laneFor(c.client, 'client', c.clientGuessed);
    const server = laneFor(c.server, 'server', c.clientGuessed);
    laneOfConnection.set(c.id, [client, server]);
  }
  return { lanes, laneOfConnection };
}

/** The longest label, from a sample on big models (labels of bulk transfers are all alike). */
function labelChars(arrows: LadderArrow[], absolute: boolean): number {
  let max = 0;
  const n = arrows.length;
  const step = n > 6000 ? Math.ceil(n / 4000) : 1;
  const measure = (a: LadderArrow) => {
    max = Math.max(max, arrowLabel(a, absolute).length, synOptionsLabel(a)?.length ?? 0);
    const b = badges(a);
    if (b.length) max = Math.max(max, b.map((x) => x.text).join(' · ').length + 2);
  };
  for (let i = 0; i < n; i += step) measure(arrows[i]!);
  if (step > 1) for (const a of arrows) if (a.kind !== 'data' && a.kind !== 'ack') measure(a);
  return max;
}

/** Wraps note text at word boundaries; at most `max` lines, the last one ending in `…` if cut. */
export function wrapNotes(notes: string[], width: number, max: number): string[] {
  const out: string[] = [];
  for (const note of notes) {
    let rest = note.trim();
    if (!rest) continue;
    while (rest.length > width) {
      let cut = rest.lastIndexOf(' ', width);
      if (cut < width / 2) cut = width;
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest) out.push(rest);
  }
  if (out.length > max) {
    const kept = out.slice(0, max);
    kept[max - 1] = `${kept[max - 1]!.slice(0, width - 1)}…`;
    return kept;
  }
  return out;
}

/** The handshake RTT of each connection: SYN to the first client ACK after the SYN-ACK. */
function handshakeRtts(arrows: LadderArrow[]): Map<number, number> {
  const syn = new Map<number, number>();
  const synAck = new Set<number>();
  const rtt = new Map<number, number>();
  for (const a of arrows) {
    if (a.time === undefined || rtt.has(a.connection)) continue;
    if (a.kind === 'handshake' && a.fromClient && !a.flags.includes('.')) syn.set(a.connection, a.time);
    else if (a.kind === 'handshake' && !a.fromClient && syn.has(a.connection)) synAck.add(a.connection);
    else if (a.fromClient && synAck.has(a.connection) && a.flags.includes('.'))
      rtt.set(a.connection, a.time - syn.get(a.connection)!);
  }
  return rtt;
}

/** The median time between consecutive packets (a sample on big models). */
export function medianGap(arrows: LadderArrow[]): number | undefined {
  const gaps: number[] = [];
  const step = arrows.length > 40000 ? Math.ceil(arrows.length / 20000) : 1;
  for (let i = step; i < arrows.length; i += step) {
    const a = arrows[i - 1]!.time;
    const b = arrows[i]!.time;
    if (a !== undefined && b !== undefined && b > a) gaps.push(b - a);
  }
  if (!gaps.length) return undefined;
  gaps.sort((x, y) => x - y);
  return gaps[Math.floor(gaps.length / 2)];
}

export function layout(model: LadderModel, options: LayoutOptions): Layout {
  const { toggles } = options;
  const arrows = model.arrows;
  const n = arrows.length;
  const { lanes, laneOfConnection } = buildLanes(model);
  const rows: Row[] = [];
  const rowOfArrow = new Int32Array(n).fill(-1);
  const holderOfArrow = new Int32Array(n).fill(-1);
  const counts = { total: n, arrows: 0, runs: 0, inRuns: 0, hiddenAcks: 0, hiddenNoFinding: 0 };
  const times = arrows.some((a) => a.time !== undefined);

  // Slant: the one-way delay (half the handshake RTT), in pixels once the axis scale is known.
  const rtts = toggles.slant ? handshakeRtts(arrows) : new Map<number, number>();
  const firstRtt = rtts.values().next().value as number | undefined;

  // The time axis: the median gap between packets is one plain row; gaps longer than eight rows fold.
  const time: Layout['time'] = { on: false, folded: 0 };
  let pps = 0;
  if (toggles.timeAxis) {
    const median = times ? medianGap(arrows) : undefined;
    if (median === undefined) time.note = times ? 'all packets have one time' : 'the trace has no times';
    else {
      time.on = true;
      pps = (GEOM.labelBaseline + GEOM.arrowGap + GEOM.bottom) / median;
      time.pxPerSecond = pps;
      time.foldSeconds = (8 * (GEOM.labelBaseline + GEOM.arrowGap + GEOM.bottom)) / pps;
    }
  }
  const foldPx = 8 * (GEOM.labelBaseline + GEOM.arrowGap + GEOM.bottom);

  // Horizontal positions: the gutter, state boxes left of the first lane, lanes spaced for the
  // longest label, state boxes right of the last lane, then the notes. Decided before the rows,
  // because notes wrap narrower in the tight layout of a narrow view.
  const hasNotes = arrows.some((a) => a.annotations.length > 0);
  const labelW = labelChars(arrows, toggles.absolute) * GEOM.charW;
  const geometry = (tight: boolean) => {
    const gutter = !times
      ? { line: 46, time: 46, delta: 46, width: 60, times: false }
      : tight
        ? { line: 40, time: 112, delta: 0, width: 124, times: true }
        : { line: 46, time: 124, delta: 196, width: 210, times: true };
    const margin = tight ? GEOM.stateMarginTight : GEOM.stateMargin;
    const gap = Math.min(1000, Math.max(tight ? 300 : 380, labelW + (tight ? 36 : 80)));
    const lastX = gutter.width + margin + Math.max(0, lanes.length - 1) * gap;
    const notesX = lastX + margin + 10;
    const noteChars = tight ? GEOM.noteCharsTight : GEOM.noteChars;
    const width = Math.ceil(notesX + (hasNotes ? noteChars * GEOM.charW + 20 : 0));
    return { gutter, margin, gap, notesX, width, noteChars };
  };
  let tight = false;
  let geo = geometry(false);
  const fitWidth = geo.width;
  if (options.viewWidth !== undefined && geo.width > options.viewWidth) {
    tight = true;
    geo = geometry(true);
  }
  const { gutter, notesX, width } = geo;
  lanes.forEach((l, k) => (l.x = gutter.width + geo.margin + k * geo.gap));

  const arrowRow = (i: number): ArrowRow => {
    const a = arrows[i]!;
    const hasOptions = synOptionsLabel(a) !== undefined;
    const arrowY = (hasOptions ? GEOM.optionsBaseline : GEOM.labelBaseline) + GEOM.arrowGap;
    let slant = 0;
    if (toggles.slant) {
      const rtt = rtts.get(a.connection) ?? firstRtt;
      slant = time.on && rtt !== undefined ? Math.min(16, Math.max(3, (rtt / 2) * pps)) : 8;
    }
    let h = arrowY + slant + (a.findings.length ? GEOM.badgeGap + GEOM.bottom - 2 : GEOM.bottom);
    const notes = a.annotations.length ? wrapNotes(a.annotations, geo.noteChars, GEOM.maxNoteLines) : [];
    if (notes.length) h = Math.max(h, GEOM.labelBaseline + (notes.length - 1) * GEOM.noteLine + GEOM.bottom);
    return { kind: 'arrow', i, y: 0, h, arrowY, slant, notes };
  };

  // All connections (two or more): a header row goes above the first packet of each connection (or
  // the run or hidden-packets row that starts with it; those rows are cut there, so that each header
  // stands right above its connection's first row).
  const headerOf = new Map<number, ConnectionSummary>();
  if (model.connection === 0) {
    const byId = new Map(model.connections.map((c) => [c.id, c]));
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      const id = arrows[k]!.connection;
      if (seen.has(id)) continue;
      seen.add(id);
      const c = byId.get(id);
      if (c) headerOf.set(k, c);
    }
    // One connection: its verdict is in the page header, as when it is chosen.
    if (seen.size < 2) headerOf.clear();
  }

  // Runs of uneventful packets (on the full sequence, so a run counts the pure ACKs it holds).
  const runEnd = new Int32Array(n).fill(-1);
  if (toggles.collapse && !toggles.findingsOnly) {
    let i = 0;
    while (i < n) {
      if (!isUneventful(arrows[i]!)) {
        i++;
        continue;
      }
      const conn = arrows[i]!.connection;
      let j = i;
      while (j + 1 < n && isUneventful(arrows[j + 1]!) && arrows[j + 1]!.connection === conn) j++;
      if (j - i + 1 >= GEOM.minRun) runEnd[i] = j;
      i = j + 1;
    }
  }

  let i = 0;
  while (i < n) {
    const a = arrows[i]!;
    const header = headerOf.get(i);
    if (header) rows.push({ kind: 'conn', y: 0, h: GEOM.connH, connection: header.id, summary: header });
    const end = runEnd[i]!;
    if (end >= 0) {
      const key = a.line;
      const expanded = options.expanded.has(key);
      let bytes = 0;
      for (let k = i; k <= end; k++) bytes += arrows[k]!.len;
      const t0 = a.time;
      const t1 = arrows[end]!.time;
      const run: RunRow = {
        kind: 'run',
        y: 0,
        h: expanded ? GEOM.hiddenH : GEOM.runH,
        first: i,
        last: end,
        count: end - i + 1,
        bytes,
        seconds: t0 !== undefined && t1 !== undefined ? t1 - t0 : undefined,
        expanded,
        key,
        connection: a.connection,
      };
      const at = rows.length;
      rows.push(run);
      counts.runs++;
      for (let k = i; k <= end; k++) {
        if (!expanded) {
          holderOfArrow[k] = at;
          counts.inRuns++;
        } else if (toggles.hideAcks && isPlainAck(arrows[k]!)) counts.hiddenAcks++;
        else {
          rowOfArrow[k] = rows.length;
          rows.push(arrowRow(k));
          counts.arrows++;
        }
      }
      i = end + 1;
      continue;
    }
    if (toggles.findingsOnly && a.findings.length === 0) {
      let j = i;
      const at = rows.length;
      while (j < n && arrows[j]!.findings.length === 0 && (j === i || !headerOf.has(j)))
        holderOfArrow[j++] = at;
      rows.push({ kind: 'hidden', y: 0, h: GEOM.hiddenH, first: i, last: j - 1, count: j - i });
      counts.hiddenNoFinding += j - i;
      i = j;
      continue;
    }
    if (toggles.hideAcks && isPlainAck(a)) {
      counts.hiddenAcks++;
      i++;
      continue;
    }
    rowOfArrow[i] = rows.length;
    rows.push(arrowRow(i));
    counts.arrows++;
    i++;
  }

  // Vertical positions; on the time axis, idle rows are inserted where a gap folds.
  let placed: Row[] = rows;
  if (time.on) {
    placed = [];
    let y = 0;
    let anchorY = 0;
    let anchorT: number | undefined;
    // The time of a row's first or last arrow (read twice, not returned as a pair: a hundred thousand
    // rows would be as many arrays).
    const timeOf = (r: Row, last: boolean): number | undefined =>
      r.kind === 'arrow'
        ? arrows[r.i]!.time
        : r.kind === 'run' || r.kind === 'hidden'
          ? arrows[last ? r.last : r.first]!.time
          : undefined;
    // A connection's header is placed with the row after it: right above it, after any fold.
    let header: ConnRow | undefined;
    for (const r of rows) {
      if (r.kind === 'conn') {
        header = r;
        continue;
      }
      const t0 = timeOf(r, false);
      const t1 = timeOf(r, true);
      let top = y;
      if (t0 !== undefined && anchorT !== undefined) {
        const want = anchorY + (t0 - anchorT) * pps;
        if (want - y > foldPx) {
          placed.push({ kind: 'idle', y, h: GEOM.idleH, seconds: t0 - anchorT });
          time.folded++;
          y += GEOM.idleH;
          top = y;
        } else top = Math.max(y, want);
      }
      if (header) {
        header.y = Math.max(y, top - header.h);
        placed.push(header);
        top = Math.max(top, header.y + header.h);
        header = undefined;
      }
      r.y = top;
      placed.push(r);
      y = top + r.h;
      if (t1 !== undefined) {
        anchorY = r.kind === 'arrow' ? top : top + r.h;
        anchorT = t1;
      }
    }
    if (header) {
      header.y = y;
      placed.push(header);
    }
    if (time.folded) {
      rowOfArrow.fill(-1);
      holderOfArrow.fill(-1);
      placed.forEach((r, at) => {
        if (r.kind === 'arrow') rowOfArrow[r.i] = at;
        else if (r.kind === 'hidden' || (r.kind === 'run' && !r.expanded))
          for (let k = r.first; k <= r.last; k++) holderOfArrow[k] = at;
      });
    }
  } else {
    let y = 0;
    for (const r of rows) {
      r.y = y;
      y += r.h;
    }
  }
  const tops = new Float64Array(placed.length);
  placed.forEach((r, k) => (tops[k] = r.y));
  const last = placed[placed.length - 1];
  const height = last ? last.y + last.h + 16 : 0;

  return {
    lanes,
    laneOfConnection,
    rows: placed,
    tops,
    height,
    width,
    gutter,
    tight,
    fitWidth,
    notesX,
    rowOfArrow,
    holderOfArrow,
    counts,
    time,
    slant: { on: toggles.slant, rtt: firstRtt },
  };
}

/** The index of the last row whose top is at or above `y`. */
export function rowAt(l: Layout, y: number): number {
  let lo = 0;
  let hi = l.tops.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (l.tops[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The lanes an arrow goes from and to. */
export function lanesOf(l: Layout, a: LadderArrow): [Lane, Lane] | undefined {
  const pair = l.laneOfConnection.get(a.connection);
  if (!pair) return undefined;
  const from = l.lanes[a.fromClient ? pair[0] : pair[1]];
  const to = l.lanes[a.fromClient ? pair[1] : pair[0]];
  return from && to ? [from, to] : undefined;
}

/** The arrow of a 0-based trace line: the packet record that covers it. */
export function arrowAtLine(model: LadderModel, line: number): number {
  const arrows = model.arrows;
  // Arrows are in line order; records do not overlap.
  let lo = 0;
  let hi = arrows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const a = arrows[mid]!;
    if (line < a.line) hi = mid - 1;
    else if (line > (a.endLine ?? a.line)) lo = mid + 1;
    else return mid;
  }
  return -1;
}
