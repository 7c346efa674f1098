#!/usr/bin/env python3
# The user-space link between the TAP devices tapa and tapb (relay.sh moves them into namespaces):
# each frame waits DELAY_MS +- JITTER_MS (so frames overtake each other) and frames over 60 bytes
# are dropped with probability LOSS. Writes READY_FILE once both devices exist.
#   python3 relay.py DELAY_MS JITTER_MS LOSS SEED READY_FILE
import fcntl, os, struct, select, time, random, heapq, sys
TUNSETIFF = 0x400454ca; IFF_TAP = 0x0002; IFF_NO_PI = 0x1000
def tap(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TAP | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd
delay, jitter, loss, seed = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
a, b = tap('tapa'), tap('tapb')
open(sys.argv[5], 'w').write('ok')
q = []; n = 0
while True:
    timeout = max(0, q[0][0] - time.monotonic()) if q else 0.5
    r, _, _ = select.select([a, b], [], [], timeout)
    now = time.monotonic()
    for fd in r:
        while True:
            try: frame = os.read(fd, 65536)
            except BlockingIOError: break
            out = b if fd == a else a
            if len(frame) > 60 and random.random() < loss: continue
            d = delay + random.uniform(-jitter, jitter)
            n += 1; heapq.heappush(q, (now + d / 1000, n, out, frame))
    now = time.monotonic()
    while q and q[0][0] <= now:
        _, _, out, frame = heapq.heappop(q)
        try: os.write(out, frame)
        except OSError: pass
