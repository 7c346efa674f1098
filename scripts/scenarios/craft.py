#!/usr/bin/python3
"""Crafted captures: what kernels never send (or rarely), each with its intended diagnostics.

Like the corpus's crafted captures (../shared/corpus/README.md, kind "crafted"): scapy packets with
realistic headers, options and timing, written as a pcap plus a labels.json that says which
diagnostics the analysis is meant to report on which frames ("expect"), which it may report
("allow"), and each connection's ground truth (handshake, teardown, Zeek conn_state), worked out by
hand from ../shared/docs/tcp-analysis-reference.md. Then

    scripts/scenarios/craft.py OUT [NAME...]
    node scripts/differential.mjs --out OUT --score OUT/*/capture.pcap

renders each with the corpus's eleven tcpdump flag sets, adds tshark's verdicts (oracle.tsv) and
scores the CLI on all of it: flags against tshark, connections and intended diagnostics against the
labels. Needs python3-scapy (apt-get install python3-scapy); not run in CI.
"""
import json
import os
import sys

from scapy.all import IP, TCP, Ether, IPv6, Raw, wrpcap  # noqa: E402

START = 1709294400.0  # 2024-03-01 12:00:00 UTC, as the corpus's crafted captures
CLIENT = ("192.0.2.10", "02:00:00:00:00:0a")
SERVER = ("198.51.100.20", "02:00:00:00:00:14")
CLIENT6 = ("2001:db8::10", "02:00:00:00:00:0a")
SERVER6 = ("2001:db8:1::20", "02:00:00:00:00:14")


class Capture:
    """The frames of one capture, in order, and the clock they are stamped with."""

    def __init__(self):
        self.frames = []
        self.clock = START

    def add(self, pkt, dt):
        self.clock += dt
        pkt.time = round(self.clock, 6)
        self.frames.append(pkt)
        return len(self.frames)  # its frame number


class Side:
    def __init__(self, addr, port, isn, ts):
        self.ip, self.mac = addr
        self.port = port
        self.isn = isn
        self.nxt = isn  # next seq to send
        self.rcv = 0  # next seq expected from the peer (what an ACK carries)
        self.ts = ts
        self.win = 502


class Conn:
    """One TCP connection between CLIENT and SERVER; `send` frames a segment and advances seqs."""

    def __init__(self, cap, cport, sport=80, cisn=1000000, sisn=2000000, ipv6=False):
        self.cap = cap
        self.c = Side(CLIENT6 if ipv6 else CLIENT, cport, cisn, 3000000 + cport)
        self.s = Side(SERVER6 if ipv6 else SERVER, sport, sisn, 7000000 + sport)
        self.ipv6 = ipv6
        self.first = None
        self.last = None
        self.count = 0

    def side(self, who):
        return (self.c, self.s) if who == "c" else (self.s, self.c)

    def send(self, who, flags, dt=0.0002, data=b"", seq=None, ack=None, win=None, opts=None, advance=True):
        me, peer = self.side(who)
        if seq is None:
            seq = me.nxt
        if ack is None:
            ack = me.rcv if "A" in flags else 0
        if win is None:
            win = 64240 if "S" in flags else me.win
        me.ts += int(dt * 1000) + 1
        if opts is None:
            if "S" in flags:
                opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (me.ts, peer.ts if "A" in flags else 0)),
                        ("NOP", None), ("WScale", 7)]
            elif "R" in flags:
                opts = []
            else:
                opts = [("NOP", None), ("NOP", None), ("Timestamp", (me.ts, peer.ts))]
        net = (IPv6(src=me.ip, dst=peer.ip, hlim=64) if self.ipv6
               else IP(src=me.ip, dst=peer.ip, ttl=64, id=(me.ts & 0xFFFF)))
        pkt = (Ether(src=me.mac, dst=peer.mac) / net
               / TCP(sport=me.port, dport=peer.port, flags=flags, seq=seq & 0xFFFFFFFF, ack=ack & 0xFFFFFFFF,
                     window=win, options=opts))
        if data:
            pkt = pkt / Raw(load=data)
        frame = self.cap.add(pkt, dt)
        self.first = self.first or frame
        self.last = frame
        self.count += 1
        if advance:
            end = seq + len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
            if ((end - me.nxt) & 0xFFFFFFFF) < 0x80000000:
                me.nxt = end & 0xFFFFFFFF
            if ((end - peer.rcv) & 0xFFFFFFFF) < 0x80000000 or peer.rcv == 0:
                peer.rcv = end & 0xFFFFFFFF
        return frame

    def handshake(self, rtt=0.004):
        self.send("c", "S", dt=0.1)
        self.send("s", "SA", dt=rtt / 2)
        return self.send("c", "A", dt=rtt / 2)

    def request(self, size=78, reply=1400, segments=1, rtt=0.004):
        """A client request and the server's answer in `segments` segments, each acked."""
        self.send("c", "PA", dt=0.001, data=http_get(size))
        self.send("s", "A", dt=rtt / 2)
        frames = []
        for k in range(segments):
            frames.append(self.send("s", "PA", dt=0.002, data=body(reply, k)))
        self.send("c", "A", dt=rtt / 2)
        return frames

    def close(self, first="c", rtt=0.004):
        """Four-segment close, `first` closing first."""
        other = "s" if first == "c" else "c"
        self.send(first, "FA", dt=0.01)
        self.send(other, "A", dt=rtt / 2)
        self.send(other, "FA", dt=0.001)
        return self.send(first, "A", dt=rtt / 2)

    def label(self, stream, handshake, teardown, zeek):
        return {
            "stream": stream,
            "client": f"{self.c.ip}:{self.c.port}",
            "server": f"{self.s.ip}:{self.s.port}",
            "firstFrame": self.first,
            "lastFrame": self.last,
            "packets": self.count,
            "handshake": handshake,
            "teardown": teardown,
            "zeekState": zeek,
        }


