#!/usr/bin/env python3
"""Helpers of bench/ha.sh (docs/performance.md, "High availability"). Standard library only.

  ha.py mgmt SOCKET JSON                 one management request over the Unix socket, the answer
  ha.py wait-peers SECONDS SOCKET...     until every server reports every peer up (`peers`)
  ha.py failover --pid P --victim IP --survivor IP --giaddr IP [...]
                                         kill -9 P, time until the survivor answers a client it
                                         did not answer before
  ha.py sample --a SOCK --b SOCK --out FILE [--interval S]
                                         binding counts of both servers until SIGTERM
  ha.py lag FILE                         sync throughput and lag from the samples (JSON)
"""
import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time


def mgmt(path, request, timeout=2.0):
    """One request, one answer (docs/management.md: one line each way, then the server closes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return json.loads(data)
    finally:
        s.close()


def cmd_mgmt(args):
    print(json.dumps(mgmt(args.socket, json.loads(args.request))))


def peers_up(path):
    """True when `peers` names every peer `up` and this server's own table pull is done; None
    when the command is unknown (the peer channel is not there)."""
    answer = mgmt(path, {"command": "peers"})
    if not answer.get("success", True) and "unknown" in str(answer.get("error", "")).lower():
        return None
    peers = answer.get("peers") or []
    return bool(peers) and all(p.get("state") == "up" for p in peers) and answer.get("table_synced") is True


def cmd_wait_peers(args):
    deadline = time.monotonic() + args.seconds
    last = None
    while time.monotonic() < deadline:
        try:
            states = [peers_up(p) for p in args.sockets]
            last = states
            if None in states:
                print("the servers do not know the `peers` command", file=sys.stderr)
                sys.exit(3)
            if all(states):
                print("%.2f" % (args.seconds - (deadline - time.monotonic())))
                return
        except (OSError, ValueError) as e:
            last = repr(e)
        time.sleep(0.05)
    print("peers not up after %s s: %s" % (args.seconds, last), file=sys.stderr)
    sys.exit(1)


# DHCPv4 as a relay sends it: hops 1, giaddr, Option 82, padded to 300 bytes.
def discover(xid, mac, giaddr):
    head = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 1, xid, 0, 0, bytes(4), bytes(4), bytes(4),
                       socket.inet_aton(giaddr))
    chaddr = mac + bytes(10)
    circuit = b"ha-bench"
    options = bytes([53, 1, 1, 55, 3, 1, 3, 6, 82, 2 + len(circuit), 1, len(circuit)]) + circuit + bytes([255])
    packet = head + chaddr + bytes(192) + bytes([99, 130, 83, 99]) + options
    return packet + bytes(max(0, 300 - len(packet)))


def reply_xid(data):
    """The xid of a BOOTREPLY (OFFER or ACK), else None."""
    if len(data) < 240 or data[0] != 2:
        return None
    return struct.unpack("!I", data[4:8])[0]


def plan_mac(i):
    """The bench plan's subscriber i: 02:00:xx:xx:xx:xx (BenchPlan.mac)."""
    return bytes([2, 0]) + struct.pack("!I", i)


class Relay:
    """Sends DISCOVERs for one MAC to every server from giaddr:67, remembers when each xid left,
    and collects which server answered which xid."""

    def __init__(self, giaddr, servers):
        self.giaddr = giaddr
        self.servers = servers
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((giaddr, 67))
        self.sock.setblocking(False)
        self.sent = {}
        self.xid = int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF

    def send(self, mac):
        self.xid = (self.xid + 1) & 0xFFFFFFFF
        packet = discover(self.xid, mac, self.giaddr)
        now = time.monotonic()
        for server in self.servers:
            self.sock.sendto(packet, (server, 67))
        self.sent[self.xid] = now
        return self.xid

    def receive(self, until):
        """(receive time, xid, server) of every reply until the monotonic time `until`."""
        out = []
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return out
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            while True:
                try:
                    data, (source, _) = self.sock.recvfrom(4096)
                except BlockingIOError:
                    break
                xid = reply_xid(data)
                if xid in self.sent:
                    out.append((time.monotonic(), xid, source))


def choose_client(relay, victim, survivor, count, wait):
    """The first plan subscriber answered by the victim and not by the survivor."""
    for i in range(count):
        xid = relay.send(plan_mac(i))
        got = {s for _, x, s in relay.receive(time.monotonic() + wait) if x == xid}
        if victim in got and survivor not in got:
            return i
    return None


def cmd_failover(args):
    servers = [args.victim, args.survivor]
    relay = Relay(args.giaddr, servers)
    result = {"mode": args.mode, "victim": args.victim, "survivor": args.survivor, "interval_ms": args.interval * 1e3}
    deadline = time.monotonic() + args.settle
    client = None
    while client is None and time.monotonic() < deadline:
        client = choose_client(relay, args.victim, args.survivor, args.count, 0.2)
    if client is None:
        result["error"] = "no client answered by the victim only within %s s" % args.settle
        print(json.dumps(result))
        sys.exit(1)
    result["client"] = client
    mac = plan_mac(client)
    # Steady state: the victim answers every DISCOVER, the survivor none, for `stable` seconds.
    stable_since = None
    while True:
        now = time.monotonic()
        if now > deadline:
            result["error"] = "no stable split (victim only) within %s s" % args.settle
            print(json.dumps(result))
            sys.exit(1)
        xid = relay.send(mac)
        got = {s for _, x, s in relay.receive(now + args.interval) if x == xid}
        if got == {args.victim}:
            stable_since = stable_since or now
            if now - stable_since >= args.stable:
                break
        else:
            stable_since = None
    t0 = time.monotonic()
    os.kill(args.pid, signal.SIGKILL)
    last_victim = None
    while True:
        now = time.monotonic()
        if now - t0 > args.limit:
            result["error"] = "the survivor did not answer within %s s" % args.limit
            print(json.dumps(result))
            sys.exit(1)
        relay.send(mac)
        answered = None
        for t, x, s in relay.receive(now + args.interval):
            if s == args.victim:
                last_victim = t
            elif s == args.survivor and relay.sent[x] >= t0 and answered is None:
                answered = (t, relay.sent[x])
        if answered:
            result["failover_s"] = round(answered[0] - t0, 4)
            result["answered_request_sent_s"] = round(answered[1] - t0, 4)
            result["last_victim_answer_s"] = None if last_victim is None else round(last_victim - t0, 4)
            print(json.dumps(result))
            return


