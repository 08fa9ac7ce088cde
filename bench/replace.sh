#!/usr/bin/env bash
# Management `replace` of N reservations under load (docs/performance.md), the reload's
# counterpart over the management socket.
#
#   sudo bench/replace.sh [N]   # default 1000000; BIN (default .build/release), WORK, RATE (2000),
#                               # EVERY (100: one entry in EVERY changed)
#
# Starts shadow-master with N generated reservations (`shadow-bench generate`) and a management
# socket in a network namespace of its own, runs `shadow-bench load` for DHCPv4 and DHCPv6 at RATE
# exchanges/s each for 20 s, and 6 s in sends the same list with the `ipv6_na` of one entry in
# EVERY changed through `shadowctl replace --no-local-check`. Prints the time from the request to
# the answer, the master's and the workers' log lines of the replace (from the request), and each
# bench's exchanges and latency. Everything it starts is stopped and the namespace deleted on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
RATE=${RATE:-2000}
EVERY=${EVERY:-100}
WORK=${WORK:-/tmp/shadow-replace}
NS=sdb-replace
[ "$(id -u)" = 0 ] || { echo "bench/replace.sh needs root (namespace, ports 67/547)" >&2; exit 1; }
GEN=$WORK/gen-$COUNT
DIR=$WORK/run-$COUNT
mkdir -p "$WORK"
source "$ROOT/bench/lib/generated.sh"
generated_set "$GEN" "$COUNT"
fresh_copy "$GEN" "$DIR"
python3 - "$DIR/config.json" "$DIR/mgmt.sock" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["mgmt_socket"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
# One entry per line: the changed ones move from 2001:db8:1::/64 to 2001:db8:2::/64 (still unique).
NEW=$WORK/new-$COUNT.json
awk -v every="$EVERY" '/"ipv6_na"/ && (++n % every) == 0 { sub(/"2001:db8:1::/, "\"2001:db8:2::") } { print }' \
    "$GEN/reservations.json" > "$NEW"
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
LOG=$WORK/replace-$COUNT.log
ip netns exec "$NS" "$BIN/shadow-master" --configdir "$DIR" > "$LOG" 2>&1 & MP=$!
PIDS+=("$MP")
for _ in $(seq 1 600); do
    [ "$(grep -c 'worker applied snapshot' "$LOG" || true)" -ge 2 ] && [ -S "$DIR/mgmt.sock" ] && break
    sleep 0.1
done
ip netns exec "$NS" timeout 60 "$BIN/shadow-bench" load --server 127.0.0.1 --bind 127.0.0.1 --port 0 --count "$COUNT" \
    --rate "$RATE" --duration 20 --json > "$WORK/replace-v4.json" & B4=$!
ip netns exec "$NS" timeout 60 "$BIN/shadow-bench" load --v6 --server ::1 --bind ::1 --port 0 --count "$COUNT" \
    --rate "$RATE" --duration 20 --json > "$WORK/replace-v6.json" & B6=$!
PIDS+=("$B4" "$B6")
sleep 6
start=$(date +%s.%N)
timeout 60 "$BIN/shadowctl" replace --socket "$DIR/mgmt.sock" --no-local-check --json "$NEW" > "$WORK/replace-out.json"
end=$(date +%s.%N)
wait "$B4" "$B6"
printf 'replace of %d (1 in %d changed): answered after %.2f s: %s\n' "$COUNT" "$EVERY" "$(echo "$end - $start" | bc)" \
    "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("message", ""))' "$WORK/replace-out.json")"
grep -E 'replaced reservations via management|worker applied snapshot' "$LOG" | tail -3 | python3 -c '
import json, sys, datetime
start = float(sys.argv[1])
for line in sys.stdin:
    l = json.loads(line)
    t = datetime.datetime.fromisoformat(l["timestamp"].replace("Z", "+00:00")).timestamp()
    print("+%5.2f s  %-6s %s" % (t - start, l["process"], l["message"]))' "$start"
for p in v4 v6; do
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]; l = r["latency_us"]
print("%s: %d of %d exchanges completed, %d timed out, %d wrong; latency p50 %.0f us, p99 %.0f us, max %.0f us"
      % (sys.argv[2], r["completed"], r["started"], r["timed_out"], r["wrong"], l["p50"], l["p99"], l["max"]))' "$WORK/replace-$p.json" "$p"
done