def http_get(size):
    head = b"GET /index.html HTTP/1.1\r\nHost: example.test\r\n"
    return (head + b"X-Pad: " + b"a" * max(0, size - len(head) - 11) + b"\r\n\r\n")[:size]


def body(size, k):
    text = (f"HTTP/1.1 200 OK part {k}\r\n").encode() + b"<p>hello</p>\n" * (size // 13 + 1)
    return text[:size]


SCENARIOS = {}


def scenario(description):
    def wrap(fn):
        SCENARIOS["crafted-" + fn.__name__.replace("_", "-")] = (description, fn)
        return fn
    return wrap


@scenario("The client's third handshake segment acknowledges the server's ISN + 1001 instead of ISN + 1; "
          "the server answers it with RST <SEQ=SEG.ACK> (RFC 9293 §3.10.7.3) and the connection never opens.")
def third_ack_bad(cap):
    a = Conn(cap, 50500)
    a.send("c", "S", dt=0.1)
    a.send("s", "SA", dt=0.002)
    bad = a.send("c", "A", dt=0.002, ack=a.s.isn + 1001)
    rst = a.send("s", "R", dt=0.0001, seq=a.s.isn + 1001, ack=0)
    return ([{"code": "handshake.bad-ack", "frames": [bad]}],
            [{"code": "handshake.incomplete"}, {"code": "teardown.reset", "frames": [rst]}],
            [a.label(0, "incomplete", "rst", "RSTR")])


@scenario("A SYN-ACK acknowledges the client's ISN itself (one short of ISN + 1); the client answers with "
          "RST and tries again from another port, which works.")
def synack_ack_short(cap):
    a = Conn(cap, 50510, cisn=4294967000)
    a.send("c", "S", dt=0.1)
    bad = a.send("s", "SA", dt=0.002, ack=a.c.isn)
    rst = a.send("c", "R", dt=0.0001, seq=a.c.isn, ack=0)
    b = Conn(cap, 50511, cisn=123456789, sisn=987654321)
    b.handshake()
    b.request(segments=2)
    b.close()
    return ([{"code": "handshake.bad-ack", "frames": [bad]}],
            [{"code": "handshake.incomplete"}, {"code": "teardown.reset", "frames": [rst]},
             {"code": "handshake.refused", "frames": [rst]}],
            [a.label(0, "incomplete", "rst", None), b.label(1, "complete", "fin", "SF")])


@scenario("A SYN sent four times (1, 2 and 4 s apart, the same ISN) to a host that never answers, after "
          "one clean connection to another port.")
def unanswered_syn(cap):
    a = Conn(cap, 50520, sport=443)
    a.handshake()
    a.request()
    a.close()
    b = Conn(cap, 50521, sport=8443, cisn=555555)
    syns = [b.send("c", "S", dt=0.5)]
    for dt in (1.0, 2.0, 4.0):
        syns.append(b.send("c", "S", dt=dt, seq=b.c.isn, advance=False))
    return ([{"code": "handshake.unanswered-syn", "frames": syns}], [],
            [a.label(0, "complete", "fin", "SF"), b.label(1, "unanswered", "open", "S0")])


@scenario("A SYN to a closed port answered by RST+ACK (seq 0, ack ISN + 1): a refused connection, and "
          "the retry one second later refused too.")
def refused_retry(cap):
    a = Conn(cap, 50530, sport=5432)
    a.send("c", "S", dt=0.1)
    r1 = a.send("s", "RA", dt=0.0001, seq=0)
    b = Conn(cap, 50531, sport=5432, cisn=777777)
    b.send("c", "S", dt=1.0)
    r2 = b.send("s", "RA", dt=0.0001, seq=0)
    return ([{"code": "handshake.refused", "frames": [r1]}, {"code": "handshake.refused", "frames": [r2]}], [],
            [a.label(0, "refused", "rst", "REJ"), b.label(1, "refused", "rst", "REJ")])


@scenario("The server sends SYN-ACK and retransmits it twice (1 s, 2 s later); the client never sends the "
          "third segment and the capture ends.")
def synack_no_final_ack(cap):
    a = Conn(cap, 50540)
    a.send("c", "S", dt=0.1)
    frames = [a.send("s", "SA", dt=0.002)]
    for dt in (1.0, 2.0):
        frames.append(a.send("s", "SA", dt=dt, seq=a.s.isn, advance=False))
    return ([{"code": "handshake.incomplete", "frames": frames}], [],
            [a.label(0, "incomplete", "open", "S1")])


@scenario("After the client's FIN the server's ACK acknowledges FIN seq + 2 (one past the FIN); both "
          "sides then close normally.")
def fin_ack_past(cap):
    a = Conn(cap, 50550)
    a.handshake()
    a.request(segments=2)
    a.send("c", "FA", dt=0.01)
    bad = a.send("s", "A", dt=0.002, ack=a.c.nxt + 1)
    a.send("s", "FA", dt=0.001, ack=a.c.nxt)
    a.send("c", "A", dt=0.002)
    return ([{"code": "teardown.bad-fin-ack", "frames": [bad]}], [],
            [a.label(0, "complete", "fin", "SF")])


@scenario("The client sends its FIN, then 60 more bytes of data after it; the server acknowledges and "
          "closes.")
def data_after_fin(cap):
    a = Conn(cap, 50560)
    a.handshake()
    a.request()
    a.send("c", "FA", dt=0.01)
    late = a.send("c", "PA", dt=0.001, data=b"late data after the FIN, which the sender may not send.....\r\n")
    a.send("s", "A", dt=0.002)
    a.send("s", "FA", dt=0.001)
    a.send("c", "A", dt=0.002)
    return ([{"code": "teardown.data-after-fin", "frames": [late]}], [],
            [a.label(0, "complete", "fin", "SF")])


@scenario("Two downloads aborted: the server resets the first in the middle of its answer, the client the "
          "second after the first part.")
def resets_mid_transfer(cap):
    a = Conn(cap, 50570)
    a.handshake()
    a.request(segments=3)
    r1 = a.send("s", "RA", dt=0.01)
    b = Conn(cap, 50571, cisn=31337, sisn=4000000000)
    b.handshake()
    b.request(segments=2)
    r2 = b.send("c", "RA", dt=0.05)
    return ([{"code": "teardown.reset", "frames": [r1]}, {"code": "teardown.reset", "frames": [r2]}], [],
            [a.label(0, "complete", "rst", "RSTR"), b.label(1, "complete", "rst", "RSTO")])


@scenario("Port probes to closed ports, each answered by RST+ACK: SYN+FIN, no flags (NULL scan), "
          "FIN+PSH+URG (Xmas), FIN alone, and a SYN+RST that gets no answer.")
def scan_probes(cap):
    expect = []
    allow = []
    for k, flags in enumerate(("SF", "", "FPU", "F")):
        c = Conn(cap, 40000 + k, sport=1000 + k, cisn=100000 * (k + 1))
        probe = c.send("c", flags, dt=0.01, opts=[], win=1024)
        rst = c.send("s", "RA", dt=0.0001, seq=0, opts=[], win=0)
        expect.append({"code": "flags.invalid-combination", "frames": [probe]})
        allow += [{"code": "teardown.reset", "frames": [rst]}, {"code": "handshake.refused", "frames": [rst]}]
    c = Conn(cap, 40009, sport=1009, cisn=999999)
    probe = c.send("c", "SR", dt=0.01, opts=[], win=1024)
    expect.append({"code": "flags.invalid-combination", "frames": [probe]})
    allow += [{"code": "handshake.unanswered-syn", "frames": [probe]}, {"code": "teardown.reset", "frames": [probe]}]
    return expect, allow, []


@scenario("An established connection where the client sends a FIN without the ACK flag (RFC 9293 §3.1: "
          "every segment after the handshake carries ACK); the server acknowledges it and closes.")
def fin_without_ack(cap):
    a = Conn(cap, 50580)
    a.handshake()
    a.request()
    bare = a.send("c", "F", dt=0.01)
    a.send("s", "A", dt=0.002)
    a.send("s", "FA", dt=0.001)
    a.send("c", "A", dt=0.002)
    return ([{"code": "flags.invalid-combination", "frames": [bare]}], [],
            [a.label(0, "complete", "fin", "SF")])


@scenario("Simultaneous close: both FINs cross, each with the old ack, then each side acknowledges the "
          "other's. Nothing here is an error.")
def simultaneous_close(cap):
    a = Conn(cap, 50590)
    a.handshake()
    a.request(segments=2)
    cack, sack = a.c.rcv, a.s.rcv
    a.send("c", "FA", dt=0.01, ack=cack)
    a.send("s", "FA", dt=0.0003, ack=sack)
    a.send("c", "A", dt=0.002)
    a.send("s", "A", dt=0.0001)
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("Half-close: the client sends its request and FIN, the server keeps sending its answer (three "
          "segments, acked) and closes last; then a three-segment close on a second connection, its "
          "server's FIN carrying the last data. Nothing here is an error.")
def half_close_and_fin_with_data(cap):
    a = Conn(cap, 50600)
    a.handshake()
    a.send("c", "PA", dt=0.001, data=http_get(90))
    a.send("c", "FA", dt=0.0001)
    a.send("s", "A", dt=0.002)
    for k in range(3):
        a.send("s", "PA", dt=0.002, data=body(1200, k))
        a.send("c", "A", dt=0.002)
    a.send("s", "FA", dt=0.01)
    a.send("c", "A", dt=0.002)
    b = Conn(cap, 50601, cisn=2222222, sisn=3333333)
    b.handshake()
    b.send("c", "PA", dt=0.001, data=http_get(70))
    b.send("s", "A", dt=0.002)
    b.send("s", "FPA", dt=0.003, data=body(600, 0))
    b.send("c", "FA", dt=0.002)
    b.send("s", "A", dt=0.002)
    return [], [], [a.label(0, "complete", "fin", "SF"), b.label(1, "complete", "fin", "SF")]


@scenario("TCP Fast Open: the SYN carries a cookie and 60 bytes of request; the SYN-ACK acknowledges "
          "ISN + 61 (the data too), as RFC 7413 says. Nothing here is an error.")
def fast_open(cap):
    a = Conn(cap, 50610)
    me = a.c
    opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (me.ts, 0)), ("NOP", None), ("WScale", 7),
            ("NOP", None), ("NOP", None), (34, b"\x8a\x9b\x0c\x1d\x2e\x3f\x40\x51")]
    a.send("c", "S", dt=0.1, data=http_get(60), opts=opts)
    a.send("s", "SA", dt=0.002)
    a.send("s", "PA", dt=0.0005, data=body(800, 0))
    a.send("c", "A", dt=0.002)
    a.close()
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("The client's SYN is retransmitted (1 s) before the SYN-ACK comes; the SYN-ACK is sent again "
          "(its ACK was slow) and acked again; then a normal exchange. Nothing here is an error.")
