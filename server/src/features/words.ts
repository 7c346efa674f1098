/** Plain-word descriptions shared by hovers, hints, lenses and the ladder. */
import { ACK, AE, CWR, ECE, FIN, PSH, RST, SYN, URG, type Connection } from '../trace/index';

const LETTERS: Array<[number, string, string]> = [
  [FIN, 'F', 'FIN'],
  [SYN, 'S', 'SYN'],
  [RST, 'R', 'RST'],
  [PSH, 'P', 'PSH'],
  [ACK, '.', 'ACK'],
  [URG, 'U', 'URG'],
  [ECE, 'E', 'ECE'],
  [CWR, 'W', 'CWR'],
  [AE, 'e', 'AE'],
];

/** tcpdump's letters for a flag set: `S.`, `FP.`, `none`. */
export function flagLetters(flags: number): string {
  const s = LETTERS.filter(([bit]) => flags & bit)
    .map(([, l]) => l)
    .join('');
  return s || 'none';
}

/** `SYN + ACK`. */
export function flagWords(flags: number): string {
  const s = LETTERS.filter(([bit]) => flags & bit)
    .map(([, , w]) => w)
    .join(' + ');
  return s || 'no flags';
}

export const FLAG_MEANING: Record<string, string> = {
  FIN: 'the sender has no more data to send (it closes its direction; the FIN takes one sequence number)',
  SYN: 'synchronize sequence numbers: open a connection, announcing the initial sequence number (ISN)',
  RST: 'reset: abort the connection at once',
  PSH: 'push: deliver the data to the application without waiting',
  ACK: 'the acknowledgment number is valid',
  URG: 'the urgent pointer is valid',
  ECE: 'ECN-Echo: congestion was signalled (or, on a SYN, ECN capable)',
  CWR: 'congestion window reduced: the sender reacted to ECN-Echo',
  AE: 'accurate ECN',
};

export function verdictWords(c: Connection): string {
  const hs: Record<string, string> = {
    complete: 'handshake complete',
    incomplete: 'handshake incomplete',
    refused: 'connection refused',
    unanswered: 'SYN unanswered',
    missing: 'handshake not captured',
    simultaneous: 'simultaneous open',
    unknown: 'no flags to judge (-q)',
  };
  let td: string;
  const finFirst =
    c.client.finRecord !== undefined &&
    (c.server.finRecord === undefined || c.client.finRecord < c.server.finRecord)
      ? 'client'
      : 'server';
  switch (c.teardown) {
    case 'fin':
      td = `closed by ${finFirst} FIN`;
      break;
    case 'rst': {
      const rstBy =
        c.client.rstRecord !== undefined &&
        (c.server.rstRecord === undefined || c.client.rstRecord < c.server.rstRecord)
          ? 'client'
          : 'server';
      td = c.handshake === 'refused' ? 'RST from server' : `reset by ${rstBy}`;
      break;
    }
    case 'half-closed':
      td = `half-closed by ${finFirst} FIN`;
      break;
    case 'open':
      td = 'still open at the end of the trace';
      break;
    default:
      td = '';
  }
  return td ? `${hs[c.handshake] ?? c.handshake} · ${td}` : (hs[c.handshake] ?? c.handshake);
}

export function formatDuration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 0.001) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (a < 1) return `${(seconds * 1000).toFixed(3)} ms`;
  return `${seconds.toFixed(6)} s`;
}
