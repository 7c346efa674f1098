/**
 * The ladder panels: one webview per trace, beside its editor. Each asks the language server for the
 * model (packetTrace/ladder), hands it to its webview through protocol/webview.ts, follows edits
 * (after the server republished) and the editor's cursor, reveals lines the webview asks for,
 * writes exports, and comes back after a window reload through the panel serializer.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { LADDER_METHOD, type LadderParams, type LadderText } from '../../../protocol/lsp';
import {
  EXPORT_DESTINATIONS,
  EXPORT_FORMATS,
  LADDER_VIEW_TYPE,
  type ExportDestination,
  type ExportFormat,
  type FromWebview,
  type FromWebviewType,
  type ToWebview,
} from '../../../protocol/webview';
import { ladderPage, ladderWebviewResources, makeNonce } from './html';
import { validateFromWebview, validatePersistedState } from './validate';

/** The diagram follows edits this long after the server republished (or the text last changed). */
const AFTER_DIAGNOSTICS_MS = 200;
const AFTER_EDIT_MS = 400;

type MessageOf<T extends FromWebviewType> = Extract<FromWebview, { type: T }>;

/** What activate() exposes so that tests can watch the panels. */
export interface LadderApi {
  /**
   * Resolves with the first message of this type (from any ladder webview, validated) that matches
   * `predicate`, among those received since index `since` of `received` (default: all of them).
   */
  waitForMessage<T extends FromWebviewType>(
    type: T,
    predicate?: (m: MessageOf<T>, uri: string) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<MessageOf<T>>;
  /** Every valid message received from the webviews, oldest first. */
  readonly received: ReadonlyArray<{ uri: string; message: FromWebview }>;
  /** Handles a raw message as if the webview of `uri` had posted it (validation included). */
  receive(uri: string, raw: unknown): Promise<void>;
  /** Posts a message to the webview of `uri`; false when there is no such panel. */
  post(uri: string, message: ToWebview): Promise<boolean>;
  /** Messages dropped by validation (count), for tests of the validation. */
  readonly rejected: number;
  panels(): Array<{ uri: string; connection: number | undefined; visible: boolean; viewColumn?: number }>;
}

const joinPath = (base: vscode.Uri, ...segments: string[]) => vscode.Uri.joinPath(base, ...segments);

function toUri(x: unknown): vscode.Uri | undefined {
  if (x instanceof vscode.Uri) return x;
  if (typeof x === 'string' && x) {
    try {
      return vscode.Uri.parse(x, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

class LadderPanel {
  /**
   * The model asked for while the page loads, for the first refresh: in VS Code both take a second or
   * more for a connection of 100 000 packets (the page longer, just after a large trace was opened).
   */
  private early: { params: string; answer: Promise<LadderText | null> } | undefined;
  private ready = false;
  private posted: { version: number; connection: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cursorLine: number | undefined;
  /** Files the next picture exports go to (the export command's argument), by format. */
  readonly targets = new Map<ExportFormat, vscode.Uri>();

  constructor(
    private readonly manager: LadderManager,
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    /** Connection id to show (0: all); undefined: the connection at `cursorLine`. */
    public connection: number | undefined,
    cursorLine: number | undefined,
  ) {
    this.cursorLine = cursorLine;
    // Set here too, not only at creation: a panel revived after a reload comes with the options it was
    // saved with.
    const bundle = ladderWebviewResources(manager.extensionUri, joinPath);
    panel.webview.options = bundle.options;
    panel.webview.html = ladderPage({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(bundle.script).toString(),
      styleUri: panel.webview.asWebviewUri(bundle.style).toString(),
      nonce: makeNonce(),
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    const lc = manager.client();
    if (lc.state === State.Running) {
      const params = this.params();
      // A failure here is no failure: refresh asks again.
      const answer = lc.sendRequest<LadderText | null>(LADDER_METHOD, params).catch(() => null);
      this.early = { params: JSON.stringify(params), answer };
    }
    panel.onDidDispose(() => {
      clearTimeout(this.timer);
      manager.forget(this);
    });
  }

  get key(): string {
    return this.uri.toString();
  }

  /** Shows another connection (or the one at a line), with the arrow of `line` selected. */
  show(connection: number | undefined, line: number | undefined): void {
    this.connection = connection;
    this.cursorLine = line;
    this.posted = undefined;
    void this.refresh(true);
  }

  schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(false), delay);
  }

  async post(message: ToWebview): Promise<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** What to ask the server for: the connection chosen, or the one at the cursor line, else all. */
  private params(): LadderParams {
    // The arrows come as JSON text, handed on to the webview as they are (LadderParams.asText).
    const params: LadderParams = { uri: this.key, asText: true };
    if (this.connection !== undefined) {
      if (this.connection > 0) params.connection = this.connection;
    } else if (this.cursorLine !== undefined) params.line = this.cursorLine;
    return params;
  }

  /** Asks the server for the model and posts it, unless the webview already has this version. */
  async refresh(force: boolean): Promise<void> {
    if (!this.ready) return;
    const lc = this.manager.client();
    if (lc.state !== State.Running) {
      void this.post({ type: 'status', message: 'Waiting for the language server…' });
      return;
    }
    const params = this.params();
    const early = this.early?.params === JSON.stringify(params) ? this.early.answer : undefined;
    this.early = undefined;
    let model: LadderText | null;
    try {
      model = early ? await early : null;
      // Asked before the page was there: good if the trace has not changed since.
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.key);
      if (!model || model.version !== doc?.version)
        model = await lc.sendRequest<LadderText | null>(LADDER_METHOD, params);
      if (!model) {
        // The server only knows open documents: open it (without showing it) and ask again.
        await vscode.workspace.openTextDocument(this.uri);
        model = await lc.sendRequest<LadderText | null>(LADDER_METHOD, params);
      }
    } catch (e) {
      void this.post({ type: 'status', message: `The ladder could not be computed: ${String(e)}` });
      return;
    }
    if (!model) {
      void this.post({ type: 'status', message: 'The trace is not open: open it to see its ladder.' });
      return;
    }
    if (this.connection !== undefined && this.connection > 0 && model.connection !== this.connection) {
      // The connection is gone (an edit removed it): show all rather than nothing.
      model =
        (await lc.sendRequest<LadderText | null>(LADDER_METHOD, { uri: this.key, asText: true })) ?? model;
    }
    this.connection = model.connection;
    const c = model.connections.find((x) => x.id === model.connection);
    this.panel.title = `Ladder: ${path.basename(this.uri.path)}${c ? ` #${c.id}` : ''}`;
    if (!force && this.posted?.version === model.version && this.posted.connection === model.connection)
      return;
    this.posted = { version: model.version, connection: model.connection };
    const cursorLine = this.cursorLine;
    this.cursorLine = undefined;
    // As UTF-8 bytes: VS Code hands an ArrayBuffer's bytes to the webview as they are, where a string of
    // 23 MB (100 000 arrows) is escaped into the JSON of each hop and parsed back, for seconds.
    await this.post({ type: 'model', model: new TextEncoder().encode(model.json), cursorLine });
  }

  async receive(raw: unknown): Promise<void> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.key);
    const m = validateFromWebview(raw, doc?.lineCount ?? Number.MAX_SAFE_INTEGER);
    if (!m) {
      this.manager.reject(raw);
      return;
    }
    this.manager.record(this.key, m);
    switch (m.type) {
      case 'ready':
        // A fresh page (first load, or shown again after being hidden): it needs the model.
        this.ready = true;
        this.posted = undefined;
        await this.refresh(true);
        break;
      case 'reveal':
        await this.manager.reveal(this.uri, m.line, m.focus);
        break;
      case 'selectConnection':
        this.show(m.connection, undefined);
        break;
      case 'export':
        await this.manager.writeExport(this, m);
        break;
      case 'error':
        this.manager.log(`ladder webview: ${m.message}`);
        break;
      default:
        break;
    }
  }
}

export class LadderManager implements vscode.Disposable {
  private readonly panels = new Map<string, LadderPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly history: Array<{ uri: string; message: FromWebview }> = [];
  private readonly listeners = new Set<() => void>();
  private rejectedCount = 0;
  private lastActive: LadderPanel | undefined;

  constructor(
    readonly extensionUri: vscode.Uri,
    readonly client: () => LanguageClient,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(LADDER_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => this.revive(panel, state),
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const p = this.panels.get(e.textEditor.document.uri.toString());
        const sel = e.selections[0];
        if (p && sel) void p.post({ type: 'cursor', line: sel.active.line });
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.panels.get(e.document.uri.toString())?.schedule(AFTER_EDIT_MS);
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        for (const uri of e.uris) this.panels.get(uri.toString())?.schedule(AFTER_DIAGNOSTICS_MS);
      }),
    );
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }

  log(line: string): void {
    this.output.appendLine(line);
  }

  /** `packetTrace.showLadder [uri, connection, line]`: from the lens, the title button or the palette. */
  async show(uriArg?: unknown, connectionArg?: unknown, lineArg?: unknown): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const uri = toUri(uriArg) ?? editor?.document.uri;
    if (!uri) {
      void vscode.window.showWarningMessage('Packet Trace: open a trace to show its ladder.');
      return;
    }
    const connection =
      typeof connectionArg === 'number' && Number.isInteger(connectionArg) && connectionArg >= 0
        ? connectionArg
        : undefined;
    let line = typeof lineArg === 'number' && Number.isInteger(lineArg) && lineArg >= 0 ? lineArg : undefined;
    if (line === undefined && editor && editor.document.uri.toString() === uri.toString())
      line = editor.selection.active.line;
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.show(connection, line);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      LADDER_VIEW_TYPE,
      `Ladder: ${path.basename(uri.path)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      ladderWebviewResources(this.extensionUri, joinPath).options,
    );
    this.add(new LadderPanel(this, panel, uri, connection, line));
  }

  private add(p: LadderPanel): void {
    this.panels.set(p.key, p);
    this.lastActive = p;
    p.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.lastActive = p;
    });
  }

  forget(p: LadderPanel): void {
    if (this.panels.get(p.key) === p) this.panels.delete(p.key);
    if (this.lastActive === p) this.lastActive = undefined;
  }

  /** After a reload: the state holds only the trace's uri, the connection and view switches. */
  private async revive(panel: vscode.WebviewPanel, raw: unknown): Promise<void> {
    const state = validatePersistedState(raw);
    const uri = state ? toUri(state.uri) : undefined;
    if (!state || !uri || this.panels.has(uri.toString())) {
      panel.dispose();
      return;
    }
    try {
      await vscode.workspace.openTextDocument(uri);
    } catch {
      // Gone or unreadable: the panel says so once the webview asks for the model.
    }
    this.add(new LadderPanel(this, panel, uri, state.connection, undefined));
  }

  /** Reveals and selects a packet's line in the trace's editor (opening it beside when needed). */
  async reveal(uri: vscode.Uri, line: number, focus: boolean): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (line >= doc.lineCount) return;
    const visible = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.toString() === uri.toString(),
    );
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: !focus,
      preview: false,
    });
    const range = doc.lineAt(line).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** `packetTrace.exportLadder [format, destination, file]`: asks the active panel's webview for it. */
  async exportCommand(formatArg?: unknown, destinationArg?: unknown, fileArg?: unknown): Promise<void> {
    const p = this.lastActive ?? [...this.panels.values()].pop();
    if (!p) {
      void vscode.window.showWarningMessage('Packet Trace: open a ladder first (Packet Trace: Show Ladder).');
      return;
    }
    let format = EXPORT_FORMATS.includes(formatArg as ExportFormat) ? (formatArg as ExportFormat) : undefined;
    let destination = EXPORT_DESTINATIONS.includes(destinationArg as ExportDestination)
      ? (destinationArg as ExportDestination)
      : undefined;
    if (!format) {
      const items: Array<vscode.QuickPickItem & { format: ExportFormat; destination: ExportDestination }> = [
        { label: 'SVG file…', format: 'svg', destination: 'file' },
        { label: 'PNG file…', format: 'png', destination: 'file' },
        { label: 'Mermaid', description: 'new editor', format: 'mermaid', destination: 'editor' },
        { label: 'Mermaid', description: 'clipboard', format: 'mermaid', destination: 'clipboard' },
        { label: 'PlantUML', description: 'new editor', format: 'plantuml', destination: 'editor' },
        { label: 'PlantUML', description: 'clipboard', format: 'plantuml', destination: 'clipboard' },
        { label: 'Plain text', description: 'new editor', format: 'text', destination: 'editor' },
        { label: 'Plain text', description: 'clipboard', format: 'text', destination: 'clipboard' },
      ];
      const pick = await vscode.window.showQuickPick(items, {
        placeHolder: 'Export the shown range of the ladder as',
      });
      if (!pick) return;
      format = pick.format;
      destination = pick.destination;
    }
    if (format === 'svg' || format === 'png') destination = 'file';
    else if (destination === undefined || destination === 'file') destination = 'editor';
    const file = toUri(fileArg);
    if (file) p.targets.set(format, file);
    await p.post({ type: 'export', format, destination });
  }

  /** An export the webview produced: a file (save dialog), the clipboard or a new editor. */
  async writeExport(p: LadderPanel, m: MessageOf<'export'>): Promise<void> {
    const name = path.basename(p.uri.path).replace(/\.[^.]*$/, '') || 'trace';
    const note = m.note ? ` (${m.note})` : '';
    if (m.format === 'svg' || m.format === 'png') {
      let target = p.targets.get(m.format);
      p.targets.delete(m.format);
      if (!target) {
        const dir = p.uri.scheme === 'file' ? vscode.Uri.joinPath(p.uri, '..') : undefined;
        target = await vscode.window.showSaveDialog({
          defaultUri: dir ? vscode.Uri.joinPath(dir, `${name}-ladder.${m.format}`) : undefined,
          filters: m.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
          saveLabel: 'Export',
          title: 'Export the ladder',
        });
      }
      if (!target) return;
      const data =
        m.format === 'svg'
          ? new TextEncoder().encode(m.data)
          : Uint8Array.from(Buffer.from(m.data.slice(m.data.indexOf(',') + 1), 'base64'));
      await vscode.workspace.fs.writeFile(target, data);
      void vscode.window.showInformationMessage(
        `Packet Trace: ladder exported to ${target.scheme === 'file' ? target.fsPath : target.toString()}${note}.`,
      );
      return;
    }
    const what = m.format === 'mermaid' ? 'Mermaid' : m.format === 'plantuml' ? 'PlantUML' : 'plain text';
    if (m.destination === 'clipboard') {
      await vscode.env.clipboard.writeText(m.data);
      void vscode.window.showInformationMessage(
        `Packet Trace: the ladder (${what}, ${m.rows} rows) is on the clipboard${note}.`,
      );
      return;
    }
    const known = await vscode.languages.getLanguages();
    const language = m.format === 'text' || !known.includes(m.format) ? 'plaintext' : m.format;
    const doc = await vscode.workspace.openTextDocument({ content: m.data, language });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
  }

  /** The server is back (after a restart): refresh every panel. */
  serverRunning(): void {
    for (const p of this.panels.values()) void p.refresh(true);
  }

  record(uri: string, message: FromWebview): void {
    this.history.push({ uri, message });
    if (this.history.length > 5000) this.history.splice(0, 1000);
    for (const l of [...this.listeners]) l();
  }

  reject(raw: unknown): void {
    this.rejectedCount++;
    const type =
      raw && typeof raw === 'object' ? String((raw as { type?: unknown }).type).slice(0, 40) : typeof raw;
    this.log(`ladder webview: ignored an invalid message (type ${type})`);
    for (const l of [...this.listeners]) l();
  }

  api(): LadderApi {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get received() {
        return self.history;
      },
      get rejected() {
        return self.rejectedCount;
      },
      waitForMessage<T extends FromWebviewType>(
        type: T,
        predicate?: (m: MessageOf<T>, uri: string) => boolean,
        options: { since?: number; timeoutMs?: number } = {},
      ): Promise<MessageOf<T>> {
        const since = options.since ?? 0;
        return new Promise((resolve, reject) => {
          const check = () => {
            for (let i = since; i < self.history.length; i++) {
              const { uri, message } = self.history[i]!;
              if (message.type === type && (!predicate || predicate(message as MessageOf<T>, uri))) {
                done();
                resolve(message as MessageOf<T>);
                return;
              }
            }
          };
          const timer = setTimeout(() => {
            done();
            reject(new Error(`no '${type}' message from the ladder within ${options.timeoutMs ?? 20000} ms`));
          }, options.timeoutMs ?? 20_000);
          const done = () => {
            clearTimeout(timer);
            self.listeners.delete(check);
          };
          self.listeners.add(check);
          check();
        });
      },
      receive: async (uri, raw) => {
        const p = self.panels.get(toUri(uri)?.toString() ?? uri);
        if (p) await p.receive(raw);
      },
      post: async (uri, message) => {
        const p = self.panels.get(toUri(uri)?.toString() ?? uri);
        return p ? p.post(message) : false;
      },
      panels: () =>
        [...self.panels.values()].map((p) => ({
          uri: p.key,
          connection: p.connection,
          visible: p.panel.visible,
          viewColumn: p.panel.viewColumn,
        })),
    };
  }
}