def retransmitted_handshake(cap):
    a = Conn(cap, 50620)
    a.send("c", "S", dt=0.1)
    a.send("c", "S", dt=1.0, seq=a.c.isn, advance=False)
    a.send("s", "SA", dt=0.002)
    a.send("s", "SA", dt=1.0, seq=a.s.isn, advance=False)
    a.send("c", "A", dt=0.002)
    a.send("c", "A", dt=0.0005)
    a.request(segments=2)
    a.close(first="s")
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("A client port reused: a connection closed with FIN, then 30 s later a new SYN with a new ISN "
          "on the same 4-tuple starts a second connection, which ends with the client's RST.")
def port_reuse(cap):
    a = Conn(cap, 50630)
    a.handshake()
    a.request()
    a.close()
    b = Conn(cap, 50630, cisn=a.c.isn + 5000000, sisn=a.s.isn + 9000000)
    b.send("c", "S", dt=30.0)
    b.send("s", "SA", dt=0.002)
    b.send("c", "A", dt=0.002)
    b.request()
    rst = b.send("c", "RA", dt=0.05)
    return ([{"code": "teardown.reset", "frames": [rst]}], [],
            [a.label(0, "complete", "fin", "SF"), b.label(1, "complete", "rst", "RSTO")])


@scenario("IPv6, and sequence numbers that wrap: the client's ISN is 2^32 - 1, so the SYN-ACK "
          "acknowledges 0 and the request crosses 2^32; the server's third segment then acknowledges "
          "one byte past its ISN + 1 and gets RST. Only that ACK is wrong.")
