/**
 * Exports of the shown range (the connection or all of them, with the filters and collapsed runs as
 * on screen): Mermaid, PlantUML (slanted arrows) and aligned plain text as strings; SVG with the
 * theme's colours written into it, and PNG drawn from that SVG.
 */
import type { LadderArrow, LadderModel } from '../../protocol/lsp';
import type { LadderToggles } from '../../protocol/webview';
import { svg } from './dom';
import {
  arrowLabel,
  badges,
  connectionHead,
  connectionTitle,
  duration,
  groupDigits,
  isRetransmission,
  oneLine,
  synOptionsLabel,
  zeekLabel,
} from './labels';
import { lanesOf, medianGap, type Layout, type Row } from './layout';
import { drawLaneHead, drawRow, runText, type DrawContext } from './render';

export interface ExportInput {
  model: LadderModel;
  layout: Layout;
  toggles: LadderToggles;
}

/** The file name of the trace, for titles. */
export function traceName(uri: string): string {
  const last = uri.split(/[/\\]/).pop() ?? uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Title lines: which trace and connection, the verdict and what Zeek would say. */
export function titleLines(model: LadderModel): string[] {
  const name = oneLine(traceName(model.uri));
  const c = model.connections.find((x) => x.id === model.connection);
  if (!c) {
    const shown = new Set(model.arrows.map((a) => a.connection));
    return [`${name}: all connections (${shown.size}), ${groupDigits(model.arrows.length)} packets`];
  }
  return [
    `${name}: ${oneLine(connectionTitle(c))}, ${groupDigits(c.packets)} packets`,
    `${oneLine(c.verdict)}; Zeek ${oneLine(zeekLabel(c))}`,
  ];
}

function laneTitle(l: Layout['lanes'][number]): string {
  return `${l.roles.join('/')}${l.guessed ? ' (guessed)' : ''} ${oneLine(l.endpoint)}`;
}

/** The text of an arrow's message: label, SYN options, findings. */
function messageText(a: LadderArrow, absolute: boolean): string {
  const parts = [arrowLabel(a, absolute)];
  const o = synOptionsLabel(a);
  if (o) parts.push(o);
  const b = badges(a);
  if (b.length) parts.push(b.map((x) => x.text).join(', '));
  return oneLine(parts.join(' · '));
}

/** The `#` comment lines of a packet, without empty ones. */
function noteLines(a: LadderArrow): string[] {
  return a.annotations.map((n) => oneLine(n).trim()).filter((n) => n.length > 0);
}

function states(a: LadderArrow): Array<['client' | 'server', string]> {
  const out: Array<['client' | 'server', string]> = [];
  if (a.clientState) out.push(['client', a.clientState]);
  if (a.serverState) out.push(['server', a.serverState]);
  return out;
}

function spanLanes(input: ExportInput, connection?: number): [number, number] {
  const l = input.layout;
  const pair = connection !== undefined ? l.laneOfConnection.get(connection) : undefined;
  if (pair) return [Math.min(...pair), Math.max(...pair)];
  return [0, Math.max(0, l.lanes.length - 1)];
}

function rowNote(input: ExportInput, r: Row): string | undefined {
  const { model } = input;
  if (r.kind === 'run') {
    const lines = `lines ${model.arrows[r.first]!.line + 1}-${model.arrows[r.last]!.line + 1}`;
    return `${r.expanded ? 'expanded' : 'collapsed'}: ${runText(r)} (${lines})`;
  }
  if (r.kind === 'hidden')
    return `${groupDigits(r.count)} packet${r.count === 1 ? '' : 's'} without findings`;
  if (r.kind === 'idle') return `${duration(r.seconds)} idle`;
  if (r.kind === 'conn') return connLine(r);
  return undefined;
}

/** A connection's header row in one line: `#2 a → b: verdict; Zeek conn_state SF, history ShADadFf`. */
function connLine(r: Row & { kind: 'conn' }): string {
  const h = connectionHead(r.summary);
  return `${h.title} (${h.counts}): ${h.verdict}; Zeek conn_state ${h.state}, history ${h.history}`;
}

/** The lanes a non-arrow row spans: its connection's for runs and headers, else all. */
function rowConnection(r: Row): number | undefined {
  return r.kind === 'run' || r.kind === 'conn' ? r.connection : undefined;
}

// ---- Mermaid ---------------------------------------------------------------------------------------

/** Mermaid's entity codes for what would end or change a statement. */
function mm(s: string): string {
  const codes: Record<string, string> = { '#': '#35;', ';': '#59;', '<': '#60;', '>': '#62;' };
  return oneLine(s).replace(/[#;<>]/g, (c) => codes[c]!);
}

export function toMermaid(input: ExportInput): string {
  const { model, layout, toggles } = input;
  const alias = (k: number) => `L${k + 1}`;
  const out = titleLines(model).map((t) => `%% ${oneLine(t).replace(/</g, '#60;').replace(/>/g, '#62;')}`);
  out.push('%% Solid: packet; dashed: retransmission; x at the end: ACKed segment the capture did not show.');
  out.push('sequenceDiagram');
  layout.lanes.forEach((l, k) => out.push(`    participant ${alias(k)} as ${mm(laneTitle(l))}`));
  for (const r of layout.rows) {
    if (r.kind !== 'arrow') {
      const [a, b] = spanLanes(input, rowConnection(r));
      const over = a === b ? alias(a) : `${alias(a)},${alias(b)}`;
      out.push(`    Note over ${over}: ${mm(rowNote(input, r)!)}`);
      continue;
    }
    const a = model.arrows[r.i]!;
    const pair = layout.laneOfConnection.get(a.connection);
    if (!pair) continue;
    const [from, to] = a.fromClient ? pair : [pair[1], pair[0]];
    const dashed = isRetransmission(a);
    const cross = a.findings.includes('tcp.ack-unseen-segment');
    const arrow = cross ? (dashed ? '--x' : '-x') : dashed ? '-->>' : '->>';
    out.push(
      `    ${alias(from)}${arrow}${alias(to)}: ${mm(`${a.line + 1}: ${messageText(a, toggles.absolute)}`)}`,
    );
    for (const [side, state] of states(a)) {
      const lane = side === 'client' ? pair[0] : pair[1];
      const other = side === 'client' ? pair[1] : pair[0];
      out.push(`    Note ${lane <= other ? 'left' : 'right'} of ${alias(lane)}: ${mm(state)}`);
    }
    const notes = noteLines(a);
    if (notes.length)
      out.push(`    Note right of ${alias(Math.max(pair[0], pair[1]))}: ${notes.map(mm).join('<br/>')}`);
  }
  return `${out.join('\n')}\n`;
}

// ---- PlantUML --------------------------------------------------------------------------------------

/** Creole markup and PlantUML's own escapes defused: `~` escapes, doubled markers split. */
function pu(s: string): string {
  return oneLine(s)
    .replace(/~/g, '~~')
    .replace(/\\/g, '\\\\')
    .replace(/</g, '~<')
    .replace(/([*/"\-_^=+.])\1/g, '$1~$1');
}

/** The slant in PlantUML pixels: the one-way delay (RTT / 2) against the median packet gap. */
export function plantUmlSlant(input: ExportInput): { px: number; why: string } {
  const rtt = input.layout.slant.rtt ?? handshakeRtt(input.model.arrows);
  const gap = medianGap(input.model.arrows);
  if (rtt === undefined || gap === undefined)
    return { px: 10, why: 'fixed slant (no handshake RTT in the trace)' };
  const px = Math.min(30, Math.max(4, Math.round((30 * rtt) / 2 / gap)));
  return { px, why: `slant from the handshake: one-way delay ≈ RTT / 2 = ${duration(rtt / 2)}` };
}

function handshakeRtt(arrows: LadderArrow[]): number | undefined {
  const syn = arrows.find((a) => a.kind === 'handshake' && a.fromClient && !a.flags.includes('.'));
  if (syn?.time === undefined) return undefined;
  const synAck = arrows.findIndex(
    (a) => a.connection === syn.connection && a.kind === 'handshake' && !a.fromClient,
  );
  if (synAck < 0) return undefined;
  const ack = arrows.slice(synAck + 1).find((a) => a.connection === syn.connection && a.fromClient);
  return ack?.time !== undefined ? ack.time - syn.time : undefined;
}

export function toPlantUml(input: ExportInput): string {
  const { model, layout, toggles } = input;
  const alias = (k: number) => `L${k + 1}`;
  const slant = plantUmlSlant(input);
  const out = ['@startuml'];
  for (const t of titleLines(model)) out.push(`' ${pu(t)}`);
  out.push(`' Arrows ->(${slant.px}): ${slant.why}. Dashed: retransmission; x: ACKed unseen segment.`);
  out.push('!pragma teoz true');
  layout.lanes.forEach((l, k) => {
    const role = `${l.roles.join('/')}${l.guessed ? ' (guessed)' : ''}`;
    out.push(`participant "${pu(role)}\\n${pu(l.endpoint.replace(/"/g, "'"))}" as ${alias(k)}`);
  });
  for (const r of layout.rows) {
    if (r.kind === 'idle') {
      out.push(`...${pu(rowNote(input, r)!).replace(/\.\.\./g, '..')}...`);
      continue;
    }
    if (r.kind !== 'arrow') {
      const [a, b] = spanLanes(input, rowConnection(r));
      out.push(`hnote over ${alias(a)}${a === b ? '' : `, ${alias(b)}`} : ${pu(rowNote(input, r)!)}`);
      continue;
    }
    const a = model.arrows[r.i]!;
    const pair = layout.laneOfConnection.get(a.connection);
    if (!pair) continue;
    const [from, to] = a.fromClient ? pair : [pair[1], pair[0]];
    const dashed = isRetransmission(a) ? '--' : '-';
    const arrow = a.findings.includes('tcp.ack-unseen-segment') ? `${dashed}>x` : `${dashed}>(${slant.px})`;
    out.push(
      `${alias(from)} ${arrow} ${alias(to)} : ${pu(`${a.line + 1}: ${messageText(a, toggles.absolute)}`)}`,
    );
    for (const [side, state] of states(a)) {
      const lane = side === 'client' ? pair[0] : pair[1];
      const other = side === 'client' ? pair[1] : pair[0];
      out.push(`note ${lane <= other ? 'left' : 'right'} of ${alias(lane)} : ${pu(state)}`);
    }
    const notes = noteLines(a);
    if (notes.length)
      out.push(`note right of ${alias(Math.max(pair[0], pair[1]))} : ${notes.map(pu).join('\\n')}`);
  }
  out.push('@enduml');
  return `${out.join('\n')}\n`;
}

// ---- aligned plain text ----------------------------------------------------------------------------

export function toText(input: ExportInput): string {
  const { model, layout, toggles } = input;
  const rows = layout.rows;
  const labels = new Map<number, string>();
  let widest = 12;
  for (const r of rows) {
    if (r.kind === 'arrow') {
      const a = model.arrows[r.i]!;
      const o = synOptionsLabel(a);
      const text = oneLine(o ? `${arrowLabel(a, toggles.absolute)} · ${o}` : arrowLabel(a, toggles.absolute));
      labels.set(r.i, text);
      widest = Math.max(widest, text.length);
    } else if (r.kind !== 'conn') widest = Math.max(widest, rowNote(input, r)!.length + 4);
  }
  for (const l of layout.lanes)
    widest = Math.max(widest, oneLine(l.endpoint).length, laneTitle(l).length - 8);
  const times = layout.gutter.times;
  const prefix = times ? 30 : 8;
  const gap = widest + 10;
  const col = layout.lanes.map((_, k) => prefix + k * gap);
  const lastCol = col.length ? col[col.length - 1]! : prefix;
  const blank = () => {
    const chars = new Array<string>(lastCol + 1).fill(' ');
    for (const c of col) chars[c] = '|';
    return chars;
  };
  const put = (chars: string[], at: number, s: string) => {
    for (let k = 0; k < s.length; k++) chars[at + k] = s[k]!;
  };
  const gutter = (line: string, time: string, delta: string) =>
    times ? `${line.padStart(6)}  ${time.padStart(10)} ${delta.padStart(9)}  ` : `${line.padStart(6)}  `;
  const finish = (chars: string[], right?: string) =>
    `${chars.join('')}${right ? `   ${right}` : ''}`.replace(/\s+$/, '');

  const out = titleLines(model).map((t) => `# ${oneLine(t)}`);
  out.push(
    "# '--->' packet, '...>' retransmission, 'x' before the head: ACKed segment the capture did not show,",
    "# '~' where a lifeline starts an arrow: the previous segment was not captured. Numbers: " +
      (toggles.absolute ? 'absolute.' : 'relative.'),
  );
  const head1 = blank();
  const head2 = blank();
  layout.lanes.forEach((l, k) => {
    put(head1, col[k]!, `${l.roles.join('/')}${l.guessed ? ' (guessed)' : ''}`);
    put(head2, col[k]!, oneLine(l.endpoint));
  });
  out.push(finish([...gutter('line', 'time (s)', 'Δ').padEnd(prefix, ' ')].concat(head1.slice(prefix))));
  out.push(finish(new Array<string>(prefix).fill(' ').concat(head2.slice(prefix))));

  let prevTime: number | undefined;
  for (const r of rows) {
    if (r.kind === 'conn') {
      // A connection's header: a heading line of its own across the lifelines.
      out.push(`        == ${connLine(r)}`);
      continue;
    }
    const chars = blank();
    if (r.kind !== 'arrow') {
      const [a, b] = spanLanes(input, rowConnection(r));
      const text = ` ${rowNote(input, r)!} `;
      const from = col[a] ?? prefix;
      const to = col[b] ?? prefix + gap;
      if (r.kind === 'idle') for (const c of col) chars[c] = '~';
      put(chars, Math.max(from + 1, Math.floor((from + to) / 2 - text.length / 2)), text);
      put(chars, 0, gutter('', '', '').slice(0, prefix));
      out.push(finish(chars));
      continue;
    }
    const a = model.arrows[r.i]!;
    const ends = lanesOf(layout, a);
    if (!ends) continue;
    const pair = layout.laneOfConnection.get(a.connection)!;
    const from = col[a.fromClient ? pair[0] : pair[1]]!;
    const to = col[a.fromClient ? pair[1] : pair[0]]!;
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    const fill = isRetransmission(a) ? '.' : '-';
    for (let c = lo + 1; c < hi; c++) chars[c] = fill;
    if (to > from) chars[to - 1] = '>';
    else chars[to + 1] = '<';
    if (a.findings.includes('tcp.ack-unseen-segment')) chars[to > from ? to - 2 : to + 2] = 'x';
    if (a.findings.includes('tcp.lost-segment')) chars[from] = '~';
    const label = ` ${labels.get(r.i)!} `;
    put(chars, Math.max(lo + 2, Math.floor((lo + hi) / 2 - label.length / 2)), label);
    const delta = a.time !== undefined && prevTime !== undefined ? `+${duration(a.time - prevTime)}` : '';
    if (a.time !== undefined) prevTime = a.time;
    put(
      chars,
      0,
      gutter(String(a.line + 1), a.time !== undefined ? a.time.toFixed(6) : '', delta).slice(0, prefix),
    );
    const right = [
      ...states(a).map(([side, s]) => `${side} ${s}`),
      ...badges(a).map((b) => b.text),
      ...(noteLines(a).length ? [`# ${noteLines(a).join(' / ')}`] : []),
    ].join('; ');
    out.push(finish(chars, right));
  }
  return `${out.join('\n')}\n`;
}

// ---- SVG and PNG -----------------------------------------------------------------------------------

/** Rows and pixel limits of the picture exports (PNG: Chromium's canvas limits). */
export const SVG_MAX_ROWS = 5000;
export const PNG_MAX_HEIGHT = 15000;

const STYLE_PROPS = [
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'white-space',
] as const;

/** Writes the computed theme styles into presentation attributes, so the file stands alone. */
function resolveStyles(root: SVGSVGElement): void {
  const cache = new Map<string, Array<[string, string]>>();
  const keyOf = (el: Element): string => {
    let key = el.tagName;
    for (let e: Element | null = el; e && e !== root; e = e.parentElement)
      key += `|${e.getAttribute('class') ?? ''}`;
    return key;
  };
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const key = keyOf(el);
    let props = cache.get(key);
    if (!props) {
      const cs = getComputedStyle(el);
      props = [];
      for (const p of STYLE_PROPS) {
        const v = cs.getPropertyValue(p);
        if (
          v &&
          v !== 'normal' &&
          !(p === 'opacity' && v === '1') &&
          !(p === 'stroke-dasharray' && v === 'none')
        )
          props.push([p, v]);
      }
      if (cs.display === 'none') props.push(['opacity', '0']);
      cache.set(key, props);
    }
    for (const [p, v] of props) el.setAttribute(p, v);
  }
}

export interface PictureExport {
  svg: string;
  width: number;
  height: number;
  rows: number;
  note?: string;
}

/**
 * The shown rows as a standalone SVG document, from `startRow` on (the top of the view when the whole
 * range is over the limit), at most `maxRows` rows and `maxHeight` pixels.
 */
export function toSvg(ctx: DrawContext, startRow: number, maxRows: number, maxHeight: number): PictureExport {
  const { layout, model } = ctx;
  const total = layout.rows.length;
  const first =
    total <= maxRows && layout.height <= maxHeight ? 0 : Math.max(0, Math.min(startRow, total - 1));
  let last = first - 1;
  const y0 = layout.rows[first]?.y ?? 0;
  while (last + 1 < total && last + 1 - first < maxRows) {
    const r = layout.rows[last + 1]!;
    if (r.y + r.h - y0 > maxHeight && last >= first) break;
    last++;
  }
  const y1 = last >= first ? layout.rows[last]!.y + layout.rows[last]!.h + 10 : y0 + 10;
  const titleH = 44;
  const headH = 46;
  const width = layout.width;
  const height = Math.ceil(titleH + headH + (y1 - y0));
  const root = svg('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: 'ladder export',
  });
  root.setAttributeNS('http://www.w3.org/XML/1998/namespace', 'xml:space', 'preserve');
  svg('rect', { class: 'export-bg', x: 0, y: 0, width, height }, root);
  titleLines(model).forEach((t, k) =>
    svg('text', { class: k ? 'export-sub' : 'export-title', x: 12, y: 18 + k * 18 }, root, t),
  );
  const head = svg('g', { transform: `translate(0,${titleH})` }, root);
  drawLaneHead(ctx, head as unknown as SVGElement, headH);
  const body = svg('g', { transform: `translate(0,${titleH + headH - y0})` }, root);
  const lifelines = svg('g', { class: 'lifelines' }, body);
  for (const lane of layout.lanes)
    svg('line', { class: 'lifeline', x1: lane.x, y1: y0, x2: lane.x, y2: y1 }, lifelines);
  for (let k = first; k <= last; k++) body.appendChild(drawRow(ctx, layout.rows[k]!, k));

  // Styles come from the stylesheet (theme variables): resolve them while attached, then detach.
  const host = document.createElement('div');
  host.className = 'export-host';
  host.appendChild(root);
  document.body.appendChild(host);
  try {
    resolveStyles(root);
  } finally {
    host.remove();
  }
  const count = last - first + 1;
  const note =
    count < total
      ? `rows ${first + 1}–${last + 1} of ${total} (a picture holds at most ${maxRows} rows and ${maxHeight} px; scroll to choose where it starts)`
      : undefined;
  return {
    svg: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}\n`,
    width,
    height,
    rows: count,
    note,
  };
}

function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Draws the SVG onto a canvas (twice the size when it fits) and returns a PNG `data:` URL. */
export async function svgToPng(picture: PictureExport): Promise<string> {
  const img = new Image();
  img.src = `data:image/svg+xml;base64,${base64Utf8(picture.svg)}`;
  await img.decode();
  const scale = Math.max(0.25, Math.min(2, 16000 / picture.height, 16000 / picture.width));
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(picture.width * scale);
  canvas.height = Math.ceil(picture.height * scale);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  g.scale(scale, scale);
  g.drawImage(img, 0, 0, picture.width, picture.height);
  return canvas.toDataURL('image/png');
}
