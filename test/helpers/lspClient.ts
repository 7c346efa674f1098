/**
 * A small typed LSP test client: spawns the real language server (`node bin/packet-trace-lsp.js --stdio`)
 * and talks JSON-RPC to it over the child's stdio, as an editor does. Every wait is bounded, every
 * process it starts is tracked, and `stopAll()` (call it from an `after`/`afterEach` hook) kills what
 * is left, so a failing test never leaves a server behind.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CancellationTokenSource,
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type CancellationToken,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  CodeLens,
  ConfigurationParams,
  Definition,
  Diagnostic,
  DocumentHighlight,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InitializeResult,
  InlayHint,
  Location,
  LocationLink,
  Position,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';

/** Compiled to out/test/helpers/, so the repository root is three levels up. */
export const ROOT = path.join(__dirname, '../../..');
export const SERVER_BIN = path.join(ROOT, 'bin/packet-trace-lsp.js');
export const CLI_BIN = path.join(ROOT, 'bin/packet-trace.js');
export const LANGUAGE_ID = 'packet-trace';
/** The shared corpus of real tcpdump renderings, beside the repository. */
export const CORPUS = path.join(ROOT, '../shared/corpus');

/** A corpus file's path (`http-get-fin/nn.trace`) or a repository file's (`examples/x.trace`). */
export function tracePath(rel: string): string {
  return rel.startsWith('examples/') || rel.startsWith('test/')
    ? path.join(ROOT, rel)
    : path.join(CORPUS, rel);
}

/** The text of a trace, read as UTF-8 like the CLI reads it. */
export function readTrace(rel: string): string {
  return fs.readFileSync(tracePath(rel), 'utf8');
}

/** Default bound for any single wait (a request, a diagnostics push, the process exit). */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface StartOptions {
  /** The client capabilities sent in initialize (default: none at all). */
  capabilities?: ClientCapabilities;
  /**
   * What the client answers to workspace/configuration for the `packetTrace` section (only asked
   * when the capabilities include workspace.configuration). Can be changed later through
   * `client.settings`.
   */
  settings?: unknown;
  initializationOptions?: unknown;
  /** Extra arguments for the server (default `--stdio`). */
  args?: string[];
}

export interface WaitOptions {
  /** Only a push for this document version. */
  version?: number;
  /** Only a push received after this mark (see `mark()`). */
  since?: number;
  /** Only a push this predicate accepts. */
  predicate?: (p: PublishDiagnosticsParams) => boolean;
  timeoutMs?: number;
}

export interface ServerRequestLog {
  method: string;
  params: unknown;
}

const live = new Set<LspClient>();