def ipv6_wrap_third_ack(cap):
    a = Conn(cap, 50640, cisn=0xFFFFFFFF, sisn=0xFFFFFF00, ipv6=True)
    a.handshake()
    a.request(size=300, reply=1200, segments=3)
    a.close()
    b = Conn(cap, 50641, cisn=0xFFFFFFF0, sisn=0xFFFFFFFF, ipv6=True)
    b.send("c", "S", dt=0.5)
    b.send("s", "SA", dt=0.002)
    bad = b.send("c", "A", dt=0.002, ack=b.s.isn + 2)
    rst = b.send("s", "R", dt=0.0001, seq=b.s.isn + 2, ack=0)
    return ([{"code": "handshake.bad-ack", "frames": [bad]}],
            [{"code": "handshake.incomplete"}, {"code": "teardown.reset", "frames": [rst]}],
            [a.label(0, "complete", "fin", "SF"), b.label(1, "incomplete", "rst", "RSTR")])


@scenario("The server closes first and its FIN is never acknowledged: sent again 0.3, 0.6 and 1.2 s later "
          "while the client stays silent, and the capture ends.")
def server_fin_unacked(cap):
    a = Conn(cap, 50650)
    a.handshake()
    a.request(segments=2)
    fins = [a.send("s", "FA", dt=0.02)]
    for dt in (0.3, 0.6, 1.2):
        fins.append(a.send("s", "FA", dt=dt, seq=a.s.nxt - 1, advance=False))
    return ([{"code": "teardown.fin-unacked", "frames": fins}], [],
            [a.label(0, "complete", "half-closed", "S3")])


@scenario("A three-segment close whose server FIN+ACK acknowledges the client's FIN seq + 2; the "
          "client's last ACK is right.")
def fin_ack_past_three_way(cap):
    a = Conn(cap, 50660)
    a.handshake()
    a.request()
    a.send("c", "FA", dt=0.01)
    bad = a.send("s", "FA", dt=0.002, ack=a.c.nxt + 1)
    a.send("c", "A", dt=0.002)
    return ([{"code": "teardown.bad-fin-ack", "frames": [bad]}], [],
            [a.label(0, "complete", "fin", "SF")])


@scenario("The client closes with FIN; the server, instead of closing too, resets the connection.")
def rst_after_fin(cap):
    a = Conn(cap, 50670)
    a.handshake()
    a.request()
    a.send("c", "FA", dt=0.01)
    a.send("s", "A", dt=0.002)
    rst = a.send("s", "RA", dt=0.05)
    return ([{"code": "teardown.reset", "frames": [rst]}], [],
            [a.label(0, "complete", "rst", "RSTR")])


@scenario("A single SYN, never retransmitted and never answered, at the end of a capture of one clean "
          "connection.")
def lone_syn(cap):
    a = Conn(cap, 50680, sport=22)
    a.handshake()
    a.request(segments=1)
    a.close(first="s")
    b = Conn(cap, 50681, sport=25, cisn=424242)
    syn = b.send("c", "S", dt=0.2)
    return ([{"code": "handshake.unanswered-syn", "frames": [syn]}], [],
            [a.label(0, "complete", "fin", "SF"), b.label(1, "unanswered", "open", "S0")])


@scenario("Odd flags inside an established connection: a PSH with data but without ACK, then a "
          "FIN+RST+ACK that ends the connection.")
