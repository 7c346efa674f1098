/**
 * SVG drawing of the ladder. `drawRow` draws one row (arrow, collapsed run, hidden packets, idle
 * gap) and serves both the live view and the SVG export. `LadderView` is the live view: it keeps only
 * the rows near the viewport in the DOM (a window one viewport above and below), so a 100 000-packet
 * connection costs the same as a small one once laid out.
 */
import type { LadderArrow, LadderModel } from '../../protocol/lsp';
import type { LadderToggles } from '../../protocol/webview';
import { clear, svg } from './dom';
import {
  arrowLabel,
  badges,
  bytes,
  connectionHead,
  deltaLabel,
  duration,
  groupDigits,
  isRetransmission,
  oneLine,
  synOptionsLabel,
  timeLabel,
} from './labels';
import { GEOM, lanesOf, rowAt, type Layout, type Row } from './layout';

export interface DrawContext {
  model: LadderModel;
  layout: Layout;
  toggles: LadderToggles;
  /** Arrow index -> side ('client' | 'server') that closed first, for the FIN-WAIT-1 box. */
  activeClose: Map<number, 'client' | 'server'>;
}

export function drawContext(model: LadderModel, layout: Layout, toggles: LadderToggles): DrawContext {
  const activeClose = new Map<number, 'client' | 'server'>();
  const seen = new Set<number>();
  model.arrows.forEach((a, i) => {
    if (seen.has(a.connection)) return;
    if (a.clientState === 'FIN-WAIT-1') activeClose.set(i, 'client');
    else if (a.serverState === 'FIN-WAIT-1') activeClose.set(i, 'server');
    else return;
    seen.add(a.connection);
  });
  return { model, layout, toggles, activeClose };
}

const HAS = (a: LadderArrow, code: string) => a.findings.includes(code);

function shaftClass(a: LadderArrow): string {
  const c = ['shaft'];
  if (isRetransmission(a)) c.push('retrans');
  else if (HAS(a, 'tcp.out-of-order')) c.push('ooo');
  else if (HAS(a, 'tcp.keep-alive') || HAS(a, 'tcp.zero-window-probe')) c.push('probe');
  if (HAS(a, 'tcp.zero-window')) c.push('zero');
  return c.join(' ');
}

function stateBox(
  g: SVGGElement,
  laneX: number,
  otherX: number,
  y: number,
  state: string,
  active: boolean,
): void {
  const w = state.length * GEOM.stateCharW + 12;
  const left = laneX <= otherX ? laneX - 10 - w : laneX + 10;
  const box = svg('g', { class: active ? 'state active-close' : 'state', 'data-kind': 'state' }, g);
  svg('rect', { x: left, y: y - 9, width: w, height: 18, rx: 4 }, box);
  svg('text', { x: left + w / 2, y: y + 4, 'text-anchor': 'middle' }, box, state);
  // The side that closed first (the active close) is marked under its FIN-WAIT-1 box.
  if (active)
    svg(
      'text',
      { class: 'closes-first', x: left + w / 2, y: y + 20, 'text-anchor': 'middle' },
      box,
      'closes first',
    );
}

