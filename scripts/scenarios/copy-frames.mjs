#!/usr/bin/env node
// A capture with some frames seen twice, as a SPAN port or a bridge that passes frames on twice
// shows them: each chosen frame's copy right behind it, the same to the byte, DELAY_US later.
//   node scripts/scenarios/copy-frames.mjs IN.pcap OUT.pcap SHARE SEED [DELAY_US]
// SHARE: the share of frames copied (0 to 1), chosen by a generator seeded with SEED (the same
// arguments give the same capture). Classic pcap only (microsecond or nanosecond, either byte order).
import fs from 'node:fs';

const [input, output, shareText, seedText, delayText = '5'] = process.argv.slice(2);
const share = Number(shareText);
const delayUs = Number(delayText);
if (!output || !(share >= 0 && share <= 1) || !Number.isInteger(Number(seedText)) || !(delayUs >= 0)) {
  console.error('usage: copy-frames.mjs IN.pcap OUT.pcap SHARE(0-1) SEED [DELAY_US]');
  process.exit(2);
}
const bytes = fs.readFileSync(input);
const magic = bytes.readUInt32LE(0);
const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
const nano = magic === 0xa1b23c4d || bytes.readUInt32BE(0) === 0xa1b23c4d;
if (!little && bytes.readUInt32BE(0) !== 0xa1b2c3d4 && !nano) {
  console.error(`copy-frames: ${input} is no classic pcap`);
  process.exit(2);
}
const read = (at) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
let seed = Number(seedText);
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const perSecond = nano ? 1e9 : 1e6;
const parts = [bytes.subarray(0, 24)];
let frames = 0;
let copies = 0;
for (let at = 24; at + 16 <= bytes.length;) {
  const frame = bytes.subarray(at, at + 16 + read(at + 8));
  parts.push(frame);
  frames++;
  if (random() < share) {
    const copy = Buffer.from(frame);
    let seconds = read(at);
    let fraction = read(at + 4) + delayUs * (nano ? 1000 : 1);
    if (fraction >= perSecond) {
      fraction -= perSecond;
      seconds++;
    }
    if (little) {
      copy.writeUInt32LE(seconds, 0);
      copy.writeUInt32LE(fraction, 4);
    } else {
      copy.writeUInt32BE(seconds, 0);
      copy.writeUInt32BE(fraction, 4);
    }
    parts.push(copy);
    copies++;
  }
  at += frame.length;
}
fs.writeFileSync(output, Buffer.concat(parts));
console.log(`${output}: ${frames} frames, ${copies} copied`);