def odd_flags_mid_connection(cap):
    a = Conn(cap, 50690)
    a.handshake()
    a.request()
    push = a.send("c", "P", dt=0.01, data=http_get(64))
    a.send("s", "A", dt=0.002)
    finrst = a.send("c", "FRA", dt=0.05)
    return ([{"code": "flags.invalid-combination", "frames": [push]},
             {"code": "flags.invalid-combination", "frames": [finrst]}],
            [{"code": "teardown.reset", "frames": [finrst]}],
            [a.label(0, "complete", "rst", None)])


@scenario("The client sends 100 bytes (PSH+ACK, ack 0) right after its SYN, before any SYN-ACK; the "
          "handshake then completes and the data is sent again.")
def data_before_synack(cap):
    a = Conn(cap, 50700)
    a.send("c", "S", dt=0.1)
    early = a.send("c", "PA", dt=0.0005, data=http_get(100), ack=0)
    a.send("s", "SA", dt=0.002, ack=a.c.isn + 1)
    a.c.nxt = a.c.isn + 1
    a.s.rcv = a.c.isn + 1
    a.send("c", "A", dt=0.002)
    a.request(size=100)
    a.close()
    return ([{"code": "handshake.data-before-established", "frames": [early]}], [],
            [a.label(0, "complete", "fin", "SF")])


@scenario("Wireshark's sequence analysis on one download: a segment lost and fast-retransmitted after "
          "three duplicate ACKs with SACK blocks, a segment reordered within 1 ms, one resent after it "
          "was acknowledged (spurious), the receiver's window filled and then closed (zero window, a "
          "one-byte Windows-style probe, its ACK, a window update), and a one-byte keep-alive with its "
          "ACK after 10 s idle. Nothing here is a handshake, teardown or flags error.")
def sequence_analysis_mix(cap):
    a = Conn(cap, 50710)
    a.handshake(rtt=0.02)
    a.send("c", "PA", dt=0.001, data=http_get(80))
    a.send("s", "A", dt=0.01)
    seg = 1000
    base = a.s.nxt

    def data(k, dt=0.0005, **kw):
        return a.send("s", "PA", dt=dt, seq=base + k * seg, data=body(seg, k), **kw)

    def ack(upto, sack=None, dt=0.0002, win=None):
        opts = [("NOP", None), ("NOP", None), ("Timestamp", (a.c.ts + 1, a.s.ts))]
        if sack:
            opts = opts + [("NOP", None), ("NOP", None), ("SAck", sack)]
        return a.send("c", "A", dt=dt, ack=upto, opts=opts, win=win)

    for k in range(2):
        data(k)
    ack(base + 2 * seg)
    # k = 2 lost; 3, 4, 5 arrive and are SACKed; fast retransmission of 2.
    for k in (3, 4, 5):
        data(k, advance=k == 5)
        ack(base + 2 * seg, sack=(base + 3 * seg, base + (k + 1) * seg))
    data(2, dt=0.001, advance=False)
    ack(base + 6 * seg, dt=0.01)
    # 6 and 7 swapped (7 first, 6 within 1 ms): out of order.
    data(7)
    data(6, dt=0.0003, advance=False)
    ack(base + 8 * seg, dt=0.01)
    # 7 again after it was acknowledged: spurious.
    data(7, dt=0.05, advance=False)
    ack(base + 8 * seg, dt=0.0005)
    # The receiver's window (raw 24, scale 7: 3072 bytes) filled by 8, 9 and 10 (1072 bytes).
    a.c.win = 24
    ack(base + 8 * seg, dt=0.05, win=24)
    data(8)
    data(9)
    a.send("s", "PA", dt=0.0005, seq=base + 10 * seg, data=body(1072, 10))
    end = base + 10 * seg + 1072
    ack(end, dt=0.01, win=0)
    a.send("s", "A", dt=0.3, seq=end, data=b"x")
    ack(end, dt=0.001, win=0)
    ack(end, dt=0.5, win=200)
    a.send("s", "PA", dt=0.002, seq=end, data=body(500, 11))
    ack(end + 500, dt=0.01, win=200)
    # Idle, then a keep-alive (one byte at next seq - 1) and its answer.
    a.send("s", "A", dt=10.0, seq=end + 499, data=b"\0", advance=False)
    ack(end + 500, dt=0.0003, win=200)
    a.s.nxt = end + 500
    a.s.rcv = a.c.nxt
    a.c.rcv = end + 500
    a.close(first="s")
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("Normal things that look odd: the client's final ACK of a four-segment close is lost, so the "
          "server resends its FIN 0.2 s later and the client (in TIME-WAIT) acknowledges it again; on a "
          "second connection the third handshake segment is lost and the client's request carries the "
          "ACK, after the server resent its SYN-ACK. Nothing here is an error.")
def lost_final_acks(cap):
    a = Conn(cap, 50720)
    a.handshake()
    a.request()
    a.send("c", "FA", dt=0.01)
    a.send("s", "A", dt=0.002)
    a.send("s", "FA", dt=0.001)
    a.send("c", "A", dt=0.002)
    a.send("s", "FA", dt=0.2, seq=a.s.nxt - 1, advance=False)
    a.send("c", "A", dt=0.002)
    b = Conn(cap, 50721, cisn=60606, sisn=70707)
    b.send("c", "S", dt=0.3)
    b.send("s", "SA", dt=0.002)
    b.send("s", "SA", dt=1.0, seq=b.s.isn, advance=False)
    b.request()
    b.close()
    return [], [], [a.label(0, "complete", "fin", "SF"), b.label(1, "complete", "fin", "SF")]


