#!/usr/bin/env node
// Loopback traffic for the benchmark's real capture. Run by scripts/bench.mjs through fork() (IPC):
// it listens on 127.0.0.1:PORT and, for each {type:'round'} message, runs a bounded batch of TCP
// conversations against itself, then answers {type:'done', stats}. Only 127.0.0.1 is ever used;
// every loop is bounded in count, and each round in time (it gives up after `deadlineMs`).
//
// Conversations (so the trace has the variety a real capture has):
//  - short connections: handshake, 1-6 request/response exchanges (pipelined now and then), then a
//    client-first FIN, a server-first FIN, a half close (FIN right behind the last request), or an RST;
//  - bulk downloads: the server answers with many small writes (TCP_NODELAY, so many segments);
//  - bulk uploads: the client sends many small writes while the server stops reading now and then, so
//    the receive window shrinks (window updates, sometimes a zero window).
import net from 'node:net';

const PORT = Number(process.argv[2]);
const HOST = '127.0.0.1';
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error('usage: loopback-traffic.mjs PORT (run by scripts/bench.mjs)');
  process.exit(2);
}

// A tiny deterministic PRNG so every run makes the same mix.
let seed = 0x2545f491;
function rand() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const pick = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const FILL = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_'.repeat(2048);
const body = (n) => (n <= 1 ? '\n' : `${FILL.slice(0, n - 1)}\n`);

// ---- server ------------------------------------------------------------------------------------
const live = new Set();
const server = net.createServer((sock) => {
  live.add(sock);
  sock.setNoDelay(true);
  sock.on('close', () => live.delete(sock));
  sock.on('error', () => {});
  let buf = '';
  let uploadLeft = 0;
  let uploadPauseEvery = 0;
  let sinceLastPause = 0;
  sock.on('data', (chunk) => {
    if (uploadLeft > 0) {
      // Bulk upload: swallow bytes, and stop reading for a moment now and then.
      const take = Math.min(uploadLeft, chunk.length);
      uploadLeft -= take;
      sinceLastPause += take;
      if (uploadLeft === 0) sock.write('UPLOADED\n');
      else if (uploadPauseEvery > 0 && sinceLastPause >= uploadPauseEvery) {
        sinceLastPause = 0;
        sock.pause();
        setTimeout(() => sock.resume(), 40);
      }
      return;
    }
    buf += chunk.toString('latin1');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const [cmd, a, b] = line.split(' ');
      if (cmd === 'Q') sock.write(body(Number(a)));
      else if (cmd === 'CLOSE') sock.end();
      else if (cmd === 'DOWN') void download(sock, Number(a), Number(b));
      else if (cmd === 'UP') {
        uploadLeft = Number(a);
        uploadPauseEvery = Number(b);
        sinceLastPause = 0;
        sock.write('GO\n');
      }
    }
  });
  sock.on('end', () => {
    if (!sock.destroyed && sock.writable) sock.end();
  });
});

async function download(sock, total, chunk) {
  const piece = FILL.slice(0, chunk);
  let sent = 0;
  while (sent < total && !sock.destroyed) {
    const n = Math.min(chunk, total - sent);
    sent += n;
    if (!sock.write(n === chunk ? piece : FILL.slice(0, n))) await new Promise((r) => sock.once('drain', r));
    // Yield every few writes so each write leaves as its own segment instead of one big burst.
    if ((sent / chunk) % 16 === 0) await new Promise((r) => setImmediate(r));
  }
}

// ---- client ------------------------------------------------------------------------------------
function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: PORT, host: HOST });
    s.setNoDelay(true);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads until `bytes` bytes (or a line for bytes < 0) have arrived. */
function reader(sock) {
  let have = 0;
  let waiting = null;
  let ended = false;
  sock.on('data', (d) => {
    have += d.length;
    if (waiting && have >= waiting.n) {
      const w = waiting;
      waiting = null;
      have -= w.n;
      w.resolve();
    }
  });
  sock.on('end', () => {
    ended = true;
    if (waiting) waiting.resolve();
  });
  return (n) =>
    new Promise((resolve) => {
      if (have >= n || ended) {
        have = Math.max(0, have - n);
        resolve();
      } else waiting = { n, resolve };
    });
}

