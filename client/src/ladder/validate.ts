/**
 * Messages from the ladder webview are untrusted (the page shows trace text): each one is checked
 * against protocol/webview.ts and rebuilt field by field; anything that does not fit is dropped.
 * No `vscode` import, so this is tested without an editor.
 */
import {
  DEFAULT_TOGGLES,
  EXPORT_DESTINATIONS,
  EXPORT_FORMATS,
  type ExportDestination,
  type ExportFormat,
  type FromWebview,
  type LadderToggles,
  type PersistedState,
} from '../../../protocol/webview';

/** Exports bigger than this are refused (a PNG of the largest picture is far below it). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

const isInt = (x: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;

const isString = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;

/**
 * The message as protocol/webview.ts defines it, or undefined. `lineCount` bounds `reveal` lines
 * (the document's line count).
 */
export function validateFromWebview(raw: unknown, lineCount: number): FromWebview | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'reveal':
      if (!isInt(m.line, 0, lineCount - 1)) return undefined;
      if (m.focus !== undefined && typeof m.focus !== 'boolean') return undefined;
      return { type: 'reveal', line: m.line, focus: m.focus === true };
    case 'selectConnection':
      return isInt(m.connection, 0, 10_000_000)
        ? { type: 'selectConnection', connection: m.connection }
        : undefined;
    case 'export': {
      const format = m.format as ExportFormat;
      const destination = m.destination as ExportDestination;
      if (!EXPORT_FORMATS.includes(format) || !EXPORT_DESTINATIONS.includes(destination)) return undefined;
      if (!isString(m.data, MAX_EXPORT_CHARS) || !isInt(m.rows)) return undefined;
      if (m.note !== undefined && !isString(m.note, 1000)) return undefined;
      const picture = format === 'svg' || format === 'png';
      if (picture !== (destination === 'file')) return undefined;
      if (format === 'png' && !/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/.test(m.data)) return undefined;
      if (format === 'svg' && !/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(m.data)) return undefined;
      return {
        type: 'export',
        format,
        destination,
        data: m.data,
        rows: m.rows,
        note: m.note as string | undefined,
      };
    }
    case 'rendered':
      if (
        !isString(m.uri, 10_000) ||
        !isInt(m.version, -1) ||
        !isInt(m.connection) ||
        !isInt(m.arrows) ||
        !isInt(m.rows)
      )
        return undefined;
      if (m.selectedLine !== undefined && !isInt(m.selectedLine)) return undefined;
      return {
        type: 'rendered',
        uri: m.uri,
        version: m.version,
        connection: m.connection,
        arrows: m.arrows,
        rows: m.rows,
        selectedLine: m.selectedLine as number | undefined,
      };
    case 'selected':
      if (m.line !== null && !isInt(m.line)) return undefined;
      return { type: 'selected', line: m.line as number | null };
    case 'error':
      return isString(m.message, 100_000) ? { type: 'error', message: m.message.slice(0, 4000) } : undefined;
    default:
      return undefined;
  }
}

/** State VS Code hands back after a reload: the current version's shape, or undefined. */
export function validatePersistedState(raw: unknown): PersistedState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const s = raw as Record<string, unknown>;
  if (s.v !== 1 || !isString(s.uri, 10_000) || !/^[a-z][a-z0-9+.-]*:/i.test(s.uri)) return undefined;
  if (!isInt(s.connection)) return undefined;
  const toggles: LadderToggles = { ...DEFAULT_TOGGLES };
  if (s.toggles && typeof s.toggles === 'object') {
    const t = s.toggles as Record<string, unknown>;
    for (const k of Object.keys(DEFAULT_TOGGLES) as Array<keyof LadderToggles>)
      if (typeof t[k] === 'boolean') toggles[k] = t[k];
  }
  return {
    v: 1,
    uri: s.uri,
    connection: s.connection,
    scrollTop: typeof s.scrollTop === 'number' && s.scrollTop >= 0 ? s.scrollTop : 0,
    selectedLine: isInt(s.selectedLine) ? s.selectedLine : undefined,
    toggles,
    expanded: Array.isArray(s.expanded) ? s.expanded.filter((x): x is number => isInt(x)).slice(0, 1000) : [],
  };
}
