#!/usr/bin/env node
// Traffic for the differential captures (scripts/scenarios/README.md): a server, and a client that
// runs one scenario against it. Run inside network namespaces by veth.sh, router.sh and relay.sh.
//   node traffic.mjs server HOST PORT
//   node traffic.mjs client HOST PORT mixed|bulk|edge|idle
// The client's first line tells the server what to do: UP n [pauseEvery] (read n bytes, pausing),
// DOWN n [write] (send n bytes), ECHO, RST ms, IDLE keepaliveMs closeMs, STALL ms (stop reading).
// A fixed-seed PRNG makes every run the same mix.
import net from 'node:net';
const [mode, host, portS, scenario = 'mixed'] = process.argv.slice(2);
const port = Number(portS);
let seed = 12345;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Writes `total` bytes of `fill` to `socket`, `chunk` at a time, waiting for drain; then `done()`. */
function sendFiller(socket, total, chunk, fill, done) {
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(chunk, total - sent);
      sent += n;
      if (!socket.write(Buffer.alloc(n, fill))) {
        socket.once('drain', pump);
        return;
      }
    }
    done();
  };
  pump();
}

if (mode === 'server') {
  net
    .createServer((s) => {
      s.on('error', () => {});
      let buf = '';
      s.once('data', function first(chunk) {
        buf += chunk.toString('latin1');
        const nl = buf.indexOf('\n');
        if (nl < 0) {
          s.once('data', first);
          return;
        }
        const [cmd, a, b] = buf.slice(0, nl).split(' ');
        const rest = buf.length - nl - 1;
        if (cmd === 'UP') {
          let left = Number(a) - rest;
          const pauseEvery = Number(b) || 0;
          let since = 0;
          s.on('data', (c) => {
            left -= c.length;
            since += c.length;
            if (left <= 0) {
              s.end('DONE\n');
              return;
            }
            if (pauseEvery && since > pauseEvery) {
              since = 0;
              s.pause();
              setTimeout(() => s.resume(), 300);
            }
          });
        } else if (cmd === 'DOWN') {
          sendFiller(s, Number(a), Number(b) || 16384, 97, () => s.end());
        } else if (cmd === 'ECHO') {
          s.on('data', (c) => s.write(c));
          s.on('end', () => s.end());
        } else if (cmd === 'RST') {
          setTimeout(() => s.resetAndDestroy(), Number(a) || 10);
        } else if (cmd === 'IDLE') {
          s.setKeepAlive(true, Number(a) || 1000);
          setTimeout(() => s.end('BYE\n'), Number(b) || 5000);
        } else if (cmd === 'STALL') {
          s.pause();
          setTimeout(
            () => {
              s.resume();
              s.on('data', () => {});
            },
            Number(a) || 3000,
          );
          s.on('end', () => s.end());
        }
      });
    })
    .listen(port, host, () => console.log('listening'));
} else {
  const one = (line, body = 0, opts = {}) =>
    new Promise((resolve) => {
      const s = net.connect({ host, port, ...opts }, () => {
        if (opts.noDelay) s.setNoDelay(true);
        if (opts.keepAlive) s.setKeepAlive(true, opts.keepAlive);
        s.write(line + '\n');
        if (body) {
          sendFiller(s, body, opts.write ?? 8192, 98, () => {
            if (!opts.noEnd) s.end();
          });
        } else if (opts.endAfter) setTimeout(() => s.end(), opts.endAfter);
        if (opts.resetAfter) setTimeout(() => s.resetAndDestroy(), opts.resetAfter);
      });
      s.on('data', () => {});
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => {
        s.destroy();
        resolve();
      }, opts.limit ?? 20000);
    });
  const plans = {
    mixed: async () => {
      const jobs = [];
      for (let i = 0; i < 14; i++) {
        const r = rand();
        if (r < 0.3) {
          const n = 200000 + Math.floor(rand() * 500000);
          jobs.push(
            one(`UP ${n} ${rand() < 0.5 ? 100000 : 0}`, n, { write: 1000 + Math.floor(rand() * 20000) }),
          );
        } else if (r < 0.55)
          jobs.push(
            one(`DOWN ${100000 + Math.floor(rand() * 800000)} ${1000 + Math.floor(rand() * 30000)}`, 0, {
              endAfter: 6000,
              noDelay: true,
            }),
          );
        else if (r < 0.7) jobs.push(one('ECHO', 0, { endAfter: 500 + Math.floor(rand() * 1000) }));
        else if (r < 0.8) jobs.push(one('RST 20'));
        else if (r < 0.9) jobs.push(one('ECHO', 0, { resetAfter: 200 }));
        else jobs.push(one('STALL 2500', 400000, { write: 1000 }));
        await sleep(Math.floor(rand() * 300));
      }
      await Promise.all(jobs);
    },
    bulk: async () => {
      await Promise.all([one('UP 3000000', 3000000), one('DOWN 3000000 65536', 0, { endAfter: 8000 })]);
    },
    edge: async () => {
      const jobs = [];
      // refused: nothing listens on 5002
      jobs.push(
        new Promise((res) => {
          const s = net.connect({ host, port: 5002 });
          s.on('error', res);
          s.on('close', res);
        }),
      );
      // blackhole: the router drops it, SYN retransmissions, give up after 3.5 s
      jobs.push(
        new Promise((res) => {
          const s = net.connect({ host: '10.3.0.1', port: 80 });
          s.on('error', res);
          setTimeout(() => {
            s.destroy();
            res();
          }, 3500);
        }),
      );
      // port reuse: the same client port again and again, the server closing first
      for (let k = 0; k < 4; k++) {
        await new Promise((res) => {
          const s = net.connect({ host, port, localPort: 40000 + (k % 2) }, () => {
            s.write('ECHO\nhello\n');
          });
          s.on('data', () => {});
          s.on('error', () => res());
          s.on('close', () => res());
          setTimeout(() => s.end(), 100);
        });
        await sleep(150);
      }
      // an RST in the middle of a download
      jobs.push(one('DOWN 2000000 30000', 0, { resetAfter: 30, noDelay: true }));
      // half close: the client ends, the server keeps sending
      jobs.push(one('DOWN 300000 5000', 0, { endAfter: 1 }));
      await Promise.all(jobs);
    },
    idle: async () => {
      await Promise.all([
        one('IDLE 1000 5000', 0, { keepAlive: 1000, limit: 7000 }),
        one('STALL 4000', 3000000, { write: 65536, limit: 9000 }),
      ]);
    },
  };
  if (!plans[scenario]) {
    console.error(`traffic.mjs: no scenario ${scenario} (${Object.keys(plans).join(', ')})`);
    process.exit(2);
  }
  await plans[scenario]();
  process.exit(0);
}
