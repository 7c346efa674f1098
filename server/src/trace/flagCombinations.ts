/**
 * Flag combinations no stack sends in normal operation (tcp-analysis-reference.md §4): scanner probes
 * and hand-edited traces. One finding per packet, naming what is wrong.
 */
import { finding, recordSpan } from './findingHelpers';
import type { Connection } from './model';
import { ACK, FIN, PSH, RST, SYN, URG } from './types';

function describe(f: number): string | undefined {
  if (f === 0) return 'no flags at all (a NULL scan probe)';
  if (f & SYN && f & FIN) {
    return 'SYN and FIN together: a segment cannot open and close at once (scanner probe)';
  }
  if (f & SYN && f & RST) return 'SYN and RST together are contradictory';
  if (f & FIN && f & RST) return 'FIN and RST together are inconsistent';
  if ((f & (FIN | PSH | URG)) === (FIN | PSH | URG)) return 'FIN+PSH+URG: an Xmas scan probe';
  if (!(f & ACK) && !(f & RST) && !(f & SYN) && f & (FIN | PSH | URG)) {
    return 'FIN, PSH or URG without ACK: every segment after the handshake carries ACK (RFC 9293 §3.1)';
  }
  return undefined;
}

export function checkFlagCombinations(conn: Connection): void {
  const segments = conn.segments;
  for (let k = 0; k < segments.length; k++) {
    const why = describe(segments.flags(k));
    if (!why) continue;
    const r = segments.at(k).record;
    conn.findings.push(finding('flags.invalid-combination', why, r.flagsSpan ?? recordSpan(r), r));
  }
}
