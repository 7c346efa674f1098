/**
 * Every diagnostic code the core can report, with its default severity and a one-line description.
 * Codes are stable public API: users filter and re-rank them in settings and CI; never rename one.
 */
import type { Severity } from './types';

export interface CodeInfo {
  severity: Severity;
  /** One line, plain words, for hovers, the README and SARIF rule descriptions. */
  summary: string;
  /** The rule behind the code, in the words of the analysis reference, for hovers. */
  rule: string;
}

export const CODES = {
  'parse.malformed-line': {
    severity: 'error',
    summary: 'A line that starts like a packet but cannot be read.',
    rule: "The line has a timestamp, IP header or endpoints, but the TCP part does not follow tcpdump's grammar.",
  },
  'parse.length-mismatch': {
    severity: 'warning',
    summary: 'The sequence range and the payload length disagree.',
    rule: 'tcpdump prints seq A:B with B = A + length (old form: first:last(len) with last = first + len).',
  },
  'parse.unknown-line': {
    severity: 'information',
    summary: 'A line that is neither a packet, a continuation nor a # comment.',
    rule: 'Notes in a trace start with #; a # block directly above a packet annotates it.',
  },
  'parse.joined-packets': {
    severity: 'warning',
    summary:
      'Several packet lines run together on one line (a paste lost their line breaks): only the first is read.',
    rule: 'tcpdump prints one packet a line; after `length N` comes at most a payload summary, never another time and IP header.',
  },
  'parse.orphan-line': {
    severity: 'information',
    summary: 'An indented continuation line before the first packet.',
    rule: 'Continuation lines (the -v TCP line, hex and ASCII dumps) belong to the packet line above them.',
  },
  'parse.binary-capture': {
    severity: 'error',
    summary: 'The file is a binary pcap/pcapng capture, not tcpdump text.',
    rule: 'Turn a capture into text with `tcpdump -nn -r FILE > FILE.trace`.',
  },
  'parse.utf16-text': {
    severity: 'error',
    summary: 'The file is UTF-16 text read as UTF-8.',
    rule: 'Traces are UTF-8 (or ASCII) text: reopen the file as UTF-16 and save it as UTF-8, or run `iconv -f UTF-16 -t UTF-8`.',
  },
  'parse.binary-file': {
    severity: 'error',
    summary: 'The file is binary data (compressed, an archive, random bytes), not tcpdump text.',
    rule: 'A trace is the text tcpdump prints; compressed files must be decompressed first.',
  },
  'file.too-large': {
    severity: 'information',
    summary: 'The file is larger than `packetTrace.maxFileSizeMB`: only its first part was analysed.',
    rule: 'The editor analyses the lines that fit in the limit; raise the setting (0 = no limit) or use the CLI for the whole file.',
  },
  'capture.damaged': {
    severity: 'error',
    summary: 'The capture this trace was rendered from is damaged: packets after the damage are missing.',
    rule: 'A pcap or pcapng file ended inside a record or had a bad block; every packet before it is shown.',
  },
  'capture.packets-dropped': {
    severity: 'warning',
    summary: "tcpdump's exit counts say the kernel (or the interface) dropped packets: the trace has holes.",
    rule: 'When tcpdump stops it prints `N packets dropped by kernel`; more than none means packets the network carried are missing from the trace, so Wireshark\'s "previous segment not captured" and "ACKed segment that wasn\'t captured" may be the capture\'s loss, not the network\'s.',
  },
  'capture.offload-send': {
    severity: 'information',
    summary:
      'tcpdump printed IPv4 packets as `bad-len 0`: large sends captured on a host that hands TCP segmentation to its network card.',
    rule: 'A host using TCP segmentation offload (TSO/LSO) writes a total length of 0 into the large segments it passes to the card, and a capture on that host sees them so; tcpdump then prints `IP bad-len 0` and decodes nothing. Their bytes are missing from the analysis, so the gaps they leave are not reported as lost segments (Wireshark reads these packets from the frame length). Reported once, on the first such line, with the count.',
  },
  'trace.no-flags': {
    severity: 'information',
    summary: 'The trace was printed with -q: no flags or sequence numbers, so connections cannot be judged.',
    rule: 'tcpdump -q prints only `tcp LEN`; handshake, teardown and sequence checks need the full form.',
  },
  'handshake.bad-ack': {
    severity: 'error',
    summary: "A handshake ACK that does not acknowledge the peer's ISN + 1.",
    rule: "RFC 9293 §3.10.7.3: the SYN-ACK's ack must be the client's ISN + 1, and the third segment's ack the server's ISN + 1.",
  },
  'handshake.unanswered-syn': {
    severity: 'warning',
    summary: 'A SYN that nothing answered by the end of the trace.',
    rule: 'The client sent SYN (and maybe retransmitted it) but no SYN-ACK or RST came back.',
  },
  'handshake.refused': {
    severity: 'information',
    summary: 'The connection was refused: the SYN was answered by RST.',
    rule: 'RFC 9293 §3.10.7.1: a closed port answers a SYN with RST+ACK, ack = ISN + 1 (Zeek REJ).',
  },
  'handshake.incomplete': {
    severity: 'warning',
    summary: 'The SYN-ACK was never followed by a valid final ACK.',
    rule: "The three-way handshake needs the client's ACK of the server's ISN + 1 (RFC 9293 Fig. 6).",
  },
  'handshake.data-before-established': {
    severity: 'warning',
    summary: 'Data sent before the handshake completed.',
    rule: "Data from the client before the server's SYN-ACK (other than TCP Fast Open data on the SYN) cannot be accepted (Zeek data_before_established).",
  },
  'teardown.bad-fin-ack': {
    severity: 'error',
    summary: 'The ACK of a FIN is not FIN seq + 1.',
    rule: 'A FIN occupies one sequence number: the ACK that covers it is exactly FIN seq + 1 (RFC 9293 §3.4, Fig. 12).',
  },
  'teardown.data-after-fin': {
    severity: 'error',
    summary: "New data sent after the sender's own FIN.",
    rule: 'After its FIN, a side may not send new data (RFC 9293 §3.6.1); the peer may (half-close).',
  },
  'teardown.fin-unacked': {
    severity: 'warning',
    summary: 'A FIN that the peer never acknowledged.',
    rule: 'The FIN (and its retransmissions) got no ACK of FIN seq + 1 before the trace ends.',
  },
  'teardown.reset': {
    severity: 'warning',
    summary: 'The connection was aborted with RST.',
    rule: 'RST closes the connection at once, discarding unsent and unacknowledged data (RFC 9293 §3.5.2).',
  },
  'flags.invalid-combination': {
    severity: 'warning',
    summary: 'A flag combination no TCP stack sends in normal operation.',
    rule: 'SYN+FIN, SYN+RST, FIN+RST, no flags at all, FIN+PSH+URG, or FIN/PSH/URG without ACK (Snort, Zeek q/i, Nmap scans).',
  },
  'tcp.retransmission': {
    severity: 'information',
    summary: 'Wireshark: a (suspected) retransmission.',
    rule: 'Data, SYN or FIN whose sequence number is below the next expected one, and which is not a fast or spurious retransmission nor out of order.',
  },
  'tcp.fast-retransmission': {
    severity: 'information',
    summary: 'Wireshark: a (suspected) fast retransmission.',
    rule: 'A retransmission of the segment two or more duplicate ACKs asked for, within 20 ms of the last duplicate ACK.',
  },
  'tcp.spurious-retransmission': {
    severity: 'information',
    summary: 'Wireshark: a (suspected) spurious retransmission.',
    rule: 'A segment all of whose data the receiver had already acknowledged.',
  },
  'tcp.out-of-order': {
    severity: 'warning',
    summary: 'Wireshark: a (suspected) out-of-order segment.',
    rule: 'A segment below the next expected sequence number, seen less than the initial RTT (3 ms if unknown) after the highest one, and not a copy of the latest.',
  },
  'tcp.lost-segment': {
    severity: 'warning',
    summary: 'Wireshark: previous segment(s) not captured.',
    rule: 'The sequence number jumps past bytes never seen in this direction.',
  },
  'tcp.ack-unseen-segment': {
    severity: 'warning',
    summary: "Wireshark: ACKed segment that wasn't captured.",
    rule: 'An ACK for bytes of the other direction that the trace never showed.',
  },
  'tcp.dup-ack': {
    severity: 'information',
    summary: 'Wireshark: duplicate ACK.',
    rule: 'A pure ACK repeating the last ACK number with the same window, at the next expected sequence number.',
  },
  'tcp.zero-window': {
    severity: 'warning',
    summary: 'Wireshark: zero window.',
    rule: 'A segment (not SYN, FIN or RST) advertising a receive window of 0.',
  },
  'tcp.zero-window-probe': {
    severity: 'information',
    summary: 'Wireshark: zero window probe.',
    rule: "One byte sent at the next sequence number while the peer's window is 0.",
  },
  'tcp.zero-window-probe-ack': {
    severity: 'information',
    summary: 'Wireshark: ACK to a zero window probe.',
    rule: 'The pure ACK answering a zero window probe, window still 0.',
  },
  'tcp.window-full': {
    severity: 'warning',
    summary: "Wireshark: the receiver's window is now full.",
    rule: "Data ending exactly at the right edge of the receiver's advertised (scaled) window.",
  },
  'tcp.window-update': {
    severity: 'hint',
    summary: 'Wireshark: window update.',
    rule: 'A pure ACK that only changes the advertised window.',
  },
  'tcp.keep-alive': {
    severity: 'information',
    summary: 'Wireshark: keep-alive.',
    rule: 'Zero or one byte at the next sequence number - 1, with no SYN, FIN or RST.',
  },
  'tcp.keep-alive-ack': {
    severity: 'information',
    summary: 'Wireshark: ACK to a keep-alive.',
    rule: 'The pure ACK answering a keep-alive, with unchanged ack and window.',
  },
  'tcp.port-reused': {
    severity: 'information',
    summary: 'Wireshark: a new connection reuses the ports of an earlier one.',
    rule: 'A SYN with a new ISN on a 4-tuple already seen in the trace.',
  },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export function isKnownCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(CODES, code);
}
