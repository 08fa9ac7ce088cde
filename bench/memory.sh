#!/usr/bin/env bash
# Memory of shadowdhcp at N reservations, per process and per mapping, at start and after a load.
# Needs root. See docs/performance.md, "Memory at 10,000, per mapping".
#
#   sudo bench/memory.sh [--count N] [--load-seconds S] [--rate R] [--rounds K] [--storm default|off] [--out DIR]
#
# Generates N reservations with `shadow-bench generate` (storm control off, as generated; with
# --storm default the `rate_limits` line is removed, so the defaults apply), starts shadow-master
# in a namespace of its own, and 5 s later writes bench/lib/smaps.py's breakdown of the master and
# every child of it (start.txt); then R DORA/s (DHCPv4) and R SARR/s (DHCPv6) from a second
# namespace for S seconds at once (defaults 8,000/s, 30 s), and the breakdown again (after.txt);
# with --rounds K that load K times, a breakdown after each (after-1.txt … after-K.txt, the last
# also as after.txt): growth per request would show as a rise from round to round.
# Each file begins with the load average. Binaries: BIN (default .build-rel/release, a release
# build: swift build -c release --scratch-path .build-rel).
#
# Network hygiene: traffic stays in the namespaces sdb-mem-srv / sdb-mem-load (198.18.0.0/15,
# 2001:db8:ffff::/64), removed on exit; every process started is stopped by PID, every load run
# is bounded by `timeout`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/.build-rel/release}
COUNT=10000; SECONDS_LOAD=30; RATE=8000; ROUNDS=1; STORM=off; OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --count) COUNT=$2; shift 2 ;;
        --load-seconds) SECONDS_LOAD=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --storm) STORM=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$STORM" in default|off) ;; *) echo "--storm: default or off" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "bench/memory.sh needs root (namespaces, pagemap)" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d /tmp/shadow-memory.XXXXXX)}
mkdir -p "$OUT"
NS_SRV=sdb-mem-srv; NS_LOAD=sdb-mem-load; IF_SRV=sdb-ms; IF_LOAD=sdb-ml
SRV4=198.18.0.1; LOAD4=198.18.0.2; SRV6=2001:db8:ffff::1; LOAD6=2001:db8:ffff::2
PIDS=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_LOAD" 2>/dev/null || true
    echo "namespaces removed; files in $OUT" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns del "$NS_SRV" 2>/dev/null || true
ip netns del "$NS_LOAD" 2>/dev/null || true
ip netns add "$NS_SRV"; ip netns add "$NS_LOAD"
ip link add "$IF_SRV" type veth peer name "$IF_LOAD"
ip link set "$IF_SRV" netns "$NS_SRV"; ip link set "$IF_LOAD" netns "$NS_LOAD"
for ns in "$NS_SRV" "$NS_LOAD"; do ip -n "$ns" link set lo up; done
ip -n "$NS_SRV" addr add "$SRV4/24" dev "$IF_SRV"; ip -n "$NS_LOAD" addr add "$LOAD4/24" dev "$IF_LOAD"
ip -n "$NS_SRV" addr add "$SRV6/64" dev "$IF_SRV" nodad; ip -n "$NS_LOAD" addr add "$LOAD6/64" dev "$IF_LOAD" nodad
ip -n "$NS_SRV" link set "$IF_SRV" up; ip -n "$NS_LOAD" link set "$IF_LOAD" up

conf=$OUT/conf
rm -rf "$conf"; mkdir -p "$conf/state"
"$BIN/shadow-bench" generate --count "$COUNT" --out "$conf" --server-v4 "$SRV4" --server-v6 "$SRV6" \
    --state-dir "$conf/state" >/dev/null
if [ "$STORM" = default ]; then
    python3 - "$conf/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config.pop("rate_limits", None)
json.dump(config, open(path, "w"), indent=1)
PY
fi
ip netns exec "$NS_SRV" taskset -c 0 "$BIN/shadow-master" --configdir "$conf" > "$OUT/master.log" 2>&1 & master=$!
PIDS+=("$master")
sleep 5
kill -0 "$master" 2>/dev/null || { echo "shadow-master stopped; see $OUT/master.log" >&2; exit 1; }
group() { echo "$master"; ps -o pid= --ppid "$master"; }
breakdown() {
    { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
      for pid in $(group); do echo "pid $pid: $(cat "/proc/$pid/comm")"; done
      python3 "$ROOT/bench/lib/smaps.py" $(group); } > "$OUT/$1.txt"
}
breakdown start
for round in $(seq 1 "$ROUNDS"); do
    ip netns exec "$NS_LOAD" taskset -c 1 timeout $((SECONDS_LOAD + 60)) "$BIN/shadow-bench" load --server "$SRV4" \
        --bind "$LOAD4" --count "$COUNT" --rate "$RATE" --duration "$SECONDS_LOAD" --json > "$OUT/load-v4.json" & l4=$!
    ip netns exec "$NS_LOAD" taskset -c 1 timeout $((SECONDS_LOAD + 60)) "$BIN/shadow-bench" load --v6 --server "$SRV6" \
        --bind "$LOAD6" --count "$COUNT" --rate "$RATE" --duration "$SECONDS_LOAD" --json > "$OUT/load-v6.json" & l6=$!
    PIDS+=("$l4" "$l6")
    wait "$l4" || true
    wait "$l6" || true
    sleep 1
    breakdown "after-$round"
    cp "$OUT/after-$round.txt" "$OUT/after.txt"
done
python3 - "$OUT" <<'PY'
import json, sys
for proto in ("v4", "v6"):
    try:
        r = json.load(open(f"{sys.argv[1]}/load-{proto}.json"))["result"]
        print(f"load {proto}: offered {r['offered_rate']}/s, answered {r['exchanges_per_s']}/s, lost {r['drop_percent']} %")
    except (OSError, KeyError, TypeError, ValueError) as e:
        print(f"load {proto}: no result ({e})")
PY
for f in start $(seq -f "after-%g" 1 "$ROUNDS"); do
    echo "$f: $(head -1 "$OUT/$f.txt"); $(grep '^== SUM' "$OUT/$f.txt" | sed 's/^== //'); $(grep '^== DISTINCT' "$OUT/$f.txt" | sed 's/^== //')"
done
