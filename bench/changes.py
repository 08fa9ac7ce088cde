#!/usr/bin/env python3
"""Sends single reservation changes to a management Unix socket at a fixed rate (bench/changes.sh).

Each lane owns new subscribers N+lane, N+lane+LANES, ... and for each sends reservation-add, then
reservation-update (new ipv6_na, found by its own MAC), then reservation-delete (by MAC), each
after the previous one was answered. A scheduler hands out RATE tokens per second; a lane waits for
a token before each request. Prints one JSON object: achieved changes/s, latency percentiles,
failures.
"""
import asyncio, ipaddress, json, sys, time

sock, base, total, rate, lanes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])

def entry(i, na_net=1):
    return {"ipv4": str(ipaddress.IPv4Address(0x64400000 + 2 + i)),
            "ipv6_na": str(ipaddress.IPv6Address((0x20010db8 << 96) | (na_net << 80) | (i + 1))),
            "ipv6_pd": str(ipaddress.IPv6Address((0x20010db880000000 | (i << 8)) << 64)) + "/56",
            "mac": "02-00-" + "-".join("%02X" % ((i >> s) & 0xFF) for s in (24, 16, 8, 0))}

latencies, failures, examples = [], 0, []

async def send(line):
    r, w = await asyncio.open_unix_connection(sock, limit=1 << 20)
    w.write(line.encode() + b"\n")
    await w.drain()
    reply = await r.readline()
    w.close()
    return reply

async def lane(k, tokens, ops):
    global failures
    j = k
    while True:
        i = base + j
        for op in ("add", "update", "delete"):
            if ops[0] >= total:
                return
            ops[0] += 1
            await tokens.get()
            if op == "add":
                req = {"command": "reservation-add", "reservation": entry(i)}
            elif op == "update":
                req = {"command": "reservation-update", "reservation": entry(i, na_net=2)}
            else:
                req = {"command": "reservation-delete", "mac": entry(i)["mac"]}
            t0 = time.monotonic()
            try:
                reply = await send(json.dumps(req, separators=(",", ":")))
                ok = reply.startswith(b'{"success":true')
            except Exception as e:  # noqa
                reply, ok = ("%s: %s" % (type(e).__name__, e)).encode(), False
            latencies.append(time.monotonic() - t0)
            if not ok:
                failures += 1
                if len(examples) < 3:
                    examples.append(reply.decode(errors="replace")[:300])
                break  # this subscriber's sequence is broken: next one
        j += lanes

async def main():
    tokens = asyncio.Queue()
    ops = [0]
    start = time.monotonic()
    async def schedule():
        n = 0
        while n < total:
            due = start + n / rate
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            tokens.put_nowait(None)
            n += 1
    sched = asyncio.create_task(schedule())
    await asyncio.gather(*(lane(k, tokens, ops) for k in range(lanes)))
    elapsed = time.monotonic() - start
    sched.cancel()
    lat = sorted(latencies)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0
    print(json.dumps({"requests": len(lat), "failures": failures, "seconds": round(elapsed, 2),
                      "changes_per_s": round(len(lat) / elapsed, 1), "target_rate": rate, "lanes": lanes,
                      "latency_ms": {"p50": round(pct(0.5), 1), "p99": round(pct(0.99), 1), "max": round(pct(1.0), 1)},
                      "failure_examples": examples}))

asyncio.run(main())
