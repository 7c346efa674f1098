/**
 * Captures in the editor: a .pcap, .pcapng or .cap file opens as a read-only trace, rendered by the
 * core's capture reader exactly as `tcpdump -nn -r` (or `-tttt -nn`, by setting) prints it, so every
 * feature of a .trace works on it. The capture is read in chunks, with progress for large files; a
 * command saves the rendering as a .trace file.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CaptureRenderer } from '../../server/src/trace/capture/index';
import { CAPTURE_DAMAGED_NOTE } from '../../server/src/trace/parser';

/** Virtual documents holding a capture's rendering: `packet-trace-capture:<path>.trace?<capture uri>`. */
export const CAPTURE_SCHEME = 'packet-trace-capture';
export const CAPTURE_EDITOR = 'packetTrace.capture';
const CHUNK = 1 << 20;

export function renderedUriOf(capture: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({
    scheme: CAPTURE_SCHEME,
    path: `${capture.path}.trace`,
    query: capture.toString(),
  });
}

export function captureUriOf(rendered: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(rendered.query);
}

/** Reads a capture in chunks and renders it; damage ends the text with one `#` note saying where. */
async function render(capture: vscode.Uri, token?: vscode.CancellationToken): Promise<string> {
  const timestamps =
    vscode.workspace.getConfiguration('packetTrace').get<string>('capture.timestamps') === 'datetime'
      ? 'datetime'
      : 'clock';
  const renderer = new CaptureRenderer({ timestamps });
  const parts: string[] = [];
  const size = (await vscode.workspace.fs.stat(capture)).size;
  const read = async (report: (done: number) => void) => {
    if (capture.scheme === 'file') {
      const fd = await fs.promises.open(capture.fsPath, 'r');
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        let done = 0;
        for (;;) {
          if (token?.isCancellationRequested) break;
          const { bytesRead } = await fd.read(buf, 0, CHUNK, null);
          if (bytesRead === 0) break;
          parts.push(renderer.push(buf.subarray(0, bytesRead)));
          done += bytesRead;
          report(done);
        }
      } finally {
        await fd.close();
      }
    } else {
      parts.push(renderer.push(await vscode.workspace.fs.readFile(capture)));
      report(size);
    }
    parts.push(renderer.end());
  };
  if (size > 8 * CHUNK) {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Packet Trace: reading ${capture.path.split('/').pop()}`,
        cancellable: false,
      },
      async (progress) => {
        let last = 0;
        await read((done) => {
          const pct = Math.floor((100 * done) / size);
          if (pct > last) progress.report({ increment: pct - last, message: `${pct}%` });
          last = pct;
        });
      },
    );
  } else {
    await read(() => undefined);
  }
  const problem = renderer.problem;
  if (problem)
    parts.push(`${CAPTURE_DAMAGED_NOTE}after packet ${renderer.packetCount}: ${problem.message}\n`);
  return parts.join('');
}

class CaptureContent implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    return render(captureUriOf(uri), token);
  }

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }
}

/** Opening a capture shows its rendering: the custom editor hands over to the text document at once. */
class CaptureEditor implements vscode.CustomReadonlyEditorProvider {
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.html = '<!DOCTYPE html><html><body>Rendering the capture…</body></html>';
    const doc = await vscode.workspace.openTextDocument(renderedUriOf(document.uri));
    await vscode.window.showTextDocument(doc, { viewColumn: panel.viewColumn, preview: false });
    panel.dispose();
  }
}

export function registerCaptures(context: vscode.ExtensionContext): void {
  const content = new CaptureContent();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(CAPTURE_SCHEME, content),
    vscode.window.registerCustomEditorProvider(CAPTURE_EDITOR, new CaptureEditor(), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('packetTrace.openCapture', async (uri?: vscode.Uri) => {
      const target =
        uri ??
        (await vscode.window.showOpenDialog({ filters: { Captures: ['pcap', 'pcapng', 'cap'] } }))?.[0];
      if (!target) return undefined;
      const doc = await vscode.workspace.openTextDocument(renderedUriOf(target));
      await vscode.window.showTextDocument(doc, { preview: false });
      return doc.uri;
    }),
    vscode.commands.registerCommand(
      'packetTrace.saveCaptureAsTrace',
      async (uri?: vscode.Uri, target?: vscode.Uri) => {
        const rendered = uri ?? vscode.window.activeTextEditor?.document.uri;
        if (!rendered || rendered.scheme !== CAPTURE_SCHEME) {
          void vscode.window.showWarningMessage('Packet Trace: open a capture (.pcap, .pcapng, .cap) first.');
          return undefined;
        }
        const doc = await vscode.workspace.openTextDocument(rendered);
        const capture = captureUriOf(rendered);
        const destination =
          target ??
          (await vscode.window.showSaveDialog({
            defaultUri: capture.with({ path: capture.path.replace(/\.(pcapng|pcap|cap)$/i, '') + '.trace' }),
            filters: { Traces: ['trace'] },
          }));
        if (!destination) return undefined;
        await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(doc.getText()));
        return destination;
      },
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('packetTrace.capture.timestamps')) return;
      for (const doc of vscode.workspace.textDocuments)
        if (doc.uri.scheme === CAPTURE_SCHEME) content.refresh(doc.uri);
    }),
  );
}
