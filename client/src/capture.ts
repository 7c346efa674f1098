/**
 * Captures in the editor: a .pcap, .pcapng or .cap file opens as a read-only trace, rendered by the
 * core's capture reader exactly as `tcpdump -nn -r` (or `-tttt -nn`, by setting) prints it, so every
 * feature of a .trace works on it. The capture is read in chunks, with progress for large files, and
 * only as far as its text fits packetTrace.maxFileSizeMB (at most 256 MB): a note ends a cut rendering.
 * A command saves the rendering as a .trace file.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CaptureRenderer } from '../../server/src/trace/capture/index';
import { CAPTURE_CUT_NOTE, CAPTURE_DAMAGED_NOTE } from '../../server/src/trace/parser';

/** Virtual documents holding a capture's rendering: `packet-trace-capture:<path>.trace?<capture uri>`. */
export const CAPTURE_SCHEME = 'packet-trace-capture';
export const CAPTURE_EDITOR = 'packetTrace.capture';
/** The files the custom editor opens (package.json's customEditors selector), by their extension. */
const CAPTURE_FILE = /\.(pcapng|pcap|cap)$/i;
const CHUNK = 1 << 20;
const MB = 1024 * 1024;

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

/**
 * The most text a rendering holds, whatever the settings: a VS Code document is one string, and a
 * JavaScript string cannot pass 2^29 - 24 characters (V8), so a 1 GB capture of small packets (about
 * 1.4 GB of text) could never be shown whole.
 */
export const MAX_RENDERED_MB = 256;
/** Kept free below the limit for the note that ends a cut rendering, so the server analyses that line too. */
const NOTE_ROOM = 1024;

/** How a capture was rendered last: what was read of it and what was shown. */
export interface CaptureRendering {
  /** The capture's size in bytes, and how many of them were read. */
  size: number;
  bytesRead: number;
  /** Packets shown, and the length of their text (UTF-16 code units, before any note). */
  packets: number;
  chars: number;
  /** Set when the text reached the limit: the capture was not read further. */
  cut?: { limitMB: number; bySetting: boolean };
  /** The damage that ended the capture, when it is damaged (before any cut). */
  damaged?: string;
}

/** The limit on a rendering's text, in MB: packetTrace.maxFileSizeMB (0: none) within MAX_RENDERED_MB. */
function renderLimit(): { limitMB: number; bySetting: boolean } {
  const mb = vscode.workspace.getConfiguration('packetTrace').get<number>('maxFileSizeMB');
  if (typeof mb === 'number' && Number.isFinite(mb) && mb > 0 && mb < MAX_RENDERED_MB)
    return { limitMB: mb, bySetting: true };
  return { limitMB: MAX_RENDERED_MB, bySetting: false };
}