@scenario("A blind reset: an RST whose seq is inside the receiver's window but not the next expected "
          "one; the receiver answers with a challenge ACK (RFC 5961) and the exchange goes on to a "
          "normal close.")
def challenge_ack(cap):
    a = Conn(cap, 50730)
    a.handshake()
    a.request()
    rst = a.send("s", "R", dt=0.01, seq=a.s.nxt + 5000, ack=0, advance=False)
    a.send("c", "A", dt=0.0002)
    a.request(segments=2)
    a.close()
    # (The corpus's teardown is "rst" once any RST was seen; Zeek too puts the responder in RESET.)
    return [], [{"code": "teardown.reset", "frames": [rst]}], [a.label(0, "complete", "rst", "RSTR")]


@scenario("Simultaneous open over IPv6 between two high ports, the SYN-ACKs in the other order (the "
          "second SYN's sender answers first), the first data from the side whose SYN came second, and "
          "a simultaneous close. Nothing here is an error.")
def simultaneous_open_v6(cap):
    a = Conn(cap, 40100, sport=40200, cisn=9000000, sisn=19000000, ipv6=True)
    a.send("c", "S", dt=0.01)
    a.send("s", "S", dt=0.0001)
    a.c.rcv = a.s.isn + 1
    a.s.rcv = a.c.isn + 1
    a.send("s", "SA", dt=0.0002, seq=a.s.isn, advance=False)
    a.send("c", "SA", dt=0.0001, seq=a.c.isn, advance=False)
    a.send("s", "PA", dt=0.001, data=b"hello from the second SYN\n")
    a.send("c", "A", dt=0.0002)
    a.send("c", "PA", dt=0.0005, data=b"and back\n")
    a.send("s", "A", dt=0.0002)
    cack, sack = a.c.rcv, a.s.rcv
    a.send("c", "FA", dt=0.01, ack=cack)
    a.send("s", "FA", dt=0.0001, ack=sack)
    a.send("c", "A", dt=0.0002)
    a.send("s", "A", dt=0.0001)
    return [], [], [{**a.label(0, "simultaneous", "fin", None)}]


@scenario("Zero-window probing that ends two ways: Windows-style one-byte probes answered with window 0 "
          "until the third is accepted (its ACK covers the byte and opens the window), then a second "
          "stall where the receiver's window update comes before any probe. No handshake, teardown or "
          "flags error; Wireshark, whose next seq a probe never moves, calls the ACK of the accepted "
          "byte an ACK of unseen bytes and the next segment a gap, and so does the analysis.")
def zero_window_probe_accepted(cap):
    a = Conn(cap, 50750, sport=5001, cisn=8100000, sisn=14100000)
    a.handshake()
    a.send("c", "PA", dt=0.001, data=b"GET /big\r\n")
    for k in range(3):
        a.send("s", "A", dt=0.0001, data=body(1460, k))
    a.send("c", "A", dt=0.0003, win=0)
    probe_at = a.s.nxt
    for dt in (0.3, 0.6):
        a.send("s", "A", dt=dt, seq=probe_at, data=b"P", advance=False)
        a.send("c", "A", dt=0.0003, win=0)
    a.send("s", "A", dt=1.2, seq=probe_at, data=b"P")
    a.send("c", "A", dt=0.0003, win=40)
    for k in range(2):
        a.send("s", "A", dt=0.0002, data=body(1460, k + 3))
    a.send("c", "A", dt=0.0003, win=0)
    a.send("c", "A", dt=0.2, win=64)
    a.send("s", "PA", dt=0.0002, data=body(700, 6))
    a.send("c", "A", dt=0.0003, win=64)
    a.close(first="s")
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("A download whose payload is itself tcpdump output, from earlier the same day (a trace pasted "
          "into a web page): in the -A rendering its lines look like packet lines, timestamps and all. "
          "Nothing here is an error.")
def payload_looks_like_trace(cap):
    a = Conn(cap, 50740)
    a.handshake()
    a.send("c", "PA", dt=0.001, data=http_get(78))
    a.send("s", "A", dt=0.002)
    text = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
            b"11:58:00.100000 IP 192.0.2.10.50740 > 198.51.100.20.80: Flags [S], seq 1000000, win 64240, length 0\n"
            b"11:58:00.102000 IP 198.51.100.20.80 > 192.0.2.10.50740: Flags [R.], seq 0, ack 1000001, win 0, length 0\n"
            b"11:58:00.103000 IP 198.51.100.20.80 > 192.0.2.10.50740: Flags [S.], seq 1, ack 7, win 1, length 0\n"
            b"    0x0000:  4500 003c 1c46 4000 4006 b1e6 c0a8 0068  E..<.F@.@......h\n"
            b"# a comment line, and a line that starts like a packet but is not one:\n"
            b"11:58:00.104000 IP garbage\n")
    a.send("s", "PA", dt=0.002, data=text)
    a.send("c", "A", dt=0.002)
    a.close()
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("Legitimate flags that look unusual: a telnet-style urgent byte (URG+PSH+ACK, urgent pointer "
          "1), and ECN: SYN with ECE+CWR, SYN-ACK with ECE, a congestion mark echoed (ACK+ECE) and "
          "answered (CWR). Nothing here is an error.")
