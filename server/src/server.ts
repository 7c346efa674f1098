/**
 * The language server: LSP in, core calls out. No analysis logic lives here; every feature is a file
 * in features/. Handlers run through runSafe: a failing handler logs and answers empty, and the
 * server keeps serving.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ResponseError,
  LSPErrorCodes,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type Connection,
  type InitializeResult,
  type Range,
} from 'vscode-languageserver';
import type { TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LineDocument } from './lineDocument';
import {
  CONNECTIONS_METHOD,
  LADDER_METHOD,
  type ConnectionsParams,
  type LadderParams,
} from '../../protocol/lsp';
import { DocumentCache } from './documentCache';
import { codeActions } from './features/codeActions';
import { codeLenses } from './features/codeLens';
import { diagnostics } from './features/diagnostics';
import { foldingRanges } from './features/folding';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { connectionSummaries, ladderModel, ladderText } from './features/ladder';
import { definition, documentHighlights, references } from './features/navigation';
import { documentSymbols } from './features/symbols';
import { DEFAULT_SETTINGS, readSettings, type Settings } from './settings';
import { SizeLimiter } from './sizeLimit';

/**
 * Diagnostics follow typing after a pause as long as the last analysis took, between these bounds:
 * cheap incremental edits show at once, while a large file re-analysed in full waits for a lull.
 */
const MIN_DEBOUNCE_MS = 10;
const MAX_DEBOUNCE_MS = 300;