/** A file name as a shell word: quoted when it holds anything beyond the usual characters. */
function shellWord(name: string): string {
  return /^[\w.,+@%:=-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/** The command that renders all of a capture into a .trace file, as Save Capture as .trace names it. */
export function renderCommandFor(capture: vscode.Uri): string {
  // eslint-disable-next-line no-control-regex
  const name = (capture.path.split('/').pop() ?? 'capture.pcap').replace(/[\u0000-\u001f\u007f]/g, '?');
  const trace = name.replace(CAPTURE_FILE, '') + '.trace';
  return `packet-trace render ${shellWord(name)} > ${shellWord(trace)}`;
}

/** The `#` line a cut rendering ends with, after the packets shown (as the damaged-capture note is). */
function cutNote(
  capture: vscode.Uri,
  r: CaptureRendering,
  cut: NonNullable<CaptureRendering['cut']>,
): string {
  const most = cut.bySetting
    ? `the most packetTrace.maxFileSizeMB (${cut.limitMB}) allows`
    : 'the most the editor shows of a capture';
  const raise = cut.bySetting ? ' or raise packetTrace.maxFileSizeMB' : '';
  return `${CAPTURE_CUT_NOTE}after packet ${r.packets}: ${(r.chars / MB).toFixed(1)} MB of text is ${most}; for all of it, run \`${renderCommandFor(capture)}\`${raise}\n`;
}

/**
 * Reads a capture in chunks and renders it. Damage ends the text with one `#` note saying where; so does
 * the size limit (renderLimit): the packets that fit are shown, the rest of the file is not read, and the
 * note says how to get all of it.
 */
async function render(
  capture: vscode.Uri,
  token?: vscode.CancellationToken,
): Promise<{ text: string; rendering: CaptureRendering }> {
  const timestamps =
    vscode.workspace.getConfiguration('packetTrace').get<string>('capture.timestamps') === 'datetime'
      ? 'datetime'
      : 'clock';
  const { limitMB, bySetting } = renderLimit();
  // In UTF-8 bytes, which are never fewer than the text's UTF-16 code units.
  const limit = Math.max(0, Math.floor(limitMB * MB) - NOTE_ROOM);
  const renderer = new CaptureRenderer({ timestamps, maxBytes: limit });
  const parts: string[] = [];
  let chars = 0;
  const keep = (t: string) => {
    chars += t.length;
    if (t) parts.push(t);
  };
  const size = (await vscode.workspace.fs.stat(capture)).size;
  let bytesRead = 0;
  const read = async (report: (fraction: number) => void) => {
    const progress = () => report(Math.max(bytesRead / (size || 1), renderer.bytesRendered / (limit || 1)));
    if (capture.scheme === 'file') {
      const fd = await fs.promises.open(capture.fsPath, 'r');
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        while (!renderer.stopped) {
          if (token?.isCancellationRequested) break;
          const { bytesRead: n } = await fd.read(buf, 0, CHUNK, null);
          if (n === 0) break;
          bytesRead += n;
          keep(renderer.push(buf.subarray(0, n)));
          progress();
        }
      } finally {
        await fd.close();
      }
    } else {
      // No streaming through workspace.fs: the file is read whole, but rendered only up to the limit.
      const bytes = await vscode.workspace.fs.readFile(capture);
      bytesRead = bytes.length;
      for (let at = 0; at < bytes.length && !renderer.stopped; at += CHUNK) {
        keep(renderer.push(bytes.subarray(at, at + CHUNK)));
      }
      progress();
    }
    if (!renderer.stopped) keep(renderer.end());
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
        await read((fraction) => {
          const pct = Math.min(100, Math.floor(100 * fraction));
          if (pct > last) progress.report({ increment: pct - last, message: `${pct}%` });
          last = Math.max(last, pct);
        });
      },
    );
  } else {
    await read(() => undefined);
  }
  const rendering: CaptureRendering = { size, bytesRead, packets: renderer.renderedCount, chars };
  if (renderer.stopped) {
    // Damage past the cut is not shown, so it is not reported either.
    rendering.cut = { limitMB, bySetting };
    parts.push(cutNote(capture, rendering, rendering.cut));
  } else if (renderer.problem) {
    rendering.damaged = renderer.problem.message;
    parts.push(`${CAPTURE_DAMAGED_NOTE}after packet ${renderer.packetCount}: ${renderer.problem.message}\n`);
  }
  return { text: parts.join(''), rendering };
}

/** Says that a capture was cut, and offers the ways to all of it. */
function warnCut(capture: vscode.Uri, r: CaptureRendering, cut: NonNullable<CaptureRendering['cut']>): void {
  const command = renderCommandFor(capture);
  const copy = 'Copy Command';
  const settings = 'Open Settings';
  const read = ((100 * r.bytesRead) / (r.size || 1)).toFixed(0);
  void vscode.window
    .showWarningMessage(
      `Packet Trace: ${capture.path.split('/').pop()} is too large to show whole. Its rendering stops after ` +
        `packet ${r.packets}, at ${(r.chars / MB).toFixed(1)} MB of text (${
          cut.bySetting ? `packetTrace.maxFileSizeMB is ${cut.limitMB}` : 'the most the editor shows'
        }); ${read}% of the file was read. For all of it, run ${command}` +
        `${cut.bySetting ? ', or raise packetTrace.maxFileSizeMB' : ''}.`,
      ...(cut.bySetting ? [copy, settings] : [copy]),
    )
    .then((choice) => {
      if (choice === copy) void vscode.env.clipboard.writeText(command);
      else if (choice === settings)
        void vscode.commands.executeCommand('workbench.action.openSettings', 'packetTrace.maxFileSizeMB');
    });
}