def urgent_and_ecn(cap):
    a = Conn(cap, 50760, sport=23)
    a.send("c", "SEC", dt=0.1)
    a.send("s", "SAE", dt=0.002)
    a.send("c", "A", dt=0.002)
    a.send("c", "PA", dt=0.01, data=b"ls -l\r\n")
    a.send("s", "PA", dt=0.002, data=b"total 0\r\n")
    a.send("c", "AE", dt=0.002)
    a.send("s", "PAC", dt=0.003, data=b"$ ")
    a.send("c", "A", dt=0.002)
    pkt_frame = a.send("c", "PAU", dt=0.5, data=b"\xff")
    a.cap.frames[pkt_frame - 1]["TCP"].urgptr = 1
    a.send("s", "A", dt=0.002)
    a.close()
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("A 4-tuple reused after a reset: the client aborts its first connection with RST, and one "
          "second later a new SYN with a new ISN on the same ports opens a second one that closes with "
          "FIN.")
def reuse_after_reset(cap):
    a = Conn(cap, 50770)
    a.handshake()
    a.request()
    rst = a.send("c", "RA", dt=0.02)
    b = Conn(cap, 50770, cisn=a.c.isn + 777777, sisn=a.s.isn + 888888)
    b.send("c", "S", dt=1.0)
    b.send("s", "SA", dt=0.002)
    b.send("c", "A", dt=0.002)
    b.request()
    b.close()
    return ([{"code": "teardown.reset", "frames": [rst]}], [],
            [a.label(0, "complete", "rst", "RSTO"), b.label(1, "complete", "fin", "SF")])


@scenario("The server stops answering mid-download (it crashed): the client's request is retransmitted "
          "with backoff (0.2, 0.4, 0.8, 1.6 s) and, when the server comes back, answered with RST.")
def server_crash(cap):
    a = Conn(cap, 50780)
    a.handshake()
    a.request(segments=2)
    seq = a.c.nxt
    req = http_get(120)
    a.send("c", "PA", dt=0.05, data=req)
    for dt in (0.2, 0.4, 0.8, 1.6):
        a.send("c", "PA", dt=dt, seq=seq, data=req, advance=False)
    rst = a.send("s", "R", dt=0.002, seq=a.c.rcv + 77777, ack=0, advance=False)
    return ([{"code": "teardown.reset", "frames": [rst]}], [],
            [a.label(0, "complete", "rst", "RSTR")])


@scenario("Only one direction captured (asymmetric routing): a whole connection as the client sent it "
          "(SYN, ACK, request, ACKs, FIN, last ACK), then another as only its server sent it (SYN-ACK, "
          "answer, FIN, ACK). Nothing the text shows is an error: what the other side sent is missing, "
          "not wrong.")
def one_direction(cap):
    a = Conn(cap, 50790)
    b = Conn(cap, 50791, cisn=3141592, sisn=2718281)
    for conn, keep in ((a, "c"), (b, "s")):
        start = len(cap.frames)
        conn.handshake()
        conn.request(segments=2)
        conn.close()
        # Drop the other side's frames: the capture point never saw them.
        kept = [f for f in cap.frames[start:] if (f["TCP"].sport == conn.c.port) == (keep == "c")]
        cap.frames[start:] = kept
    return [], [], []


@scenario("Data resent after a FIN, none of it new: a request and a FIN carrying its last bytes, the "
          "request lost and resent after the FIN; then on a second connection a FIN+data segment resent "
          "whole. Wireshark flags the resends; no data comes after a FIN.")
def resent_before_fin(cap):
    a = Conn(cap, 50800)
    a.handshake()
    first = a.c.nxt
    req = http_get(200)
    a.send("c", "PA", dt=0.001, data=req[:150])
    a.send("c", "FPA", dt=0.0005, data=req[150:])
    a.send("s", "A", dt=0.002, ack=first)
    a.send("c", "PA", dt=0.2, seq=first, data=req[:150], advance=False)
    a.send("s", "A", dt=0.002)
    a.send("s", "FPA", dt=0.003, data=body(900, 0))
    a.send("c", "A", dt=0.002)
    b = Conn(cap, 50801, cisn=1212121, sisn=3434343)
    b.handshake()
    start = b.c.nxt
    b.send("c", "FPA", dt=0.001, data=http_get(90))
    b.send("c", "FPA", dt=0.3, seq=start, data=http_get(90), advance=False)
    b.send("s", "A", dt=0.002)
    b.send("s", "FPA", dt=0.003, data=body(400, 0))
    b.send("c", "A", dt=0.002)
    return [], [], [a.label(0, "complete", "fin", "SF"), b.label(1, "complete", "fin", "SF")]


@scenario("A capture that starts in the middle of two connections: one closes with FINs, the other "
          "goes on and is cut off by the end of the capture. No handshake is seen; nothing is an "
          "error.")
def midstream_start(cap):
    a = Conn(cap, 50810, cisn=5000000, sisn=6000000)
    b = Conn(cap, 50811, cisn=7000000, sisn=8000000)
    for c in (a, b):
        c.handshake()
        c.request(segments=2)
    start = len(cap.frames)
    a.request(segments=3)
    b.request(segments=1)
    a.close()
    b.request(segments=2)
    cap.frames[:start] = []
    for c in (a, b):
        c.first = None
    first = {}
    for k, f in enumerate(cap.frames):
        ports = {f["TCP"].sport, f["TCP"].dport}
        for c in (a, b):
            if c.c.port in ports:
                first.setdefault(c.c.port, k + 1)
    for c in (a, b):
        c.first = first[c.c.port]
        c.last = max(k + 1 for k, f in enumerate(cap.frames) if c.c.port in {f["TCP"].sport, f["TCP"].dport})
        c.count = sum(1 for f in cap.frames if c.c.port in {f["TCP"].sport, f["TCP"].dport})
    return [], [], [a.label(0, "missing", "fin", "SF"), b.label(1, "missing", "open", "OTH")]