export function startServer(connection: Connection): void {
  // The change events behind each new version, kept for the incremental path (TextDocuments hands
  // listeners only the new document).
  const lastEdit = new Map<
    string,
    { fromVersion: number; toVersion: number; changes: TextDocumentContentChangeEvent[] }
  >();
  const documents = new TextDocuments<LineDocument>({
    create: (uri, languageId, version, content) => {
      lastEdit.delete(uri);
      return new LineDocument(uri, languageId, version, content);
    },
    update: (doc, changes, version) => {
      lastEdit.set(doc.uri, { fromVersion: doc.version, toVersion: version, changes });
      doc.update(changes, version);
      return doc;
    },
  });
  const cache = new DocumentCache();
  let settings: Settings = DEFAULT_SETTINGS;
  // What the cache analyses is a view of each document: the whole of it, or its first part above the
  // size limit (packetTrace.maxFileSizeMB).
  const limiter = new SizeLimiter();
  const viewOf = (doc: TextDocument) => limiter.view(doc, settings.maxFileSizeMB);
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let canRefreshInlayHints = false;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  async function runSafe<T>(
    label: string,
    empty: T,
    token: CancellationToken | undefined,
    fn: () => T,
  ): Promise<T | ResponseError<void>> {
    if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    try {
      return fn();
    } catch (e) {
      connection.console.error(`${label} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return empty;
    }
  }

  function publish(uri: string): void {
    const doc = documents.get(uri);
    if (!doc) return;
    try {
      const view = viewOf(doc);
      const analysis = cache.findings(view);
      const notice = limiter.notice(view, analysis);
      void connection.sendDiagnostics({
        uri,
        version: doc.version,
        diagnostics: diagnostics({ analysis, uri: view.uri }, settings, notice ? [notice] : []),
      });
      // The rest of the analysis (what the features need) once the diagnostics are on their way,
      // unless a request asks for it first.
      setImmediate(() => completeSafely(view.uri));
    } catch (e) {
      connection.console.error(
        `diagnostics failed for ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [] });
    }
  }

  function completeSafely(uri: string): void {
    try {
      cache.complete(uri);
    } catch (e) {
      connection.console.error(
        `analysis failed for ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }

  function schedule(uri: string, delay: number): void {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        publish(uri);
      }, delay),
    );
  }

  /** New settings; a new size limit changes what each document's analysis sees, so it starts afresh. */
  function applySettings(next: Settings): void {
    if (next.maxFileSizeMB !== settings.maxFileSizeMB) {
      cache.clear();
      limiter.clear();
    }
    settings = next;
  }

  async function refreshSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      const [raw] = await connection.workspace.getConfiguration([{ section: 'packetTrace' }]);
      applySettings(readSettings(raw));
    } catch (e) {
      connection.console.error(`reading settings failed: ${String(e)}`);
    }
  }

  connection.onInitialize((params): InitializeResult => {
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    canRegisterConfiguration = !!params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
    canRefreshInlayHints = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings) applySettings(readSettings(init.settings));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: true,
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'packet-trace-lsp', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'packetTrace' })
        .catch(() => undefined);
    }
    if (canPullConfiguration) {
      void refreshSettings().then(() => documents.all().forEach((d) => publish(d.uri)));
    }
  });

  connection.onDidChangeConfiguration(async (change) => {
    if (canPullConfiguration) await refreshSettings();
    else applySettings(readSettings((change.settings as { packetTrace?: unknown } | undefined)?.packetTrace));
    documents.all().forEach((d) => publish(d.uri));
    if (canRefreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
  });

  documents.onDidOpen((e) => publish(e.document.uri));
  documents.onDidChangeContent((e) => {
    // An edit inside one record is re-analysed at once (only its connection); its diagnostics follow
    // within a few milliseconds. Other edits wait for a pause as long as a full analysis takes.
    // Opening fires this too, after onDidOpen has analysed and published the same version.
    if (cache.isCurrent(e.document)) return;
    let incremental = false;
    try {
      const edit = lastEdit.get(e.document.uri);
      const change =
        edit?.toVersion === e.document.version && edit.changes.length === 1 ? edit.changes[0] : undefined;
      // A document cut at the size limit whose change is inside the cut: the cut view follows it
      // without the whole text (SizeLimiter.edited), and the analysis follows the view's changes.
      const cutEdit = change && limiter.edited(e.document, settings.maxFileSizeMB, edit!.fromVersion, change);
      if (cutEdit) {
        const { view, edits } = cutEdit;
        incremental = edits.every((step, k) =>
          cache.tryEdit(view, k === 0 ? edit!.fromVersion : view.version, step.range, step.text),
        );
        // (A step that went the long way leaves the cache behind the view: analysed again in full.)
        if (!incremental) cache.delete(e.document.uri);
      } else {
        const view = viewOf(e.document);
        // One ranged change of a document analysed whole: only its lines are looked at.
        const range = (change as { range?: Range } | undefined)?.range;
        if (change && range && view === e.document)
          incremental = cache.tryEdit(e.document, edit!.fromVersion, range, change.text);
        if (!incremental) incremental = cache.tryIncremental(view);
      }
    } catch (err) {
      connection.console.error(
        `incremental analysis failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    // After an incremental analysis the diagnostics are ready: publish them as soon as this turn ends.
    const cost = incremental ? 0 : (cache.lastCost.get(e.document.uri) ?? MAX_DEBOUNCE_MS);
    schedule(e.document.uri, incremental ? 0 : Math.min(MAX_DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, cost)));
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
    limiter.delete(e.document.uri);
    lastEdit.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const indexFor = (uri: string) => {
    const doc = documents.get(uri);
    return doc ? cache.get(viewOf(doc)) : undefined;
  };

  connection.onHover((p, token) =>
    runSafe('hover', null, token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? hover(i, p.position.line, p.position.character, settings) : null;
    }),
  );
  connection.languages.inlayHint.on((p, token) =>
    runSafe('inlay hints', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? inlayHints(i, p.range, settings) : [];
    }),
  );
  connection.onDocumentSymbol((p, token) =>
    runSafe('symbols', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? documentSymbols(i) : [];
    }),
  );
  connection.onCodeLens((p, token) =>
    runSafe('code lenses', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? codeLenses(i) : [];
    }),
  );
  connection.onDefinition((p, token) =>
    runSafe('definition', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? definition(i, p.position.line, p.position.character) : [];
    }),
  );
  connection.onReferences((p, token) =>
    runSafe('references', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? references(i, p.position.line) : [];
    }),
  );
  connection.onDocumentHighlight((p, token) =>
    runSafe('highlights', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? documentHighlights(i, p.position.line) : [];
    }),
  );
  connection.onFoldingRanges((p, token) =>
    runSafe('folding', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? foldingRanges(i) : [];
    }),
  );
  connection.onCodeAction((p, token) =>
    runSafe('code actions', [], token, () => {
      const i = indexFor(p.textDocument.uri);
      return i ? codeActions(i, p.range, settings) : [];
    }),
  );
  connection.onRequest(CONNECTIONS_METHOD, (p: ConnectionsParams, token) =>
    runSafe('connections', [], token, () => {
      const i = indexFor(p.uri);
      return i ? connectionSummaries(i) : [];
    }),
  );
  connection.onRequest(LADDER_METHOD, (p: LadderParams, token) =>
    runSafe('ladder', null, token, () => {
      const i = indexFor(p.uri);
      if (!i) return null;
      const model = ladderModel(i, p);
      return p.asText ? ladderText(model) : model;
    }),
  );

  documents.listen(connection);
  connection.listen();
}
