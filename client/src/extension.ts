/**
 * The VS Code client: starts the language server over IPC, restarts it after a crash (and says so),
 * registers the commands and the status bar item. All analysis happens in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CAPTURE_SCHEME, registerCaptures, type CaptureApi } from './capture';
import { CONNECTIONS_METHOD, SERVER_NODE_OPTIONS, type ConnectionSummary } from '../../protocol/lsp';
import { LadderManager, type LadderApi } from './ladder/ladderPanel';

export const LANGUAGE_ID = 'packet-trace';

/** What activate() returns, so that tests can reach the running client. */
export interface PacketTraceApi {
  client: LanguageClient;
  /** Resolves when the server has started. */
  ready: Promise<void>;
  /** The connection list of a document, from the server. */
  connections(uri: vscode.Uri): Promise<ConnectionSummary[]>;
  /** The ladder panels: the messages their webviews posted, and a way to feed or send messages. */
  ladder: LadderApi;
  /** Captures opened as traces: how each was rendered (read, shown, cut). */
  captures: CaptureApi;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PacketTraceApi> {
  // First, and synchronously: opening a .pcap activates the extension (onCustomEditor) and VS Code then
  // waits for the custom editor's provider; nothing about captures needs the language server.
  const captures = registerCaptures(context);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_NODE_OPTIONS] },
    },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_NODE_OPTIONS, '--nolazy', '--inspect=6009'] },
    },
  };
  const output = vscode.window.createOutputChannel('Packet Trace');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
      { language: LANGUAGE_ID, scheme: CAPTURE_SCHEME },
    ],
    synchronize: { configurationSection: 'packetTrace' },
    outputChannel: output,
  };
  const lc = new LanguageClient('packetTrace', 'Packet Trace', serverOptions, clientOptions);
  client = lc;

  const ladder = new LadderManager(context.extensionUri, () => lc, output);
  context.subscriptions.push(ladder);

  // The client restarts a crashed server on its own; tell the user, once per restart.
  let running = false;
  let restartingOnRequest = false;
  context.subscriptions.push(
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        if (running && !restartingOnRequest) {
          void vscode.window.showInformationMessage(
            'Packet Trace: the language server stopped unexpectedly and was restarted.',
          );
        }
        running = true;
        restartingOnRequest = false;
        ladder.serverRunning();
      }
    }),
  );

  const status = vscode.window.createStatusBarItem('packetTrace.status', vscode.StatusBarAlignment.Left, 10);
  status.name = 'Packet Trace';
  status.command = 'workbench.actions.view.problems';
  context.subscriptions.push(status, output);

  const connections = async (uri: vscode.Uri): Promise<ConnectionSummary[]> =>
    (await lc.sendRequest<ConnectionSummary[] | null>(CONNECTIONS_METHOD, { uri: uri.toString() })) ?? [];

  const updateStatus = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== LANGUAGE_ID || lc.state !== State.Running) {
      status.hide();
      return;
    }
    try {
      const list = await connections(editor.document.uri);
      const problems = vscode.languages
        .getDiagnostics(editor.document.uri)
        .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning).length;
      status.text = `$(pulse) ${list.length} connection${list.length === 1 ? '' : 's'} · ${problems} problem${problems === 1 ? '' : 's'}`;
      status.tooltip = 'Packet Trace: open the Problems panel';
      status.show();
    } catch {
      status.hide();
    }
  };

  const revealConnection = async (uri?: string, id?: number, line?: number) => {
    const editor = vscode.window.activeTextEditor;
    const target = uri ? vscode.Uri.parse(uri) : editor?.document.uri;
    if (!target) return;
    const doc = await vscode.workspace.openTextDocument(target);
    const shown = await vscode.window.showTextDocument(doc, { preview: false });
    const list = await connections(target);
    const conn =
      list.find((c) => c.id === id) ??
      list.find((c) => line !== undefined && c.firstLine <= line && c.lastLine >= line);
    if (!conn) return;
    const end = doc.lineAt(Math.min(conn.lastLine, doc.lineCount - 1)).range.end;
    shown.selection = new vscode.Selection(new vscode.Position(conn.firstLine, 0), end);
    shown.revealRange(
      new vscode.Range(conn.firstLine, 0, conn.firstLine, 0),
      vscode.TextEditorRevealType.AtTop,
    );
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('packetTrace.revealConnection', revealConnection),
    // The ladder diagram beside the editor: from the lens [uri, id, line], the title button [uri] or
    // the palette (the connection under the cursor).
    vscode.commands.registerCommand('packetTrace.showLadder', (uri?: unknown, id?: unknown, line?: unknown) =>
      ladder.show(uri, id, line),
    ),
    vscode.commands.registerCommand(
      'packetTrace.exportLadder',
      (format?: unknown, to?: unknown, file?: unknown) => ladder.exportCommand(format, to, file),
    ),
    vscode.commands.registerCommand('packetTrace.restartServer', async () => {
      restartingOnRequest = true;
      await lc.restart();
      void vscode.window.showInformationMessage('Packet Trace: language server restarted.');
    }),
    vscode.commands.registerCommand('packetTrace.copyVerdicts', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== LANGUAGE_ID) {
        void vscode.window.showWarningMessage('Packet Trace: open a trace first.');
        return;
      }
      const list = await connections(editor.document.uri);
      const text = list
        .map(
          (c) =>
            `#${c.id} ${c.client} -> ${c.server}: ${c.verdict} (${c.zeekState} ${c.history || '-'}, ${c.packets} packets, line ${c.firstLine + 1})`,
        )
        .join('\n');
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(
        `Packet Trace: copied the verdicts of ${list.length} connection${list.length === 1 ? '' : 's'}.`,
      );
    }),
    vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()),
    vscode.languages.onDidChangeDiagnostics(() => void updateStatus()),
  );

  const ready = lc.start().then(() => void updateStatus());
  try {
    await ready;
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Packet Trace: the language server failed to start: ${e instanceof Error ? e.message : String(e)}`,
    );
    throw e;
  }
  return { client: lc, ready, connections, ladder: ladder.api(), captures };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
