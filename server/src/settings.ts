/**
 * The server's settings (`packetTrace.*`), with defaults. Clients send them through
 * workspace/configuration or didChangeConfiguration; anything missing or malformed falls back.
 */
import { isKnownCode, type Severity } from './trace/index';

export type SeveritySetting = Severity | 'off';

export interface Settings {
  /** Per-code severity overrides (`packetTrace.diagnostics.severity`). */
  severity: Record<string, SeveritySetting>;
  inlayHints: {
    /** State transitions at the end of a line: `client SYN-SENT -> ESTABLISHED`. */
    states: boolean;
    /** The other form of seq/ack beside the printed one (relative beside absolute, or the reverse). */
    numbers: boolean;
    /** The connection number at the start of each packet line. */
    connection: boolean;
  };
  /** Which numbers hovers and hints lead with. */
  numbers: 'relative' | 'absolute';
  /**
   * Above this size (in MB of text) only the first part of a document is analysed, cut at a line
   * break; 0 means no limit (`packetTrace.maxFileSizeMB`).
   */
  maxFileSizeMB: number;
}

export const DEFAULT_SETTINGS: Settings = {
  severity: {},
  inlayHints: { states: true, numbers: true, connection: false },
  numbers: 'relative',
  maxFileSizeMB: 50,
};

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** Reads a settings object of unknown shape, keeping only what is valid. */
export function readSettings(raw: unknown): Settings {
  const s: Settings = structuredClone(DEFAULT_SETTINGS);
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const diag = r.diagnostics as Record<string, unknown> | undefined;
  const sev =
    diag && typeof diag === 'object' ? (diag.severity as Record<string, unknown> | undefined) : undefined;
  if (sev && typeof sev === 'object') {
    for (const [code, value] of Object.entries(sev)) {
      if (isKnownCode(code) && typeof value === 'string' && SEVERITIES.has(value))
        s.severity[code] = value as SeveritySetting;
    }
  }
  const hints = r.inlayHints as Record<string, unknown> | undefined;
  if (hints && typeof hints === 'object') {
    for (const k of ['states', 'numbers', 'connection'] as const)
      if (typeof hints[k] === 'boolean') s.inlayHints[k] = hints[k];
  }
  if (r.numbers === 'absolute' || r.numbers === 'relative') s.numbers = r.numbers;
  const max = r.maxFileSizeMB;
  if (typeof max === 'number' && Number.isFinite(max) && max >= 0) s.maxFileSizeMB = max;
  return s;
}