const closed = (sock) => new Promise((r) => (sock.destroyed ? r() : sock.once('close', r)));

async function shortConnection(i, stats) {
  const sock = await connect();
  sock.on('error', () => {});
  const want = reader(sock);
  const k = 1 + (i % 6);
  const mode = i % 10;
  for (let q = 0; q < k; q++) {
    const size = rand() < 0.9 ? pick(60, 1400) : pick(4000, 90000);
    const pipelined = mode === 3 && q + 1 < k;
    if (pipelined) {
      const size2 = pick(60, 600);
      sock.write(`Q ${size} ${'h'.repeat(pick(20, 300))}\nQ ${size2} x\n`);
      await want(size + size2);
      q++;
    } else if (mode === 9 && q === k - 1) {
      sock.end(`Q ${size} ${'h'.repeat(pick(20, 300))}\n`); // half close: FIN right behind the request
      await want(size);
    } else {
      sock.write(`Q ${size} ${'h'.repeat(pick(20, 300))}\n`);
      await want(size);
    }
    stats.exchanges++;
  }
  if (mode === 7)
    sock.write('CLOSE\n'); // the server closes first
  else if (mode === 8)
    sock.resetAndDestroy(); // abort with RST
  else if (mode !== 9) sock.end();
  await closed(sock);
  if (mode === 7 && !sock.destroyed) sock.destroy();
  stats.connections++;
}

async function bulkDownload(total, chunk, stats) {
  const sock = await connect();
  sock.on('error', () => {});
  const want = reader(sock);
  sock.write(`DOWN ${total} ${chunk}\n`);
  await want(total);
  sock.end();
  await closed(sock);
  stats.bulk++;
  stats.bulkBytes += total;
}

async function bulkUpload(total, chunk, pauseEvery, stats) {
  const sock = await connect();
  sock.on('error', () => {});
  const want = reader(sock);
  sock.write(`UP ${total} ${pauseEvery}\n`);
  await want(3); // GO\n
  const piece = Buffer.from(FILL.slice(0, chunk), 'latin1');
  let sent = 0;
  while (sent < total && !sock.destroyed) {
    const n = Math.min(chunk, total - sent);
    sent += n;
    if (!sock.write(n === chunk ? piece : piece.subarray(0, n)))
      await new Promise((r) => sock.once('drain', r));
    if ((sent / chunk) % 16 === 0) await new Promise((r) => setImmediate(r));
  }
  await want(9); // UPLOADED\n
  sock.end();
  await closed(sock);
  stats.bulk++;
  stats.bulkBytes += total;
}

async function pool(count, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        await fn(i);
      } catch {
        /* a failed conversation is simply not counted */
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function round(msg) {
  const stats = { connections: 0, exchanges: 0, bulk: 0, bulkBytes: 0, timedOut: false };
  const start = Date.now();
  const work = Promise.all([
    pool(msg.short ?? 0, msg.concurrency ?? 48, (i) => shortConnection(i + (msg.offset ?? 0), stats)),
    pool(msg.bulk ?? 0, msg.bulkConcurrency ?? 2, (i) =>
      i % 2 === 0
        ? bulkDownload(msg.bulkBytes, pick(100, 600), stats)
        : bulkUpload(msg.bulkBytes, pick(100, 600), msg.pauseEvery ?? 262144, stats),
    ),
  ]);
  let timer;
  const deadline = new Promise((r) => (timer = setTimeout(() => r('timeout'), msg.deadlineMs ?? 120000)));
  const how = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (how === 'timeout') {
    stats.timedOut = true;
    for (const s of live) s.destroy();
  }
  stats.ms = Date.now() - start;
  return stats;
}

server.listen(PORT, HOST, () => process.send?.({ type: 'ready' }));
server.on('error', (e) => {
  process.send?.({ type: 'error', message: e.message });
  process.exit(1);
});
process.on('message', async (msg) => {
  if (msg?.type === 'round') process.send?.({ type: 'done', stats: await round(msg) });
  else if (msg?.type === 'stop') {
    server.close();
    for (const s of live) s.destroy();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0));
