/**
 * Messages between the VS Code client and the ladder webview, declared once: the client bundle and
 * the webview bundle both compile against this file, so within one VSIX the two sides cannot
 * disagree. Every message has a literal `type`. The webview starts the conversation with `ready`;
 * the client answers with `model`. Messages from the webview are untrusted input: the client
 * validates each one (client/src/ladder/validate.ts) and ignores what does not fit.
 */
import type { LadderModel } from './lsp';

/** The webview panel's viewType, also the key of its serializer. */
export const LADDER_VIEW_TYPE = 'packetTrace.ladder';

/** Text formats go to the clipboard or a new editor; SVG and PNG to a file. */
export type ExportFormat = 'svg' | 'png' | 'mermaid' | 'plantuml' | 'text';
export type ExportDestination = 'file' | 'clipboard' | 'editor';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['svg', 'png', 'mermaid', 'plantuml', 'text'];
export const EXPORT_DESTINATIONS: readonly ExportDestination[] = ['file', 'clipboard', 'editor'];

/** The view switches the webview remembers (persisted, restored after a reload). */
export interface LadderToggles {
  /** Absolute sequence numbers instead of relative ones. */
  absolute: boolean;
  /** Time-proportional vertical axis (idle gaps folded) instead of one row per packet. */
  timeAxis: boolean;
  /** Slant arrows by the one-way delay estimated from the handshake RTT. */
  slant: boolean;
  /** Only packets with findings (hidden runs are counted in place). */
  findingsOnly: boolean;
  /** Hide pure ACKs without findings (counted in the footer). */
  hideAcks: boolean;
  /** Collapse runs of uneventful data and ACKs into one expandable block. */
  collapse: boolean;
}

export const DEFAULT_TOGGLES: LadderToggles = {
  absolute: false,
  timeAxis: false,
  slant: false,
  findingsOnly: false,
  hideAcks: false,
  collapse: true,
};

/**
 * What the webview keeps with `setState` and VS Code hands back after a reload: identifiers and view
 * switches only, never the diagram. `v` changes when the shape does; a mismatch drops the state.
 */
export interface PersistedState {
  v: 1;
  uri: string;
  /** Connection id shown, 0 for all. */
  connection: number;
  scrollTop: number;
  /** 0-based line of the selected packet. */
  selectedLine?: number;
  toggles: LadderToggles;
  /** First lines of the collapsed runs the user expanded. */
  expanded: number[];
}

/**
 * JSON text of a `T`. The model travels as one string: a string crosses postMessage (and VS Code's
 * own hops to the webview) as a copy, where an object graph is serialized field by field; for a
 * 100 000-packet connection the string and one JSON.parse take about a third of the time.
 */
export type JsonOf<T> = string & { readonly __jsonOf?: T };

/**
 * The model as JSON text, without the arrows' empty `findings` and `annotations` lists: nearly every
 * arrow has both empty, and two arrays fewer per arrow make the webview's JSON.parse (most of its
 * first paint on a large connection) about a fifth faster. decodeModel puts them back.
 */
export function encodeModel(model: LadderModel): JsonOf<LadderModel> {
  const arrows = model.arrows.map((a) =>
    a.findings.length || a.annotations.length ? a : { ...a, findings: undefined, annotations: undefined },
  );
  return JSON.stringify({ ...model, arrows }) as JsonOf<LadderModel>;
}

/**
 * The model encodeModel wrote, as text or as its UTF-8 bytes (how the client posts it); untrusted:
 * the caller checks what it uses.
 */
export function decodeModel(data: JsonOf<LadderModel> | ArrayBuffer | ArrayBufferView): LadderModel {
  const text =
    typeof data === 'string'
      ? data
      : new TextDecoder().decode(
          data instanceof ArrayBuffer
            ? new Uint8Array(data)
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        );
  const model = JSON.parse(text) as LadderModel;
  if (model && Array.isArray(model.arrows)) {
    for (const a of model.arrows) {
      if (a && typeof a === 'object') {
        a.findings ??= [];
        a.annotations ??= [];
      }
    }
  }
  return model;
}

/** Client -> webview. */
export type ToWebview =
  /** A (new or updated) model; `cursorLine` selects the arrow of that line when it is first shown. */
  | { type: 'model'; model: JsonOf<LadderModel> | Uint8Array; cursorLine?: number }
  /** The editor's cursor moved to this 0-based line of the trace. */
  | { type: 'cursor'; line: number }
  /** Export the shown range (the webview answers with an `export` message). */
  | { type: 'export'; format: ExportFormat; destination: ExportDestination }
  /** Nothing to draw, and why (the trace was closed, the server is restarting). */
  | { type: 'status'; message: string };

/** Webview -> client. */
export type FromWebview =
  /** The script runs and listens: send the model. */
  | { type: 'ready' }
  /** Reveal and select this 0-based line in the editor; `focus` moves the focus to the editor. */
  | { type: 'reveal'; line: number; focus: boolean }
  /** Show another connection (0: all). */
  | { type: 'selectConnection'; connection: number }
  /** An export's content: text, an SVG document, or a PNG `data:` URL. */
  | {
      type: 'export';
      format: ExportFormat;
      destination: ExportDestination;
      data: string;
      /** Rows in the export, and a note when it holds fewer than were shown (size limits). */
      rows: number;
      note?: string;
    }
  /** A model was drawn (after each new model or view change; tests and logs read it). */
  | {
      type: 'rendered';
      uri: string;
      version: number;
      connection: number;
      arrows: number;
      rows: number;
      selectedLine?: number;
    }
  /** The selected arrow changed (click, keys or the editor's cursor); null: none. */
  | { type: 'selected'; line: number | null }
  /** A script error in the webview, for the output channel. */
  | { type: 'error'; message: string };

export type FromWebviewType = FromWebview['type'];