function drawArrow(ctx: DrawContext, row: Row & { kind: 'arrow' }, g: SVGGElement): void {
  const { model, layout, toggles } = ctx;
  const a = model.arrows[row.i]!;
  const lanes = lanesOf(layout, a);
  g.setAttribute('class', `row arrow k-${a.kind}`);
  g.setAttribute('data-line', String(a.line));
  g.setAttribute('data-index', String(row.i));
  svg('rect', { class: 'hit', x: 0, y: row.y, width: layout.width, height: row.h }, g);

  // Gutter: the trace line, the time since the first packet and since the previous one.
  const gy = row.y + row.arrowY + 4;
  svg(
    'text',
    { class: 'gutter line-no', x: layout.gutter.line, y: gy, 'text-anchor': 'end' },
    g,
    String(a.line + 1),
  );
  if (layout.gutter.times && a.time !== undefined) {
    svg(
      'text',
      { class: 'gutter', x: layout.gutter.time, y: gy, 'text-anchor': 'end' },
      g,
      timeLabel(a.time),
    );
    const prev = row.i > 0 ? model.arrows[row.i - 1]!.time : undefined;
    if (prev !== undefined && layout.gutter.delta)
      svg(
        'text',
        { class: 'gutter delta', x: layout.gutter.delta, y: gy, 'text-anchor': 'end' },
        g,
        deltaLabel(a.time - prev),
      );
  }
  if (!lanes) return;
  const [from, to] = lanes;
  const dir = to.x >= from.x ? 1 : -1;
  const mid = (from.x + to.x) / 2;
  const y1 = row.y + row.arrowY;
  const y2 = y1 + row.slant;

  svg(
    'text',
    { class: 'label', x: mid, y: row.y + GEOM.labelBaseline, 'text-anchor': 'middle' },
    g,
    oneLine(arrowLabel(a, toggles.absolute)),
  );
  const options = synOptionsLabel(a);
  if (options !== undefined)
    svg(
      'text',
      { class: 'options', x: mid, y: row.y + GEOM.optionsBaseline, 'text-anchor': 'middle' },
      g,
      oneLine(options),
    );

  const x1 = from.x + dir * 2;
  const x2 = to.x - dir * 2;
  svg('line', { class: shaftClass(a), x1, y1, x2, y2 }, g);
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / len;
  const uy = (y2 - y1) / len;
  const hx = x2 - ux * 10;
  const hy = y2 - uy * 10;
  svg(
    'polygon',
    {
      class: 'head',
      points: `${x2},${y2} ${hx - uy * 4.5},${hy + ux * 4.5} ${hx + uy * 4.5},${hy - ux * 4.5}`,
    },
    g,
  );

  // Findings drawn on the arrow: a break on the sender's lifeline for a segment the capture missed,
  // a cross at the end of an ACK for data the capture never showed, and the findings in words.
  if (HAS(a, 'tcp.lost-segment')) {
    const gy1 = y1 - 14;
    const mark = svg('g', { class: 'gap-mark', 'data-kind': 'gap' }, g);
    svg('rect', { class: 'lane-break', x: from.x - 6, y: gy1 - 4, width: 12, height: 8 }, mark);
    svg('path', { d: `M${from.x - 7},${gy1 - 1} l14,-5 M${from.x - 7},${gy1 + 5} l14,-5` }, mark);
  }
  if (HAS(a, 'tcp.ack-unseen-segment')) {
    const cx = x2 - ux * 18;
    const cy = y2 - uy * 18;
    svg(
      'path',
      {
        class: 'cross',
        'data-kind': 'cross',
        d: `M${cx - 5},${cy - 5} L${cx + 5},${cy + 5} M${cx - 5},${cy + 5} L${cx + 5},${cy - 5}`,
      },
      g,
    );
  }
  const b = badges(a);
  if (b.length) {
    const t = svg(
      'text',
      { class: 'badges', x: mid, y: y1 + row.slant / 2 + GEOM.badgeGap, 'text-anchor': 'middle' },
      g,
    );
    b.forEach((badge, k) => {
      if (k > 0) svg('tspan', { class: 'sep' }, t, ' · ');
      svg('tspan', { class: `badge sev-${badge.severity}`, 'data-kind': badge.code }, t, badge.text);
    });
  }

  // State boxes at each transition, outside the pair of lanes.
  const active = ctx.activeClose.get(row.i);
  if (a.clientState) {
    const [c, s] = a.fromClient ? [from, to] : [to, from];
    stateBox(g, c.x, s.x, a.fromClient ? y1 : y2, a.clientState, active === 'client');
  }
  if (a.serverState) {
    const [c, s] = a.fromClient ? [from, to] : [to, from];
    stateBox(g, s.x, c.x, a.fromClient ? y2 : y1, a.serverState, active === 'server');
  }

  // `#` comments from the trace, beside their arrow.
  if (row.notes.length) {
    const note = svg('g', { class: 'note', 'data-kind': 'note' }, g);
    svg(
      'line',
      {
        class: 'note-rule',
        x1: layout.notesX - 6,
        y1: row.y + 4,
        x2: layout.notesX - 6,
        y2: row.y + row.h - 6,
      },
      note,
    );
    row.notes.forEach((line, k) =>
      svg(
        'text',
        { x: layout.notesX, y: row.y + GEOM.labelBaseline + k * GEOM.noteLine },
        note,
        oneLine(line),
      ),
    );
  }
}