def cmd_sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    t_start = time.monotonic()
    with open(args.out, "w") as out:
        while not stop and time.monotonic() - t_start < args.limit:
            t_next = time.monotonic() + args.interval
            for name, path in (("a", args.a), ("b", args.b)):
                try:
                    t1 = time.monotonic()
                    answer = mgmt(path, {"command": "bindings"})
                    t2 = time.monotonic()
                    out.write("%.6f\t%s\t%d\n" % ((t1 + t2) / 2, name, answer["binding_count"]))
                except (OSError, ValueError, KeyError):
                    pass
            out.flush()
            time.sleep(max(0.0, t_next - time.monotonic()))


def crossing(curve, level):
    """When a nondecreasing count curve [(t, c)] first reached `level`, linearly interpolated."""
    for j, (t, c) in enumerate(curve):
        if c >= level:
            if j == 0:
                return t
            t1, c1 = curve[j - 1]
            return t1 + (level - c1) / (c - c1) * (t - t1)
    return None


def percentile(values, p):
    """Nearest rank."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))]


def cmd_lag(args):
    curves = {"a": [], "b": []}
    for line in open(args.file):
        t, name, count = line.split("\t")
        curves[name].append((float(t), int(count)))
    for name in curves:  # nondecreasing: a count never goes back during the run
        fixed, top = [], 0
        for t, c in curves[name]:
            top = max(top, c)
            fixed.append((t, top))
        curves[name] = fixed
    a, b = curves["a"], curves["b"]
    if not a or not b:
        print(json.dumps({"error": "no samples"}))
        sys.exit(1)
    base_a, base_b = a[0][1], b[0][1]
    final_a, final_b = a[-1][1], b[-1][1]
    top = min(final_a - base_a, final_b - base_b)
    result = {"samples_a": len(a), "samples_b": len(b), "learned_a": final_a - base_a, "received_b": final_b - base_b,
              "sample_interval_ms": round(1e3 * (a[-1][0] - a[0][0]) / max(1, len(a) - 1), 1)}
    if top < 100:
        result["error"] = "too few bindings to measure"
        print(json.dumps(result))
        sys.exit(1)
    levels = [top * k / 1000 for k in range(10, 991)]
    lags = [crossing(b, base_b + c) - crossing(a, base_a + c) for c in levels]
    result["lag_ms"] = {p: round(1e3 * percentile(lags, q), 1) for p, q in (("p50", 50), ("p99", 99), ("max", 100))}
    result["lag_ms"]["min"] = round(1e3 * min(lags), 1)

    def rate(curve, base):
        t10, t90 = crossing(curve, base + 0.1 * top), crossing(curve, base + 0.9 * top)
        return round(0.8 * top / (t90 - t10)) if t90 > t10 else None
    result["learn_rate_a_per_s"] = rate(a, base_a)
    result["sync_rate_b_per_s"] = rate(b, base_b)
    ta, tb = crossing(a, base_a + top), crossing(b, base_b + top)
    result["last_binding_lag_ms"] = round(1e3 * (tb - ta), 1)
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mgmt")
    m.add_argument("socket")
    m.add_argument("request")
    m.set_defaults(run=cmd_mgmt)
    w = sub.add_parser("wait-peers")
    w.add_argument("seconds", type=float)
    w.add_argument("sockets", nargs="+")
    w.set_defaults(run=cmd_wait_peers)
    f = sub.add_parser("failover")
    f.add_argument("--pid", type=int, required=True, help="the victim's shadow-master")
    f.add_argument("--victim", required=True)
    f.add_argument("--survivor", required=True)
    f.add_argument("--giaddr", required=True)
    f.add_argument("--mode", default="-")
    f.add_argument("--count", type=int, default=64, help="plan subscribers tried when choosing the client")
    f.add_argument("--interval", type=float, default=0.02, help="seconds between DISCOVERs")
    f.add_argument("--stable", type=float, default=2.0, help="seconds of victim-only answers before the kill")
    f.add_argument("--settle", type=float, default=30.0, help="seconds to reach that state")
    f.add_argument("--limit", type=float, default=30.0, help="seconds to wait for the survivor")
    f.set_defaults(run=cmd_failover)
    s = sub.add_parser("sample")
    s.add_argument("--a", required=True)
    s.add_argument("--b", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--interval", type=float, default=0.02)
    s.add_argument("--limit", type=float, default=300)
    s.set_defaults(run=cmd_sample)
    lag = sub.add_parser("lag")
    lag.add_argument("file")
    lag.set_defaults(run=cmd_lag)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