/** Kills every server process still running (for `after`/`afterEach` hooks). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill()));
}

process.on('exit', () => {
  for (const c of live) c.killNow();
});

/** Rejects after `ms` with a message saying what was awaited. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class LspClient {
  readonly connection: MessageConnection;
  /** Every textDocument/publishDiagnostics, in arrival order. */
  readonly diagnosticsLog: PublishDiagnosticsParams[] = [];
  /** Every request the server sent to the client. */
  readonly serverRequests: ServerRequestLog[] = [];
  /** Every workspace/configuration request, in arrival order. */
  readonly configurationRequests: ConfigurationParams[] = [];
  /** window/logMessage and window/showMessage texts. */
  readonly logs: string[] = [];
  stderr = '';
  /** Answer to workspace/configuration for the `packetTrace` section. */
  settings: unknown;
  initializeResult: InitializeResult | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private shuttingDown = false;
  private readonly listeners = new Set<() => void>();
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    opts: StartOptions,
  ) {
    this.settings = opts.settings;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.notify();
        resolve();
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (this.stderr.length < 1_000_000) this.stderr += d;
    });
    // A dead server closes its pipes; writes after that must not throw out of the test.
    child.stdin.on('error', () => undefined);
    // No partial-message timer: a server killed in the middle of a message would leave it re-arming
    // every 10 s forever, and the test process could never exit. The exit listener reports the death.
    const reader = new StreamMessageReader(child.stdout);
    reader.partialMessageTimeout = 0;
    this.connection = createMessageConnection(reader, new StreamMessageWriter(child.stdin));
    this.connection.onError(() => undefined);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnosticsLog.push(p);
      this.notify();
    });
    this.connection.onNotification('window/logMessage', (p: { message: string }) =>
      this.logs.push(p.message),
    );
    this.connection.onNotification('window/showMessage', (p: { message: string }) =>
      this.logs.push(p.message),
    );
    this.connection.onRequest('workspace/configuration', (p: ConfigurationParams) => {
      this.serverRequests.push({ method: 'workspace/configuration', params: p });
      this.configurationRequests.push(p);
      this.notify();
      return p.items.map((item) =>
        item.section === 'packetTrace' || item.section === undefined
          ? (this.settings ?? null)
          : pick(this.settings, item.section),
      );
    });
    this.connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      this.notify();
      return null;
    });
    this.connection.listen();
  }

  /** Spawns the server and runs initialize + initialized. */
  static async start(opts: StartOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [SERVER_BIN, ...(opts.args ?? ['--stdio'])], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const client = new LspClient(child, opts);
    live.add(client);
    try {
      client.initializeResult = await client.request<InitializeResult>('initialize', {
        processId: process.pid,
        rootUri: null,
        clientInfo: { name: 'packet-trace-test-client' },
        capabilities: opts.capabilities ?? {},
        initializationOptions: opts.initializationOptions,
      });
      client.connection.sendNotification('initialized', {});
    } catch (e) {
      await client.kill();
      throw e;
    }
    return client;
  }

  get crashed(): boolean {
    return this.exitInfo !== undefined && !this.shuttingDown;
  }

  /** Fails when the server process has exited on its own. */
  assertAlive(): void {
    assert.ok(
      !this.exitInfo,
      `the server exited (code ${this.exitInfo?.code}, signal ${this.exitInfo?.signal}); stderr:\n${this.stderr}`,
    );
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when `check` returns a value, re-checking on every message; fails on timeout or crash. */
  private waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.exitInfo) {
          done();
          reject(new Error(`the server exited while waiting for ${what}; stderr:\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(listener);
      listener();
    });
  }

  /** A position in the diagnostics log: `waitForDiagnostics(uri, { since })` looks only after it. */
  mark(): number {
    return this.diagnosticsLog.length;
  }

  /**
   * The first diagnostics push for `uri` (after `since`, for `version`, accepted by `predicate`).
   * Without `version` or `since`, the latest push already received counts.
   */
  waitForDiagnostics(
    uri: string,
    versionOrOpts: number | WaitOptions = {},
  ): Promise<PublishDiagnosticsParams> {
    const opts: WaitOptions = typeof versionOrOpts === 'number' ? { version: versionOrOpts } : versionOrOpts;
    const since = opts.since ?? 0;
    const matches = (p: PublishDiagnosticsParams) =>
      p.uri === uri &&
      (opts.version === undefined || p.version === opts.version) &&
      (!opts.predicate || opts.predicate(p));
    return this.waitFor(
      () => {
        if (opts.version === undefined && opts.since === undefined) {
          for (let i = this.diagnosticsLog.length - 1; i >= 0; i--) {
            const p = this.diagnosticsLog[i]!;
            if (p.uri === uri) return matches(p) ? p : undefined;
          }
          return undefined;
        }
        return this.diagnosticsLog.slice(since).find(matches);
      },
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      `diagnostics for ${uri}${opts.version !== undefined ? ` version ${opts.version}` : ''}`,
    );
  }

  /** Resolves on the n-th (1-based) workspace/configuration request. */
  waitForConfigurationRequest(n = 1, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ConfigurationParams> {
    return this.waitFor(
      () => this.configurationRequests[n - 1],
      timeoutMs,
      `workspace/configuration request #${n}`,
    );
  }

  /** Resolves on the first server->client request of `method` after index `since`. */
  waitForServerRequest(method: string, since = 0, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerRequestLog> {
    return this.waitFor(
      () => this.serverRequests.slice(since).find((r) => r.method === method),
      timeoutMs,
      `a ${method} request from the server`,
    );
  }

  /** A request with a timeout; rejects with the server's ResponseError on error. */
  request<R>(
    method: string,
    params: unknown,
    token?: CancellationToken,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<R> {
    this.assertAlive();
    const p = token
      ? this.connection.sendRequest<R>(method, params, token)
      : this.connection.sendRequest<R>(method, params);
    return withTimeout(p, timeoutMs, `${method}`);
  }

  sendNotification(method: string, params: unknown): void {
    this.assertAlive();
    void this.connection.sendNotification(method, params);
  }

  // ---- text document synchronisation ----

  /** didOpen; returns the version sent. */
  open(uri: string, text: string, version = 1, languageId = LANGUAGE_ID): number {
    this.versions.set(uri, version);
    this.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return version;
  }

  /** didOpen, then the first diagnostics push for that version. */
  async openAndWait(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    const since = this.mark();
    this.open(uri, text, version);
    return this.waitForDiagnostics(uri, { version, since });
  }

  /**
   * The diagnostics a fresh open of `text` as `freshUri` gets, with `freshUri` written as `uri` (their
   * related locations name their document): what `uri` must show after edits that made that text.
   */
  async freshDiagnostics(uri: string, freshUri: string, text: string): Promise<Diagnostic[]> {
    const fresh = await this.openAndWait(freshUri, text);
    return JSON.parse(JSON.stringify(fresh.diagnostics).split(freshUri).join(uri)) as Diagnostic[];
  }

  /** didChange with the full text or incremental changes; returns the new version. */
  change(uri: string, change: string | TextDocumentContentChangeEvent[], version?: number): number {
    const v = version ?? (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, v);
    const contentChanges = typeof change === 'string' ? [{ text: change }] : change;
    this.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges });
    return v;
  }

  /** didChange, then the diagnostics push for the new version. */
  async changeAndWait(
    uri: string,
    change: string | TextDocumentContentChangeEvent[],
  ): Promise<PublishDiagnosticsParams> {
    const since = this.mark();
    const version = this.change(uri, change);
    return this.waitForDiagnostics(uri, { version, since });
  }

  close(uri: string): void {
    this.versions.delete(uri);
    this.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  version(uri: string): number | undefined {
    return this.versions.get(uri);
  }

  /** workspace/didChangeConfiguration. */
  changeConfiguration(settings: unknown): void {
    this.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  // ---- requests ----

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position });
  }

  inlayHints(uri: string, range: Range): Promise<InlayHint[] | null> {
    return this.request('textDocument/inlayHint', { textDocument: { uri }, range });
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.request('textDocument/documentSymbol', { textDocument: { uri } });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.request('textDocument/codeLens', { textDocument: { uri } });
  }

  definition(uri: string, position: Position): Promise<Definition | LocationLink[] | null> {
    return this.request('textDocument/definition', { textDocument: { uri }, position });
  }

  references(uri: string, position: Position, includeDeclaration = true): Promise<Location[] | null> {
    return this.request('textDocument/references', {
      textDocument: { uri },
      position,
      context: { includeDeclaration },
    });
  }

  highlights(uri: string, position: Position): Promise<DocumentHighlight[] | null> {
    return this.request('textDocument/documentHighlight', { textDocument: { uri }, position });
  }

  foldingRanges(uri: string): Promise<FoldingRange[] | null> {
    return this.request('textDocument/foldingRange', { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[] | null> {
    return this.request('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics },
    });
  }

  /** A cancellation source for `request(..., token)`. */
  static cancellation(): CancellationTokenSource {
    return new CancellationTokenSource();
  }

  // ---- shutdown ----

  /**
   * shutdown + exit, then waits for the process to end. Fails if the server had crashed before, did
   * not answer shutdown, or did not exit with code 0; kills it in every case.
   */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    try {
      this.assertAlive();
      const r = await this.request<unknown>('shutdown', null, undefined, timeoutMs);
      assert.equal(r ?? null, null, 'shutdown answers null');
      this.shuttingDown = true;
      void this.connection.sendNotification('exit');
      await withTimeout(this.exited, timeoutMs, 'the server to exit after `exit`');
      assert.equal(this.exitInfo?.code, 0, `exit code after shutdown + exit (stderr: ${this.stderr})`);
    } finally {
      await this.kill();
    }
  }

  /** Ends the process now (no protocol) and waits for it. Safe to call twice. */
  async kill(): Promise<void> {
    this.shuttingDown = true;
    if (!this.exitInfo) {
      this.child.kill('SIGKILL');
      await withTimeout(this.exited, 5_000, 'the killed server to exit').catch(() => undefined);
    }
    this.connection.dispose();
    live.delete(this);
  }

  /** Synchronous kill for process exit. */
  killNow(): void {
    if (!this.exitInfo) this.child.kill('SIGKILL');
  }
}

