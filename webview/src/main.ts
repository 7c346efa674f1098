/**
 * The ladder webview: builds the page, talks to the client through the typed messages of
 * protocol/webview.ts (`ready` first, then `model`, `cursor`, `export`), keeps its view state with
 * setState (identifiers and switches only) and wires clicks and keys to the diagram.
 */
import type { LadderModel } from '../../protocol/lsp';
import {
  DEFAULT_TOGGLES,
  decodeModel,
  type ExportDestination,
  type ExportFormat,
  type FromWebview,
  type LadderToggles,
  type PersistedState,
  type ToWebview,
} from '../../protocol/webview';
import { clear, html, svg } from './dom';
import { PNG_MAX_HEIGHT, SVG_MAX_ROWS, svgToPng, toMermaid, toPlantUml, toSvg, toText } from './export';
import {
  ackOf,
  arrowLabel,
  badges,
  bytes,
  connectionHead,
  connectionTitle,
  duration,
  flagsLabel,
  groupDigits,
  historyWords,
  oneLine,
  zeekStateWords,
} from './labels';
import { arrowAtLine, layout, type Layout } from './layout';
import { drawContext, LadderView, runText, type DrawContext } from './render';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);

// ---- persisted state -------------------------------------------------------------------------------

function readState(raw: unknown): PersistedState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const s = raw as Partial<PersistedState>;
  if (s.v !== 1 || typeof s.uri !== 'string' || typeof s.connection !== 'number') return undefined;
  const toggles = { ...DEFAULT_TOGGLES };
  if (s.toggles && typeof s.toggles === 'object')
    for (const k of Object.keys(DEFAULT_TOGGLES) as Array<keyof LadderToggles>)
      if (typeof s.toggles[k] === 'boolean') toggles[k] = s.toggles[k];
  return {
    v: 1,
    uri: s.uri,
    connection: s.connection,
    scrollTop: typeof s.scrollTop === 'number' && s.scrollTop >= 0 ? s.scrollTop : 0,
    selectedLine: typeof s.selectedLine === 'number' ? s.selectedLine : undefined,
    toggles,
    expanded: Array.isArray(s.expanded) ? s.expanded.filter((x): x is number => typeof x === 'number') : [],
  };
}

const persisted = readState(vscode.getState());

// ---- page --------------------------------------------------------------------------------------------