@scenario("Keep-alives to a peer that has gone: Linux-style probes (a bare ACK at snd.una - 1, no data) "
          "every 5 s after 30 s idle, answered twice, then unanswered three times, then the prober "
          "gives up with RST.")
def keepalive_dead_peer(cap):
    a = Conn(cap, 50820, sport=22)
    a.handshake()
    a.request(segments=1)
    una = a.c.nxt
    for k in range(5):
        a.send("c", "A", dt=30.0 if k == 0 else 5.0, seq=una - 1, advance=False)
        if k < 2:
            a.send("s", "A", dt=0.002)
    rst = a.send("c", "RA", dt=5.0, seq=una)
    return ([{"code": "teardown.reset", "frames": [rst]}], [],
            [a.label(0, "complete", "rst", "RSTO")])


@scenario("IPv4 options on every packet of a connection (Router Alert, and a Record Route on the "
          "handshake), which -v prints in the IP header line, and IP fragments of an unrelated UDP "
          "datagram between them. Nothing here is an error.")
def ip_options(cap):
    from scapy.all import IPOption_RR, IPOption_Router_Alert, UDP, fragment
    a = Conn(cap, 50830)
    a.handshake()
    a.request(segments=2)
    frag_at = len(cap.frames)
    a.close()
    for k, f in enumerate(cap.frames):
        ip = f["IP"]
        ip.options = [IPOption_RR(routers=["192.0.2.1"])] if k < 3 else [IPOption_Router_Alert()]
        del ip.ihl, ip.len, ip.chksum
        del f["TCP"].chksum
    dgram = (Ether(src=CLIENT[1], dst=SERVER[1]) / IP(src=CLIENT[0], dst=SERVER[0], id=4242)
             / UDP(sport=5353, dport=9999) / Raw(load=b"x" * 3000))
    frags = fragment(dgram, fragsize=1400)
    when = cap.frames[frag_at - 1].time
    for k, f in enumerate(frags):
        f.time = round(float(when) + 0.0001 * (k + 1), 6)
    cap.frames[frag_at:frag_at] = frags
    a.first, a.last = 1, len(cap.frames)
    a.count = len(cap.frames) - len(frags)
    return [], [], [a.label(0, "complete", "fin", "SF")]


@scenario("TCP options of every kind tcpdump prints on one connection: a TCP-MD5 signature on every "
          "segment (BGP style), an experimental option (kind 254), an empty Fast Open cookie request "
          "on the SYN, window scale 14, SACK blocks, and EOL padding; one segment is sent out of order (a "
          "gap, then the segment that fills it). No handshake, teardown or flags error.")
def tcp_options_zoo(cap):
    a = Conn(cap, 50840, sport=179)
    md5 = (19, bytes(range(16)))
    syn_opts = [("MSS", 1400), ("NOP", None), ("WScale", 14), ("SAckOK", b""), (34, b""),
                (254, b"\xf9\x89"), md5, ("EOL", None)]
    a.send("c", "S", dt=0.1, opts=syn_opts)
    a.send("s", "SA", dt=0.002, opts=[("MSS", 1400), ("NOP", None), ("WScale", 14), ("SAckOK", b""), md5])
    a.send("c", "A", dt=0.002, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("c", "PA", dt=0.001, data=b"\xff" * 16 + b"\x00\x1d\x01" + b"\x04" * 26,
           opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("s", "A", dt=0.002, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    base = a.s.nxt
    a.send("s", "PA", dt=0.001, data=body(700, 0), opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("s", "PA", dt=0.0005, seq=base + 1400, data=body(700, 2), opts=[md5, ("NOP", None), ("NOP", None)],
           win=4, advance=False)
    a.send("c", "A", dt=0.001, ack=base + 700,
           opts=[md5, ("NOP", None), ("NOP", None), ("SAck", (base + 1400, base + 2100))], win=4)
    a.send("s", "PA", dt=0.0005, seq=base + 700, data=body(700, 1), opts=[md5, ("NOP", None), ("NOP", None)],
           win=4)
    a.s.nxt = base + 2100
    a.c.rcv = base + 2100
    a.send("c", "A", dt=0.001, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("c", "FA", dt=0.01, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("s", "FA", dt=0.002, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    a.send("c", "A", dt=0.002, opts=[md5, ("NOP", None), ("NOP", None)], win=4)
    return [], [], [a.label(0, "complete", "fin", "SF")]


def main():
    if len(sys.argv) < 2:
        print("usage: craft.py OUT [NAME...]   (names: " + " ".join(SCENARIOS) + ")", file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    names = sys.argv[2:] or list(SCENARIOS)
    for name in names:
        if name not in SCENARIOS:
            print(f"craft.py: no scenario {name}", file=sys.stderr)
            sys.exit(2)
        description, fn = SCENARIOS[name]
        cap = Capture()
        expect, allow, conns = fn(cap)
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        wrpcap(os.path.join(folder, "capture.pcap"), cap.frames)
        labels = {
            "name": name,
            "kind": "crafted",
            "description": description,
            "generator": f"scripts/scenarios/craft.py {name}",
            "connections": conns,
            "expect": expect,
            "allow": allow,
            "frames": len(cap.frames),
        }
        with open(os.path.join(folder, "labels.json"), "w") as f:
            json.dump(labels, f, indent=1)
        print(f"{folder}: {len(cap.frames)} frames")


if __name__ == "__main__":
    main()
