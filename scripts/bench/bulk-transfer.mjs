// One generated bulk transfer of about `n` packets in one connection, as tcpdump -nn prints it: the
// handshake, data from the server with an ACK for every second segment, a lost segment (three
// duplicate ACKs with SACK, then the retransmission) every 2 500 segments, an idle gap every 4 000,
// and an orderly close. The ladder benchmark draws it, and the editor tests open it.
export function bulkTransferTrace(n) {
  const lines = [];
  let t = 43200; // 12:00:00
  const ts = () => {
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const s = t % 60;
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`;
  };
  const C = '10.0.0.1.40000';
  const S = '10.0.0.2.80';
  lines.push(`# A generated bulk transfer of ${n} packets (scripts/bench/bulk-transfer.mjs).`);
  lines.push(
    `${ts()} IP ${C} > ${S}: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`,
  );
  t += 0.0001;
  lines.push(
    `${ts()} IP ${S} > ${C}: Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460,sackOK,TS val 2 ecr 1,nop,wscale 7], length 0`,
  );
  t += 0.0001;
  lines.push(`${ts()} IP ${C} > ${S}: Flags [.], ack 1, win 502, length 0`);
  let seq = 1;
  let packets = 3;
  let k = 0;
  while (packets < n - 3) {
    k++;
    t += 0.00001;
    if (k % 4000 === 0) t += 1.5; // an idle gap
    const end = seq + 1448;
    if (k % 2500 === 0 && packets < n - 12) {
      // Lost before the capture point: the receiver asks three times, then it is resent.
      const lostSeq = seq;
      seq = end;
      const next = seq + 1448;
      lines.push(`${ts()} IP ${S} > ${C}: Flags [.], seq ${seq}:${next}, ack 1, win 509, length 1448`);
      for (let d = 0; d < 3; d++) {
        t += 0.00001;
        lines.push(
          `${ts()} IP ${C} > ${S}: Flags [.], ack ${lostSeq}, win 502, options [nop,nop,sack 1 {${seq}:${next}}], length 0`,
        );
      }
      t += 0.00001;
      lines.push(
        `${ts()} IP ${S} > ${C}: Flags [.], seq ${lostSeq}:${lostSeq + 1448}, ack 1, win 509, length 1448`,
      );
      t += 0.00001;
      lines.push(`${ts()} IP ${C} > ${S}: Flags [.], ack ${next}, win 502, length 0`);
      seq = next;
      packets += 6;
      continue;
    }
    lines.push(`${ts()} IP ${S} > ${C}: Flags [P.], seq ${seq}:${end}, ack 1, win 509, length 1448`);
    seq = end;
    packets++;
    if (k % 2 === 0) {
      t += 0.00001;
      lines.push(`${ts()} IP ${C} > ${S}: Flags [.], ack ${seq}, win 502, length 0`);
      packets++;
    }
  }
  t += 0.0001;
  lines.push(`${ts()} IP ${S} > ${C}: Flags [F.], seq ${seq}, ack 1, win 509, length 0`);
  t += 0.0001;
  lines.push(`${ts()} IP ${C} > ${S}: Flags [F.], seq 1, ack ${seq + 1}, win 502, length 0`);
  t += 0.0001;
  lines.push(`${ts()} IP ${S} > ${C}: Flags [.], ack 2, win 509, length 0`);
  return `${lines.join('\n')}\n`;
}