function pick(settings: unknown, section: string): unknown {
  let cur: unknown = settings;
  for (const k of section
    .replace(/^packetTrace\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (!cur || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur ?? null;
}

// ---- text helpers ----

/** A file:// uri for a (possibly fictitious) path. */
export function fileUri(p: string): string {
  return `file://${p.split('/').map(encodeURIComponent).join('/')}`;
}

/** Offsets of line starts for LF, CRLF or CR text. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (ch === 10) starts.push(i + 1);
  }
  return starts;
}

export function offsetAt(text: string, pos: Position, starts = lineStarts(text)): number {
  if (pos.line >= starts.length) return text.length;
  const start = starts[pos.line]!;
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! : text.length;
  // The character may not run past the line's end (its line break excluded).
  let end = next;
  if (pos.line + 1 < starts.length) {
    end = text[next - 1] === '\n' && text[next - 2] === '\r' ? next - 2 : next - 1;
  }
  return Math.min(start + pos.character, end);
}

/** Applies LSP text edits (non-overlapping, as the spec requires) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const spans = edits
    .map((e, i) => ({
      start: offsetAt(text, e.range.start, starts),
      end: offsetAt(text, e.range.end, starts),
      text: e.newText,
      i,
    }))
    .sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** The edits of a WorkspaceEdit for one document (`changes` or `documentChanges`). */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  const out: TextEdit[] = [...(edit.changes?.[uri] ?? [])];
  for (const dc of edit.documentChanges ?? []) {
    if ('textDocument' in dc && dc.textDocument.uri === uri)
      for (const e of dc.edits) if ('range' in e) out.push(e);
  }
  return out;
}

/** The lines of a text, split like the server splits them (LF, CRLF or CR). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * The position of the `occurrence`-th `needle` on `line` (0-based), plus `offset` characters: where a
 * user would put the cursor to hover that token.
 */
export function posOf(lines: string[], line: number, needle: string, offset = 0, occurrence = 1): Position {
  const text = lines[line];
  assert.ok(text !== undefined, `line ${line} exists`);
  let at = -1;
  for (let k = 0; k < occurrence; k++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' (#${k + 1}) on line ${line}: ${text}`);
  }
  return { line, character: at + offset };
}

/** Hover markdown as plain text: markdown escapes removed, `**` and backticks dropped. */
export function hoverText(h: Hover | null): string {
  assert.ok(h, 'a hover is expected');
  const c = h.contents;
  const raw =
    typeof c === 'string'
      ? c
      : Array.isArray(c)
        ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n')
        : c.value;
  return raw
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/`/g, '');
}

/** Raw hover markdown. */
export function hoverMarkdown(h: Hover | null): string {
  assert.ok(h, 'a hover is expected');
  const c = h.contents;
  assert.ok(typeof c === 'object' && !Array.isArray(c) && 'kind' in c, 'MarkupContent expected');
  return c.value;
}

export function rangeContains(outer: Range, inner: Range): boolean {
  const le = (a: Position, b: Position) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

export function positionIn(range: Range, p: Position): boolean {
  return rangeContains(range, { start: p, end: p });
}

// ---- the CLI, for comparisons ----

export interface CliDiagnostic {
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  message: string;
}

export interface CliConnection {
  id: number;
  client: string;
  server: string;
  firstLine: number;
  lastLine: number;
  packets: number;
  handshake: string;
  teardown: string;
  zeekState: string;
  history: string;
}

/** `packet-trace check --format json FILE`: the file's report. */
export function cliReport(file: string): { diagnostics: CliDiagnostic[]; connections: CliConnection[] } {
  const r = spawnSync(process.execPath, [CLI_BIN, 'check', '--format', 'json', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `CLI exit status ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as {
    files: Array<{ diagnostics: CliDiagnostic[]; connections: CliConnection[] }>;
  };
  assert.equal(report.files.length, 1);
  return report.files[0]!;
}

/** LSP's DiagnosticSeverity for the CLI's severity words. */
export const SEVERITY_NUMBER = { error: 1, warning: 2, information: 3, hint: 4 } as const;
