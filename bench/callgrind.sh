#!/usr/bin/env bash
# Instructions per packet of DHCPv4Engine.handle and DHCPv6Engine.handle, and per exchange of the
# worker's whole per-datagram path, counted by callgrind (repeatable on a busy machine, unlike
# time). Runs bench-dhcpv4, bench-dhcpv6 and bench-worker from a release build under valgrind
# with collection switched on only inside the engine's `handle` (the worker path's
# `PacketPathBench.serve`) and one dump per scenario run, then divides each dump's total by the
# packets (exchanges) of that run.
#
#   bench/callgrind.sh [ITERATIONS]        # default 20000; BIN (default .build-rel/release), OUT
#   ONLY=worker bench/callgrind.sh [ITERATIONS]   # bench-worker alone (about 3 minutes)
#   HA=1 ONLY=worker bench/callgrind.sh [ITERATIONS]   # the worker path with HA shares (bench-worker --ha)
#   OPTIONS=1 ONLY=worker bench/callgrind.sh [ITERATIONS]   # five configured options asked for (bench-worker --options)
#
# bench-dhcpv4 runs each scenario ITERATIONS/10 times (warm-up) then ITERATIONS times; bench-dhcpv6
# runs each 10,000 + ITERATIONS times. Both build 1,000,000 reservations first (about a minute
# under valgrind). bench-worker runs ITERATIONS/10 then ITERATIONS DORAs, then as many SARRs, over
# 100,000 reservations, in batches of 1 datagram (a worker at a low rate) and of 32, each once from
# memory and once received from a loopback UDP socket by the worker's DatagramReceiver (its
# user-space side counted too). The callgrind files stay in OUT for callgrind_annotate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build-rel/release}
OUT=${OUT:-$(mktemp -d /tmp/shadow-callgrind.XXXXXX)}
mkdir -p "$OUT"
N=${1:-20000}
ONLY=${ONLY:-all}
HA=${HA:-}
OPTIONS=${OPTIONS:-}

# valgrind 3.19 cannot read these binaries' DWARF (it gives up on bench-dhcpv4 since the package
# links swift-crypto); the symbol table is enough for callgrind, so each runs from a stripped copy.
BENCHES=(bench-worker); [ "$ONLY" != worker ] && BENCHES+=(bench-dhcpv4 bench-dhcpv6)
for b in "${BENCHES[@]}"; do
    cp "$BIN/$b" "$OUT/$b" && strip -g "$OUT/$b"
done
if [ "$ONLY" != worker ]; then
    timeout 1200 nice valgrind --tool=callgrind --callgrind-out-file="$OUT/v4.out" \
        --toggle-collect='*DHCPv40A6EngineV6handle8datagram*' --dump-before='*BenchWorldV3run_10iterations*' \
        "$OUT/bench-dhcpv4" "$N" > "$OUT/v4.txt" 2> "$OUT/v4.err" &
    a=$!
    timeout 1200 nice valgrind --tool=callgrind --callgrind-out-file="$OUT/v6.out" \
        --toggle-collect='*DHCPv60A6EngineV6handle8datagram*' --dump-before='*bench_dhcpv67measure*' \
        "$OUT/bench-dhcpv6" "$N" > "$OUT/v6.txt" 2> "$OUT/v6.err" &
    b=$!
    trap 'kill $a $b 2>/dev/null || true' EXIT INT TERM
    wait "$a"; wait "$b"
fi
WORKERS=()
for run in b1 b32 b1-loopback b32-loopback; do
    batch=${run%%-*}; batch=${batch#b}
    extra=(); [ "${run#*-}" = loopback ] && extra=(--loopback)
    [ -n "$HA" ] && extra+=(--ha)
    [ -n "$OPTIONS" ] && extra+=(--options)
    timeout 1200 nice valgrind --tool=callgrind --callgrind-out-file="$OUT/worker-$run.out" \
        --toggle-collect='*PacketPathBench*serve*' --dump-before='*bench_worker3run*' \
        "$OUT/bench-worker" --exchanges "$N" --batch "$batch" "${extra[@]}" > "$OUT/worker-$run.txt" 2> "$OUT/worker-$run.err" &
    WORKERS+=($!)
done
trap 'kill "${WORKERS[@]}" 2>/dev/null || true' EXIT INT TERM
for w in "${WORKERS[@]}"; do wait "$w"; done
trap - EXIT INT TERM

python3 - "$OUT" "$N" "$ONLY" <<'EOF'
import os, sys
out, n, only = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def total(path):
    for line in open(path):
        if line.startswith("totals:"): return int(line.split()[1])
    return 0
def parts(prefix):
    # Part 1 is everything before the first scenario (nothing collected); the final dump has no suffix.
    k, files = 2, []
    while os.path.exists(f"{prefix}.{k}"): files.append(f"{prefix}.{k}"); k += 1
    return files + [prefix]
if only != "worker":
    v4 = ["DHCPv4 DISCOVER (MAC match) -> OFFER", "DHCPv4 REQUEST SELECTING (MAC match) -> ACK",
          "DHCPv4 DISCOVER (Option 82 match) -> OFFER"]
    files = parts(f"{out}/v4.out")
    res = {}
    for i, name in enumerate(v4):
        warm, timed = files[2 * i], files[2 * i + 1]
        res[name] = total(timed) / n
        print(f"{name}: {total(timed) / n:,.0f} Ir/packet (warm-up {total(warm) / (n // 10):,.0f})")
    v6 = ["DHCPv6 Solicit (DUID, one subscriber) -> Advertise", "DHCPv6 Renew (DUID, one subscriber) -> Reply",
          "DHCPv6 Solicit (Option 79 MAC, one subscriber) -> Advertise",
          "DHCPv6 Solicit (DUID, 4,096 random of 1 M) -> Advertise", "DHCPv6 Renew (DUID, 4,096 random of 1 M) -> Reply"]
    for name, f in zip(v6, parts(f"{out}/v6.out")):
        res[name] = total(f) / (n + 10000)
        print(f"{name}: {res[name]:,.0f} Ir/packet")
    print(f"DORA (DISCOVER + REQUEST, MAC match): {res[v4[0]] + res[v4[1]]:,.0f} Ir")
    print(f"SARR stand-in (Solicit + Renew, one subscriber): {res[v6[0]] + res[v6[1]]:,.0f} Ir; "
          f"4,096 random: {res[v6[3]] + res[v6[4]]:,.0f} Ir")
for run in ("b1", "b32", "b1-loopback", "b32-loopback"):
    # Part 1 ends before the first run (nothing collected); then warm-up and measured run of the
    # DORAs, then of the SARRs.
    f = parts(f"{out}/worker-{run}.out")
    dora, sarr = total(f[1]) / n, total(f[3]) / n
    how = f"batches of {run[1:].split('-')[0]}" + (", received from loopback" if "loopback" in run else ", from memory")
    print(f"worker path, {how}: DORA {dora:,.0f} Ir/exchange (warm-up {total(f[0]) / (n // 10):,.0f}), "
          f"SARR (Solicit + Request) {sarr:,.0f} Ir/exchange (warm-up {total(f[2]) / (n // 10):,.0f})")
print(f"callgrind files in {out}")
EOF