const app = document.getElementById('app') ?? html('div', { id: 'app' }, document.body);
clear(app);
const toolbar = html('header', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Ladder view' }, app);
const pickRow = html('div', { class: 'tool-row' }, toolbar);
html('label', { for: 'connection', class: 'field-label' }, pickRow, 'Connection');
const picker = html('select', { id: 'connection', title: 'Choose a connection, or show all' }, pickRow);
const TOGGLES: Array<[keyof LadderToggles, string, string]> = [
  ['absolute', 'Absolute', 'Absolute sequence numbers (off: relative, as Wireshark)'],
  ['timeAxis', 'Time axis', 'Time-proportional vertical axis; long idle gaps fold into a labelled break'],
  ['slant', 'Slant', 'Slant arrows by the one-way delay estimated from the handshake RTT'],
  ['findingsOnly', 'Findings only', 'Only packets with findings; the others are counted in place'],
  ['hideAcks', 'Hide pure ACKs', 'Hide pure ACKs with nothing to say (counted in the footer)'],
  ['collapse', 'Collapse runs', 'Collapse runs of uneventful data and ACKs into expandable blocks'],
];
const toggleButtons = new Map<keyof LadderToggles, HTMLButtonElement>();
const toggleGroup = html('div', { class: 'toggles tool-row' }, toolbar);
for (const [key, label, title] of TOGGLES) {
  const b = html(
    'button',
    { type: 'button', class: 'toggle', 'data-kind': key, title, 'aria-pressed': 'false' },
    toggleGroup,
    label,
  );
  b.addEventListener('click', () => setToggle(key, !toggles[key]));
  toggleButtons.set(key, b);
}
const exportPicker = html('select', { id: 'export', title: 'Export the shown range' }, pickRow);
const EXPORTS: Array<[string, string]> = [
  ['', 'Export…'],
  ['svg:file', 'SVG file…'],
  ['png:file', 'PNG file…'],
  ['mermaid:clipboard', 'Mermaid → clipboard'],
  ['mermaid:editor', 'Mermaid → new editor'],
  ['plantuml:clipboard', 'PlantUML → clipboard'],
  ['plantuml:editor', 'PlantUML → new editor'],
  ['text:clipboard', 'Plain text → clipboard'],
  ['text:editor', 'Plain text → new editor'],
];
for (const [value, label] of EXPORTS) html('option', { value }, exportPicker, label);

const summary = html('section', { id: 'summary', 'aria-live': 'polite' }, app);
const scroller = html(
  'div',
  {
    id: 'scroller',
    tabindex: 0,
    role: 'application',
    'aria-label': 'Ladder diagram: arrow keys move between packets, Enter reveals the line',
  },
  app,
);
const laneHead = html('div', { id: 'lanehead' }, scroller);
const canvas = html('div', { id: 'canvas' }, scroller);
const empty = html('div', { id: 'empty' }, app, 'Loading the ladder…');
const footer = html('footer', { id: 'footer' }, app);
const status = html('span', { id: 'status', 'aria-live': 'polite' }, footer);
const legend = html('span', { id: 'legend' }, footer);
const tip = html('div', { id: 'tooltip', role: 'tooltip' }, document.body);
/** Not shown: screen readers say the packet (or run) the keys or a click selected. */
const spoken = html('div', { id: 'announce', class: 'sr-only', 'aria-live': 'polite' }, app);
tip.hidden = true;
buildLegend();

// ---- state -----------------------------------------------------------------------------------------

let model: LadderModel | undefined;
let current: Layout | undefined;
let ctx: DrawContext | undefined;
let toggles: LadderToggles = { ...(persisted?.toggles ?? DEFAULT_TOGGLES) };
let expanded = new Set<number>();
/** Selection: an arrow index, or the key of a run row. */
let selectedArrow = -1;
let selectedRun: number | undefined;
let note = '';

const view = new LadderView(scroller, laneHead, canvas, tip, {
  onRowClick,
  onKey,
  tooltip: tooltipFor,
});

// ---- rendering -------------------------------------------------------------------------------------

function rebuild(scrollTop?: number): void {
  if (!model) return;
  current = layout(model, { toggles, expanded, viewWidth: scroller.clientWidth || window.innerWidth });
  ctx = drawContext(model, current, toggles);
  const has = model.arrows.length > 0;
  empty.hidden = has;
  scroller.hidden = !has;
  if (!has)
    empty.textContent =
      model.connection === 0
        ? 'No TCP packets in this trace.'
        : `Connection #${model.connection} has no TCP packets.`;
  view.show(ctx, scrollTop);
  applySelection('none');
  renderSummary();
  renderFooter();
  for (const [k, b] of toggleButtons) b.setAttribute('aria-pressed', String(toggles[k]));
}

function renderSummary(): void {
  clear(summary);
  if (!model) return;
  clear(picker);
  const shownIds = new Set(model.arrows.map((a) => a.connection));
  html('option', { value: '0' }, picker, `All connections (${model.connections.length})`);
  for (const c of model.connections)
    html(
      'option',
      { value: String(c.id) },
      picker,
      oneLine(`${connectionTitle(c)} · ${c.zeekState || '-'} · ${c.packets} packets`),
    );
  picker.value = String(model.connection);
  // All connections, but only one with packets: its verdict here, as when it is chosen.
  const c =
    model.connections.find((x) => x.id === model!.connection) ??
    (shownIds.size === 1 ? model.connections.find((x) => shownIds.has(x.id)) : undefined);
  if (!c) {
    // Each connection's verdict, conn_state and history head its first packet in the diagram (a row
    // drawn only when in view); here: the totals, and how many connections end in each conn_state.
    const shown = model.connections.filter((x) => shownIds.has(x.id));
    const problems = shown.reduce((n, x) => n + x.problems, 0);
    html(
      'div',
      { class: 'title' },
      summary,
      `All connections: ${shownIds.size} with TCP packets, ${groupDigits(model.arrows.length)} packets`,
    );
    const line = html('div', { id: 'verdict' }, summary);
    html(
      'span',
      { class: 'verdict' },
      line,
      `${problems} problem${problems === 1 ? '' : 's'} (errors and warnings)`,
    );
    html('span', { class: 'muted' }, line, ' · each connection’s verdict heads its packets');
    const states = new Map<string, number>();
    for (const x of shown) states.set(x.zeekState || '-', (states.get(x.zeekState || '-') ?? 0) + 1);
    if (states.size) {
      const zeek = html('div', { class: 'zeek', id: 'zeek' }, summary);
      html('span', { class: 'muted' }, zeek, 'Zeek conn_state ');
      [...states]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .forEach(([state, count], k) => {
          if (k) html('span', { class: 'muted' }, zeek, ' · ');
          html(
            'code',
            { title: zeekStateWords(state) ?? '', 'data-kind': 'conn-state' },
            zeek,
            oneLine(state),
          );
          html('span', { class: 'muted' }, zeek, ` ${groupDigits(count)}`);
        });
    }
    return;
  }
  const line1 = html('div', {}, summary);
  html('span', { class: 'verdict', id: 'verdict' }, line1, oneLine(c.verdict));
  html(
    'span',
    { class: 'muted' },
    line1,
    ` · ${c.problems} problem${c.problems === 1 ? '' : 's'}${c.clientGuessed ? ' · client guessed (no SYN in the trace)' : ''}`,
  );
  const zeek = html('div', { class: 'zeek', id: 'zeek' }, summary);
  html('span', { class: 'muted' }, zeek, 'Zeek conn_state ');
  const words = zeekStateWords(c.zeekState);
  html('code', { title: words ?? '' }, zeek, c.zeekState || '-');
  if (words) html('span', { class: 'muted' }, zeek, ` (${words})`);
  html('span', { class: 'muted' }, zeek, ' · history ');
  html('code', { title: historyWords(c.history) }, zeek, c.history || '-');
}

function renderFooter(): void {
  if (!model || !current) return;
  const k = current.counts;
  const parts = [`${groupDigits(k.arrows)} of ${groupDigits(k.total)} packets drawn`];
  if (k.runs) parts.push(`${groupDigits(k.inRuns)} in ${k.runs} collapsed run${k.runs === 1 ? '' : 's'}`);
  if (toggles.hideAcks)
    parts.push(`${groupDigits(k.hiddenAcks)} pure ACK${k.hiddenAcks === 1 ? '' : 's'} hidden`);
  if (toggles.findingsOnly) parts.push(`${groupDigits(k.hiddenNoFinding)} without findings hidden`);
  if (toggles.timeAxis) {
    const t = current.time;
    if (t.on && t.pxPerSecond)
      parts.push(
        `time axis: one row ≈ ${duration(34 / t.pxPerSecond)}, gaps over ${duration(t.foldSeconds ?? 0)} folded (${t.folded})`,
      );
    else parts.push(`no time axis: ${t.note ?? 'no times'}`);
  }
  if (toggles.slant)
    parts.push(
      current.slant.rtt !== undefined
        ? `arrows slanted by the one-way delay ≈ RTT/2 = ${duration(current.slant.rtt / 2)} (handshake)`
        : 'arrows slanted by a fixed amount (no handshake RTT)',
    );
  if (note) parts.push(note);
  status.textContent = parts.join(' · ');
}

function buildLegend(): void {
  const items: Array<[string, string]> = [
    ['k-handshake', 'handshake'],
    ['k-data', 'data'],
    ['k-ack', 'pure ACK'],
    ['k-fin', 'FIN'],
    ['k-rst', 'RST'],
    ['k-data retrans', 'retransmission'],
  ];
  for (const [cls, label] of items) {
    const s = svg('svg', { class: `swatch ${cls}`, width: 26, height: 10, 'aria-hidden': 'true' }, legend);
    svg(
      'line',
      { class: cls.includes('retrans') ? 'shaft retrans' : 'shaft', x1: 1, y1: 5, x2: 25, y2: 5 },
      s,
    );
    html('span', { class: 'legend-label' }, legend, label);
  }
  const gap = svg('svg', { class: 'swatch', width: 14, height: 12, 'aria-hidden': 'true' }, legend);
  svg('path', { class: 'legend-gap', d: 'M1,5 l12,-4 M1,11 l12,-4' }, gap);
  html('span', { class: 'legend-label' }, legend, 'segment not captured');
  const cross = svg('svg', { class: 'swatch', width: 12, height: 12, 'aria-hidden': 'true' }, legend);
  svg('path', { class: 'cross', d: 'M2,2 L10,10 M2,10 L10,2' }, cross);
  html('span', { class: 'legend-label' }, legend, 'ACKed unseen segment');
}

// ---- selection ---------------------------------------------------------------------------------------

function selectedRowIndex(): number {
  if (!current) return -1;
  if (selectedArrow >= 0) {
    const r = current.rowOfArrow[selectedArrow] ?? -1;
    return r >= 0 ? r : (current.holderOfArrow[selectedArrow] ?? -1);
  }
  if (selectedRun !== undefined)
    return current.rows.findIndex((r) => r.kind === 'run' && r.key === selectedRun);
  return -1;
}

function applySelection(scroll: 'none' | 'nearest' | 'center'): void {
  view.select(selectedRowIndex(), scroll);
}

function persist(): void {
  if (!model) return;
  const state: PersistedState = {
    v: 1,
    uri: model.uri,
    connection: model.connection,
    scrollTop: Math.round(scroller.scrollTop),
    selectedLine: selectedArrow >= 0 ? model.arrows[selectedArrow]?.line : undefined,
    toggles,
    expanded: [...expanded].slice(0, 1000),
  };
  vscode.setState(state);
}

function announce(): void {
  const a = model && selectedArrow >= 0 ? model.arrows[selectedArrow] : undefined;
  post({ type: 'selected', line: a ? a.line : null });
  persist();
}

/** The selection in words for the live region: `line 5; client to server; [.] ACK, ack 1, win 5840`. */
function speak(): void {
  const a = model && selectedArrow >= 0 ? model.arrows[selectedArrow] : undefined;
  let words = 'no packet selected';
  if (a) {
    const parts = [
      `line ${a.line + 1}`,
      a.fromClient ? 'client to server' : 'server to client',
      arrowLabel(a, toggles.absolute).replace(/ {2,}/g, ', '),
    ];
    const b = badges(a);
    if (b.length) parts.push(b.map((x) => x.text).join(', '));
    if (a.clientState) parts.push(`client ${a.clientState}`);
    if (a.serverState) parts.push(`server ${a.serverState}`);
    words = parts.join('; ');
  } else if (selectedRun !== undefined) {
    const r = current?.rows.find((x) => x.kind === 'run' && x.key === selectedRun);
    if (r?.kind === 'run')
      words = `${runText(r)}, ${r.expanded ? 'expanded: Enter collapses' : 'collapsed: Enter expands'}`;
  }
  spoken.textContent = oneLine(words);
}

/** Selects the arrow of a trace line: expands its run if needed; says so when a filter hides it. */
function selectLine(line: number, scroll: 'none' | 'nearest' | 'center'): boolean {
  if (!model || !current) return false;
  const i = arrowAtLine(model, line);
  note = '';
  if (i < 0) {
    selectedArrow = -1;
    selectedRun = undefined;
    note = `line ${line + 1} is not a packet of this diagram`;
    applySelection('none');
    renderFooter();
    return false;
  }
  selectedArrow = i;
  selectedRun = undefined;
  if ((current.rowOfArrow[i] ?? -1) < 0) {
    const holder = current.rows[current.holderOfArrow[i] ?? -1];
    if (holder?.kind === 'run') {
      expanded.add(holder.key);
      const top = scroller.scrollTop;
      rebuild(top);
    } else note = `line ${line + 1} is hidden by ${holder ? '“Findings only”' : '“Hide pure ACKs”'}`;
  }
  applySelection(scroll);
  renderFooter();
  return true;
}

function moveSelection(delta: number | 'home' | 'end'): void {
  if (!current || !current.rows.length) return;
  const rows = current.rows;
  const selectable = (k: number) => rows[k]?.kind === 'arrow' || rows[k]?.kind === 'run';
  let k = selectedRowIndex();
  if (delta === 'home') k = -1;
  if (delta === 'end') k = rows.length;
  if (k < 0 && typeof delta === 'number' && delta > 0 && delta < 10) {
    // Nothing selected yet: start from the first row in view.
    k = view.rowsInView()[0] - 1;
  }
  const step = delta === 'end' || (typeof delta === 'number' && delta < 0) ? -1 : 1;
  let remaining = typeof delta === 'number' ? Math.abs(delta) : 1;
  let at = k;
  let target = -1;
  while (remaining > 0) {
    at += step;
    if (at < 0 || at >= rows.length) break;
    if (selectable(at)) {
      target = at;
      remaining--;
    }
  }
  if (target < 0) return;
  const r = rows[target]!;
  if (r.kind === 'arrow') {
    selectedArrow = r.i;
    selectedRun = undefined;
  } else if (r.kind === 'run') {
    selectedArrow = -1;
    selectedRun = r.key;
  }
  note = '';
  applySelection('nearest');
  renderFooter();
  announce();
  speak();
}

function toggleRun(key: number): void {
  if (expanded.has(key)) expanded.delete(key);
  else expanded.add(key);
  selectedArrow = -1;
  selectedRun = key;
  rebuild(scroller.scrollTop);
  applySelection('nearest');
  persist();
  postRendered();
  speak();
}

function onRowClick(k: number, detail: number): void {
  const r = current?.rows[k];
  if (!r || !model) return;
  scroller.focus({ preventScroll: true });
  if (r.kind === 'run') {
    toggleRun(r.key);
    return;
  }
  if (r.kind === 'conn') {
    // A connection's header: show that connection alone (its own header has the verdict too).
    post({ type: 'selectConnection', connection: r.connection });
    return;
  }
  if (r.kind !== 'arrow') return;
  selectedArrow = r.i;
  selectedRun = undefined;
  note = '';
  applySelection('none');
  renderFooter();
  announce();
  speak();
  post({ type: 'reveal', line: model.arrows[r.i]!.line, focus: detail >= 2 });
}

function onKey(e: KeyboardEvent): void {
  if (!current || !model) return;
  const page = Math.max(1, view.rowsInView()[1] - view.rowsInView()[0] - 1);
  switch (e.key) {
    case 'ArrowDown':
      moveSelection(1);
      break;
    case 'ArrowUp':
      moveSelection(-1);
      break;
    case 'PageDown':
      moveSelection(page);
      break;
    case 'PageUp':
      moveSelection(-page);
      break;
    case 'Home':
      moveSelection('home');
      break;
    case 'End':
      moveSelection('end');
      break;
    case 'Enter':
    case ' ': {
      if (selectedRun !== undefined) toggleRun(selectedRun);
      else if (selectedArrow >= 0)
        post({
          type: 'reveal',
          line: model.arrows[selectedArrow]!.line,
          focus: e.key === ' ' ? false : e.ctrlKey,
        });
      break;
    }
    case 'Escape':
      selectedArrow = -1;
      selectedRun = undefined;
      applySelection('none');
      announce();
      speak();
      break;
    default:
      return;
  }
  e.preventDefault();
}

function tooltipFor(k: number): string[] | undefined {
  const r = current?.rows[k];
  if (!r || !model) return undefined;
  if (r.kind === 'run') {
    const first = model.arrows[r.first]!.line + 1;
    const last = model.arrows[r.last]!.line + 1;
    return [
      `${runText(r)}: in-order data and ACKs with no finding`,
      `lines ${first}–${last}`,
      r.expanded ? 'click to collapse' : 'click to expand',
    ];
  }
  if (r.kind === 'hidden')
    return [`${groupDigits(r.count)} packets without findings (“Findings only” is on)`];
  if (r.kind === 'idle') return [`${duration(r.seconds)} without packets (folded)`];
  if (r.kind === 'conn') {
    const h = connectionHead(r.summary);
    const words = historyWords(r.summary.history);
    return [
      `${h.title} · ${h.counts}`,
      h.verdict,
      `Zeek conn_state ${h.state}${h.stateWords ? `: ${h.stateWords}` : ''}`,
      `history ${h.history}${words ? `: ${words}` : ''}`,
      `lines ${r.summary.firstLine + 1}–${r.summary.lastLine + 1} · click to show this connection alone`,
    ];
  }
  const a = model.arrows[r.i]!;
  const c = model.connections.find((x) => x.id === a.connection);
  const lines = [
    `line ${a.line + 1} · #${a.connection} ${a.fromClient ? 'client → server' : 'server → client'}${c ? ` (${a.fromClient ? c.client : c.server})` : ''}`,
    `${flagsLabel(a)} (${a.flagWords})${a.len ? ` · ${bytes(a.len)}` : ''}`,
  ];
  if (a.seq !== undefined || a.relSeq !== undefined) {
    const rel = a.relSeq !== undefined ? `${a.relSeq}${a.len ? `:${a.relSeq + a.len}` : ''}` : '?';
    const abs = a.seq !== undefined ? `${a.seq}${a.len ? `:${a.seqEnd ?? ''}` : ''}` : '?';
    lines.push(`seq ${rel} relative, ${abs} absolute${a.seqInferred ? ' (not printed: inferred)' : ''}`);
  }
  if (a.ack !== undefined) lines.push(`ack ${ackOf(a, false)} relative, ${a.ack} absolute`);
  if (a.win !== undefined)
    lines.push(
      a.winBytes !== undefined
        ? `win ${a.win} → ${groupDigits(a.winBytes)} B scaled`
        : `win ${a.win} (scale unknown)`,
    );
  if (a.time !== undefined) {
    const prev = r.i > 0 ? model.arrows[r.i - 1]!.time : undefined;
    lines.push(`t ${a.time.toFixed(6)} s${prev !== undefined ? ` (+${duration(a.time - prev)})` : ''}`);
  }
  if (a.options?.length) lines.push(`options: ${oneLine(a.options.join(', '))}`);
  if (a.sack?.length)
    lines.push(`SACK ${a.sack.map((b) => `${b.relLeft ?? b.left}-${b.relRight ?? b.right}`).join(' ')}`);
  // The summary is kept as printed after the length (`: HTTP: GET /`): its colon is not said twice.
  if (a.payload) lines.push(`payload: ${oneLine(a.payload).replace(/^:\s*/, '').slice(0, 200)}`);
  if (a.clientState) lines.push(`client → ${a.clientState}`);
  if (a.serverState) lines.push(`server → ${a.serverState}`);
  if (a.originalLine !== undefined) lines.push(`first sent on line ${a.originalLine + 1}`);
  const words = badges(a);
  for (const m of a.messages ?? []) lines.push(`${m.severity}: ${oneLine(m.message)} [${m.code}]`);
  if (!a.messages?.length) for (const b of words) lines.push(`${b.severity}: ${b.text} [${b.code}]`);
  for (const n of a.annotations) lines.push(`# ${oneLine(n)}`);
  return lines;
}

function postRendered(): void {
  if (!model || !current) return;
  post({
    type: 'rendered',
    uri: model.uri,
    version: model.version,
    connection: model.connection,
    arrows: model.arrows.length,
    rows: current.rows.length,
    selectedLine: selectedArrow >= 0 ? model.arrows[selectedArrow]?.line : undefined,
  });
}

/** Keeps the first packet in view at the top when a switch changes the rows. */
function setToggle(key: keyof LadderToggles, value: boolean): void {
  if (!model || !current) {
    toggles = { ...toggles, [key]: value };
    return;
  }
  const [first] = view.rowsInView();
  const anchor = current.rows.slice(first).find((r) => r.kind === 'arrow');
  toggles = { ...toggles, [key]: value };
  rebuild(scroller.scrollTop);
  if (selectedArrow >= 0 && (current.rowOfArrow[selectedArrow] ?? -1) >= 0) applySelection('center');
  else if (anchor?.kind === 'arrow') {
    const at = current.rowOfArrow[anchor.i] ?? -1;
    // With its connection's header when that stands right above it.
    const above = current.rows[at - 1];
    const row = above?.kind === 'conn' ? above : current.rows[at];
    if (row) {
      scroller.scrollTop = row.y;
      view.update(false);
    }
  }
  persist();
  postRendered();
}

// ---- messages ----------------------------------------------------------------------------------------

function onModel(m: LadderModel, cursorLine?: number): void {
  const prev = model;
  const same = !!prev && prev.uri === m.uri && prev.connection === m.connection;
  const restoring = !prev && !!persisted && persisted.uri === m.uri && persisted.connection === m.connection;
  let scrollTop = 0;
  let line: number | undefined;
  let scroll: 'none' | 'center' = 'none';
  if (same) {
    scrollTop = scroller.scrollTop;
    line = selectedArrow >= 0 ? prev!.arrows[selectedArrow]?.line : undefined;
  } else if (restoring) {
    expanded = new Set(persisted.expanded);
    scrollTop = persisted.scrollTop;
    line = persisted.selectedLine;
  } else {
    expanded = new Set();
    if (cursorLine !== undefined) {
      line = cursorLine;
      scroll = 'center';
    }
  }
  const keepRun = same ? selectedRun : undefined;
  model = m;
  selectedArrow = -1;
  selectedRun = keepRun;
  note = '';
  rebuild(scrollTop);
  if (line !== undefined) selectLine(line, scroll);
  else applySelection('none');
  persist();
  postRendered();
}

async function onExport(format: ExportFormat, destination: ExportDestination): Promise<void> {
  if (!model || !current || !ctx) return;
  const input = { model, layout: current, toggles };
  const start = view.rowsInView()[0];
  let data: string;
  let rows = current.rows.length;
  let exportNote: string | undefined;
  if (format === 'svg' || format === 'png') {
    const picture = toSvg(ctx, start, SVG_MAX_ROWS, format === 'png' ? PNG_MAX_HEIGHT : 2_000_000);
    data = format === 'svg' ? picture.svg : await svgToPng(picture);
    rows = picture.rows;
    exportNote = picture.note;
    destination = 'file';
  } else if (format === 'mermaid') data = toMermaid(input);
  else if (format === 'plantuml') data = toPlantUml(input);
  else data = toText(input);
  post({ type: 'export', format, destination, data, rows, note: exportNote });
}

function isMessage(x: unknown): x is ToWebview {
  return !!x && typeof x === 'object' && typeof (x as { type?: unknown }).type === 'string';
}

window.addEventListener('message', (e: MessageEvent) => {
  const m: unknown = e.data;
  if (!isMessage(m)) return;
  switch (m.type) {
    case 'model':
      // The client posts the model's JSON as UTF-8 bytes; text is read too.
      if (typeof m.model === 'string' || m.model instanceof ArrayBuffer || ArrayBuffer.isView(m.model)) {
        let parsed: LadderModel | undefined;
        try {
          parsed = decodeModel(m.model);
        } catch {
          parsed = undefined;
        }
        if (
          parsed &&
          typeof parsed === 'object' &&
          Array.isArray(parsed.arrows) &&
          Array.isArray(parsed.connections)
        )
          onModel(parsed, typeof m.cursorLine === 'number' ? m.cursorLine : undefined);
      }
      break;
    case 'cursor':
      if (Number.isInteger(m.line) && m.line >= 0) {
        selectLine(m.line, 'nearest');
        announce();
      }
      break;
    case 'export':
      void onExport(m.format, m.destination).catch((err: unknown) =>
        post({ type: 'error', message: `export failed: ${String(err)}` }),
      );
      break;
    case 'status':
      if (typeof m.message === 'string') {
        empty.textContent = m.message;
        empty.hidden = false;
        scroller.hidden = !model;
      }
      break;
  }
});

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    // A narrow view gets the tighter layout, a wide one the roomy layout back.
    if (current && scroller.clientWidth < current.fitWidth !== current.tight) {
      rebuild(scroller.scrollTop);
      postRendered();
    }
  }, 150);
});

picker.addEventListener('change', () => {
  const id = Number(picker.value);
  if (Number.isInteger(id) && id >= 0) post({ type: 'selectConnection', connection: id });
});
exportPicker.addEventListener('change', () => {
  const [format, destination] = exportPicker.value.split(':') as [ExportFormat, ExportDestination];
  exportPicker.value = '';
  if (format && destination) void onExport(format, destination);
});
let persistTimer: ReturnType<typeof setTimeout> | undefined;
scroller.addEventListener(
  'scroll',
  () => {
    clearTimeout(persistTimer);
    persistTimer = setTimeout(persist, 250);
  },
  { passive: true },
);
window.addEventListener('error', (e) => post({ type: 'error', message: String(e.message).slice(0, 2000) }));

post({ type: 'ready' });
