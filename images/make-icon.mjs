#!/usr/bin/env node
// Draws images/icon.png (128x128, the Marketplace size): a ladder diagram of the three-way handshake,
// two hosts' timelines and the SYN, SYN-ACK and ACK arrows between them. Plain Node (zlib), no image
// library: `node images/make-icon.mjs` regenerates it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SIZE = 128;
const SS = 4; // supersampling per axis
const N = SIZE * SS;

const BG = [23, 43, 77];
const LINE = [226, 232, 240];
const ARROWS = [
  [56, 189, 248], // SYN
  [250, 204, 21], // SYN-ACK
  [74, 222, 128], // ACK
];

// Coverage-accumulating canvas at SS x resolution, colour per sample.
const px = new Float32Array(N * N * 4); // r, g, b, a

function put(x, y, [r, g, b]) {
  if (x < 0 || y < 0 || x >= N || y >= N) return;
  const i = (y * N + x) * 4;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
  px[i + 3] = 1;
}

function roundedRect(x0, y0, x1, y1, radius, colour) {
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const cx = Math.min(Math.max(x, x0 + radius), x1 - radius);
      const cy = Math.min(Math.max(y, y0 + radius), y1 - radius);
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2) put(x, y, colour);
    }
}

/** A thick segment from (ax, ay) to (bx, by), in icon pixels. */
function segment(ax, ay, bx, by, width, colour) {
  [ax, ay, bx, by, width] = [ax, ay, bx, by, width].map((v) => v * SS);
  const minX = Math.floor(Math.min(ax, bx) - width);
  const maxX = Math.ceil(Math.max(ax, bx) + width);
  const minY = Math.floor(Math.min(ay, by) - width);
  const maxY = Math.ceil(Math.max(ay, by) + width);
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = minY; y <= maxY; y++)
    for (let x = minX; x <= maxX; x++) {
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      const d2 = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2;
      if (d2 <= (width / 2) ** 2) put(x, y, colour);
    }
}

/** An arrow with a filled head at (bx, by). */
function arrow(ax, ay, bx, by, colour) {
  const len = Math.hypot(bx - ax, by - ay);
  const ux = (bx - ax) / len;
  const uy = (by - ay) / len;
  const head = 13;
  segment(ax, ay, bx - ux * head * 0.6, by - uy * head * 0.6, 6, colour);
  // Filled triangle: tip at (bx, by), base `head` back along the shaft.
  const baseX = bx - ux * head;
  const baseY = by - uy * head;
  const px1 = [baseX - uy * 8, baseY + ux * 8];
  const px2 = [baseX + uy * 8, baseY - ux * 8];
  const tri = [
    [bx * SS, by * SS],
    [px1[0] * SS, px1[1] * SS],
    [px2[0] * SS, px2[1] * SS],
  ];
  const xs = tri.map((p) => p[0]);
  const ys = tri.map((p) => p[1]);
  const sign = (p, a, b) => (p[0] - b[0]) * (a[1] - b[1]) - (a[0] - b[0]) * (p[1] - b[1]);
  for (let y = Math.floor(Math.min(...ys)); y <= Math.ceil(Math.max(...ys)); y++)
    for (let x = Math.floor(Math.min(...xs)); x <= Math.ceil(Math.max(...xs)); x++) {
      const p = [x, y];
      const d1 = sign(p, tri[0], tri[1]);
      const d2 = sign(p, tri[1], tri[2]);
      const d3 = sign(p, tri[2], tri[0]);
      const neg = d1 < 0 || d2 < 0 || d3 < 0;
      const pos = d1 > 0 || d2 > 0 || d3 > 0;
      if (!(neg && pos)) put(x, y, colour);
    }
}

roundedRect(0, 0, N, N, 22 * SS, BG);
const left = 30;
const right = 98;
segment(left, 16, left, 112, 6, LINE);
segment(right, 16, right, 112, 6, LINE);
arrow(left + 4, 26, right - 4, 50, ARROWS[0]);
arrow(right - 4, 60, left + 4, 84, ARROWS[1]);
arrow(left + 4, 92, right - 4, 110, ARROWS[2]);

// Downsample to RGBA8.
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++) {
        const i = ((y * SS + sy) * N + (x * SS + sx)) * 4;
        r += px[i] * px[i + 3];
        g += px[i + 1] * px[i + 3];
        b += px[i + 2] * px[i + 3];
        a += px[i + 3];
      }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    raw[o] = a ? Math.round(r / a) : 0;
    raw[o + 1] = a ? Math.round(g / a) : 0;
    raw[o + 2] = a ? Math.round(b / a) : 0;
    raw[o + 3] = Math.round((a / (SS * SS)) * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icon.png');
fs.writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