class CaptureContent implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The last rendering of each capture, by the capture's URI. */
  readonly renderings = new Map<string, CaptureRendering>();

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const capture = captureUriOf(uri);
    const { text, rendering } = await render(capture, token);
    this.renderings.set(capture.toString(), rendering);
    if (rendering.cut) warnCut(capture, rendering, rendering.cut);
    return text;
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

/**
 * Reopens as captures the capture files shown in the text editor ("not displayed because it is either
 * binary..."). VS Code opens them so when they are opened before the window has registered its
 * extensions' custom editors: the first seconds of a window whose profile has no editor cache yet (a
 * first window, a fresh browser profile in code-server). Its editor resolver then knows only the text
 * editor, whatever the extension does; activation (workspaceContains) comes after that registration,
 * so the tabs opened in those seconds are all there by then. Run once, at activation: a capture the user
 * reopens in the text editor later stays so.
 */
async function reopenCaptureTabs(): Promise<void> {
  const binary = (tab: vscode.Tab): tab is vscode.Tab & { input: vscode.TabInputText } =>
    tab.input instanceof vscode.TabInputText && CAPTURE_FILE.test(tab.input.uri.path);
  const stale = vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs
      .filter(binary)
      .map((tab) => ({ uri: tab.input.uri, group, focus: tab.isActive && group.isActive })),
  );
  for (const { uri, group, focus } of stale) {
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, CAPTURE_EDITOR, {
        viewColumn: group.viewColumn,
        preserveFocus: !focus,
        preview: false,
      });
      // The tab objects of before the opening may be out of date: find the text tab again.
      const old = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter(
          (t) =>
            binary(t) && t.input.uri.toString() === uri.toString() && t.group.viewColumn === group.viewColumn,
        );
      if (old.length) await vscode.window.tabGroups.close(old, true);
    } catch (e) {
      console.error(`Packet Trace: could not reopen ${uri.toString()} as a capture: ${String(e)}`);
    }
  }
}

/** What registerCaptures gives the extension's API (for tests). */
export interface CaptureApi {
  /** How a capture was rendered last (its URI, not the rendering's), while its rendering is open. */
  rendering(capture: vscode.Uri): CaptureRendering | undefined;
  /** What activation does: reopens the captures shown in the text editor as their renderings. */
  reopenCaptureTabs(): Promise<void>;
}

/**
 * Registers the custom editor, the rendered documents' provider and the commands. Synchronous, and the
 * first thing activate() does: opening a capture activates the extension and waits for the provider.
 * Then reopens the captures that the window showed as binary files before it knew the custom editor.
 */
export function registerCaptures(context: vscode.ExtensionContext): CaptureApi {
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
            defaultUri: capture.with({ path: capture.path.replace(CAPTURE_FILE, '') + '.trace' }),
            filters: { Traces: ['trace'] },
          }));
        if (!destination) return undefined;
        await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(doc.getText()));
        return destination;
      },
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const timestamps = e.affectsConfiguration('packetTrace.capture.timestamps');
      const size = e.affectsConfiguration('packetTrace.maxFileSizeMB');
      if (!timestamps && !size) return;
      const limit = renderLimit().limitMB * MB - NOTE_ROOM;
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme !== CAPTURE_SCHEME) continue;
        // A new size limit matters to the renderings it cut, or would cut now.
        const r = content.renderings.get(captureUriOf(doc.uri).toString());
        if (timestamps || !r || r.cut || r.chars > limit) content.refresh(doc.uri);
      }
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === CAPTURE_SCHEME) content.renderings.delete(captureUriOf(doc.uri).toString());
    }),
  );
  void reopenCaptureTabs();
  return { rendering: (capture) => content.renderings.get(capture.toString()), reopenCaptureTabs };
}