/**
 * A connection's header in the all-connections view: `#2 client → server · 5 packets · 1 problem`
 * over its verdict and Zeek's conn_state and history, each in its own text node (trace text is set
 * as text only).
 */
function drawConnHead(ctx: DrawContext, row: Row & { kind: 'conn' }, g: SVGGElement): void {
  const h = connectionHead(row.summary);
  g.setAttribute('data-key', String(row.connection));
  g.setAttribute('aria-label', h.words);
  svg(
    'rect',
    { class: 'conn-band', x: 2, y: row.y + 3, width: ctx.layout.width - 4, height: row.h - 6, rx: 4 },
    g,
  );
  const x = 10;
  const title = svg('text', { class: 'conn-title', x, y: row.y + 18 }, g);
  svg('tspan', { 'data-kind': 'connection' }, title, h.title);
  svg('tspan', { class: 'muted' }, title, ` · ${h.counts}`);
  const line2 = svg('text', { class: 'conn-line', x, y: row.y + 33 }, g);
  svg('tspan', { class: 'conn-verdict', 'data-kind': 'verdict' }, line2, h.verdict);
  svg('tspan', { class: 'muted' }, line2, ' · Zeek conn_state ');
  svg('tspan', { class: 'conn-code', 'data-kind': 'conn-state' }, line2, h.state);
  if (h.stateWords) svg('tspan', { class: 'muted' }, line2, ` (${h.stateWords})`);
  svg('tspan', { class: 'muted' }, line2, ' · history ');
  svg('tspan', { class: 'conn-code', 'data-kind': 'history' }, line2, h.history);
}

/** `23 segments · 33 581 B · 0.41 s`. */
export function runText(row: Row & { kind: 'run' }): string {
  const parts = [`${groupDigits(row.count)} segments`, bytes(row.bytes)];
  if (row.seconds !== undefined) parts.push(duration(row.seconds));
  return parts.join(' · ');
}

function span(ctx: DrawContext, connection: number | undefined): [number, number] {
  const l = ctx.layout;
  const pair = connection !== undefined ? l.laneOfConnection.get(connection) : undefined;
  if (pair) {
    const a = l.lanes[pair[0]]!.x;
    const b = l.lanes[pair[1]]!.x;
    return [Math.min(a, b), Math.max(a, b)];
  }
  const xs = l.lanes.map((x) => x.x);
  return xs.length ? [Math.min(...xs), Math.max(...xs)] : [l.gutter.width, l.gutter.width + 200];
}

export function drawRow(ctx: DrawContext, row: Row, index: number): SVGGElement {
  const g = svg('g', { class: `row ${row.kind}`, 'data-row': index });
  const layout = ctx.layout;
  if (row.kind === 'arrow') {
    drawArrow(ctx, row, g);
    return g;
  }
  svg('rect', { class: 'hit', x: 0, y: row.y, width: layout.width, height: row.h }, g);
  if (row.kind === 'conn') {
    drawConnHead(ctx, row, g);
    return g;
  }
  if (row.kind === 'run') {
    g.setAttribute('data-key', String(row.key));
    g.setAttribute('aria-expanded', String(row.expanded));
    const [l, r] = span(ctx, row.connection);
    const text = row.expanded
      ? `▾ ${runText(row)} (expanded: Enter or click to collapse)`
      : `▸ ${runText(row)} (Enter or click to expand)`;
    if (!row.expanded)
      svg(
        'rect',
        { class: 'run-box', x: l + 6, y: row.y + 4, width: r - l - 12, height: row.h - 8, rx: 5 },
        g,
      );
    svg(
      'text',
      { class: 'run-text', x: (l + r) / 2, y: row.y + row.h / 2 + 4, 'text-anchor': 'middle' },
      g,
      text,
    );
    const lines = `lines ${ctx.model.arrows[row.first]!.line + 1}–${ctx.model.arrows[row.last]!.line + 1}`;
    svg(
      'text',
      { class: 'gutter', x: layout.gutter.line, y: row.y + row.h / 2 + 4, 'text-anchor': 'end' },
      g,
      '⋯',
    );
    g.setAttribute('aria-label', `${runText(row)}, ${lines}`);
  } else if (row.kind === 'hidden') {
    const [l, r] = span(ctx, undefined);
    svg(
      'text',
      { class: 'hidden-text', x: (l + r) / 2, y: row.y + row.h / 2 + 4, 'text-anchor': 'middle' },
      g,
      `⋯ ${groupDigits(row.count)} packet${row.count === 1 ? '' : 's'} without findings ⋯`,
    );
  } else {
    for (const lane of layout.lanes) {
      svg('rect', { class: 'lane-break', x: lane.x - 6, y: row.y + 4, width: 12, height: row.h - 8 }, g);
      svg(
        'path',
        {
          class: 'idle-mark',
          d: `M${lane.x - 7},${row.y + 10} l14,-5 M${lane.x - 7},${row.y + row.h - 6} l14,-5`,
        },
        g,
      );
    }
    const [l, r] = span(ctx, undefined);
    svg(
      'text',
      { class: 'idle-text', x: (l + r) / 2, y: row.y + row.h / 2 + 4, 'text-anchor': 'middle' },
      g,
      `⋯ ${duration(row.seconds)} idle ⋯`,
    );
  }
  return g;
}

/** Lane titles: role and `ip:port`, and the gutter's column names. */
export function drawLaneHead(ctx: DrawContext, parent: SVGElement, height: number): void {
  const { layout } = ctx;
  svg(
    'text',
    { class: 'head-gutter', x: layout.gutter.line, y: height - 10, 'text-anchor': 'end' },
    parent,
    'line',
  );
  if (layout.gutter.times) {
    svg(
      'text',
      { class: 'head-gutter', x: layout.gutter.time, y: height - 10, 'text-anchor': 'end' },
      parent,
      't (s)',
    );
    if (layout.gutter.delta)
      svg(
        'text',
        { class: 'head-gutter', x: layout.gutter.delta, y: height - 10, 'text-anchor': 'end' },
        parent,
        'Δ',
      );
  }
  for (const lane of layout.lanes) {
    const role = lane.roles.join(' · ') + (lane.guessed ? ' (guessed)' : '');
    svg('text', { class: 'lane-role', x: lane.x, y: 16, 'text-anchor': 'middle' }, parent, role);
    svg(
      'text',
      { class: 'lane-endpoint', x: lane.x, y: 32, 'text-anchor': 'middle' },
      parent,
      oneLine(lane.endpoint),
    );
    svg('line', { class: 'lifeline', x1: lane.x, y1: 38, x2: lane.x, y2: height }, parent);
  }
  if (layout.rows.some((r) => r.kind === 'arrow' && r.notes.length))
    svg(
      'text',
      { class: 'head-gutter', x: layout.notesX, y: height - 10 },
      parent,
      'notes (# comments in the trace)',
    );
}

export interface ViewCallbacks {
  /** A row was clicked (detail 2: double click). */
  onRowClick(row: number, detail: number): void;
  onKey(e: KeyboardEvent): void;
  tooltip(row: number): string[] | undefined;
}

/** The live, virtualized view inside the scroller. */
export class LadderView {
  private ctx: DrawContext | undefined;
  private readonly head: SVGSVGElement;
  private readonly svgEl: SVGSVGElement;
  private readonly root: SVGGElement;
  private readonly lifelines: SVGGElement;
  private readonly rowsLayer: SVGGElement;
  private readonly selection: SVGRectElement;
  private readonly rendered = new Map<number, SVGGElement>();
  private winTop = 0;
  private winBottom = -1;
  private selectedRow = -1;
  private frame = 0;
  private hoverTimer: ReturnType<typeof setTimeout> | undefined;
  readonly headHeight = 46;

  constructor(
    private readonly scroller: HTMLElement,
    headHost: HTMLElement,
    private readonly canvas: HTMLElement,
    private readonly tip: HTMLElement,
    private readonly cb: ViewCallbacks,
  ) {
    this.head = svg('svg', { class: 'lane-head', height: this.headHeight }, headHost);
    this.svgEl = svg('svg', { id: 'ladder', class: 'ladder', role: 'img' }, canvas);
    this.root = svg('g', {}, this.svgEl);
    this.selection = svg('rect', { class: 'selection', x: 0, y: -100, width: 0, height: 0 }, this.root);
    this.lifelines = svg('g', { class: 'lifelines' }, this.root);
    this.rowsLayer = svg('g', { class: 'rows' }, this.root);
    scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    window.addEventListener('resize', () => this.schedule(true));
    canvas.addEventListener('click', (e) => {
      const r = this.rowAtEvent(e);
      if (r >= 0) this.cb.onRowClick(r, e.detail);
    });
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => this.hideTip());
    scroller.addEventListener('keydown', (e) => this.cb.onKey(e));
  }

  get layout(): Layout | undefined {
    return this.ctx?.layout;
  }

  /** Draws a new layout; keeps the scroll position unless told where to go. */
  show(ctx: DrawContext, scrollTop?: number): void {
    this.ctx = ctx;
    const { layout } = ctx;
    for (const g of this.rendered.values()) g.remove();
    this.rendered.clear();
    clear(this.head);
    this.head.setAttribute('width', String(layout.width));
    drawLaneHead(ctx, this.head, this.headHeight);
    this.canvas.style.height = `${layout.height}px`;
    this.canvas.style.width = `${layout.width}px`;
    this.svgEl.setAttribute('width', String(layout.width));
    this.winBottom = -1;
    this.selectedRow = -1;
    this.selection.setAttribute('height', '0');
    if (scrollTop !== undefined) this.scroller.scrollTop = scrollTop;
    this.update(true);
  }

  private schedule(force = false): void {
    this.hideTip();
    if (force) this.winBottom = -1;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update(false);
    });
  }

  /** The part of the diagram in view: [top, bottom) in diagram pixels. */
  viewport(): [number, number] {
    const top = this.scroller.scrollTop;
    const h = Math.max(100, this.scroller.clientHeight - this.headHeight);
    return [top, top + h];
  }

  /** Moves the window and adds or drops rows so that the viewport and one viewport around it are drawn. */
  update(force: boolean): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const { layout } = ctx;
    const [top, bottom] = this.viewport();
    const h = bottom - top;
    if (
      !force &&
      this.winBottom >= 0 &&
      top >= this.winTop + (this.winTop > 0 ? h / 3 : 0) &&
      bottom <= this.winBottom - (this.winBottom < layout.height ? h / 3 : 0)
    )
      return;
    this.winTop = Math.max(0, top - h);
    this.winBottom = Math.min(Math.max(layout.height, 1), bottom + h);
    this.svgEl.style.top = `${this.winTop}px`;
    this.selection.setAttribute('width', String(Math.max(layout.width, this.scroller.clientWidth)));
    this.svgEl.setAttribute('height', String(Math.max(1, this.winBottom - this.winTop)));
    this.root.setAttribute('transform', `translate(0,${-this.winTop})`);

    clear(this.lifelines);
    const y2 = Math.min(this.winBottom, layout.height);
    for (const lane of layout.lanes)
      svg('line', { class: 'lifeline', x1: lane.x, y1: this.winTop, x2: lane.x, y2 }, this.lifelines);

    const first = Math.max(0, rowAt(layout, this.winTop));
    const last = rowAt(layout, this.winBottom);
    for (const [k, g] of this.rendered) {
      if (k < first || k > last) {
        g.remove();
        this.rendered.delete(k);
      }
    }
    if (last < 0) return;
    const frag = document.createDocumentFragment();
    for (let k = first; k <= last; k++) {
      if (this.rendered.has(k)) continue;
      const g = drawRow(ctx, layout.rows[k]!, k);
      if (k === this.selectedRow) g.classList.add('selected');
      this.rendered.set(k, g);
      frag.appendChild(g);
    }
    this.rowsLayer.appendChild(frag);
  }

  select(row: number, scroll: 'none' | 'nearest' | 'center'): void {
    const layout = this.ctx?.layout;
    if (!layout) return;
    this.rendered.get(this.selectedRow)?.classList.remove('selected');
    this.selectedRow = row;
    const r = layout.rows[row];
    if (!r) {
      this.selection.setAttribute('height', '0');
      return;
    }
    this.rendered.get(row)?.classList.add('selected');
    this.selection.setAttribute('y', String(r.y));
    this.selection.setAttribute('height', String(r.h));
    this.selection.setAttribute('width', String(Math.max(layout.width, this.scroller.clientWidth)));
    if (scroll !== 'none') this.reveal(row, scroll);
  }

  /** Scrolls so that a row is in view (centred when it was out of view or asked for). */
  reveal(row: number, how: 'nearest' | 'center'): void {
    const r = this.ctx?.layout.rows[row];
    if (!r) return;
    const [top, bottom] = this.viewport();
    const margin = 8;
    if (how === 'nearest' && r.y >= top + margin && r.y + r.h <= bottom - margin) return;
    if (how === 'nearest' && r.y < top + margin && top - r.y < (bottom - top) / 2)
      this.scroller.scrollTop = Math.max(0, r.y - margin);
    else if (how === 'nearest' && r.y + r.h > bottom - margin && r.y + r.h - bottom < (bottom - top) / 2)
      this.scroller.scrollTop = r.y + r.h - (bottom - top) + margin;
    else this.scroller.scrollTop = Math.max(0, r.y - (bottom - top) / 2 + r.h / 2);
    this.update(false);
  }

  rowsInView(): [number, number] {
    const layout = this.ctx?.layout;
    if (!layout) return [0, -1];
    const [top, bottom] = this.viewport();
    return [Math.max(0, rowAt(layout, top)), rowAt(layout, bottom)];
  }

  private rowAtEvent(e: MouseEvent): number {
    const layout = this.ctx?.layout;
    if (!layout) return -1;
    const y = e.clientY - this.canvas.getBoundingClientRect().top;
    const k = rowAt(layout, y);
    const r = layout.rows[k];
    return r && y >= r.y && y < r.y + r.h ? k : -1;
  }

  private hover(e: MouseEvent): void {
    clearTimeout(this.hoverTimer);
    const k = this.rowAtEvent(e);
    if (k < 0) {
      this.hideTip();
      return;
    }
    const { clientX, clientY } = e;
    this.hoverTimer = setTimeout(() => {
      const lines = this.cb.tooltip(k);
      if (!lines?.length) return;
      clear(this.tip);
      for (const line of lines) {
        const div = document.createElement('div');
        div.textContent = line;
        this.tip.appendChild(div);
      }
      this.tip.hidden = false;
      const w = this.tip.offsetWidth;
      const h = this.tip.offsetHeight;
      this.tip.style.left = `${Math.max(4, Math.min(clientX + 14, window.innerWidth - w - 8))}px`;
      this.tip.style.top = `${clientY + 18 + h > window.innerHeight ? Math.max(4, clientY - h - 10) : clientY + 18}px`;
    }, 300);
  }

  hideTip(): void {
    clearTimeout(this.hoverTimer);
    this.tip.hidden = true;
  }
}
