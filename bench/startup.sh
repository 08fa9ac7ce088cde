#!/usr/bin/env bash
# Start-up time to first answer and resident memory, for N reservations (docs/performance.md).
#
#   sudo bench/startup.sh [N]        # default 1000000; BIN (default .build/release), WORK
#
# Generates N subscribers (`shadow-bench generate`, reused when WORK already has them), starts
# shadow-master in a network namespace of its own (only `lo`, 127.0.0.1 and ::1), probes
# subscriber 0 over DHCPv4 and DHCPv6 (one `shadow-bench probe --resend 0.01` each, started
# before the master) until each answers, prints the seconds from the start to each first answer and VmRSS / RssAnon / RssShmem of the master and each worker. Everything it
# starts is stopped and the namespace deleted on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
WORK=${WORK:-/tmp/shadow-startup}
NS=sdb-startup
[ "$(id -u)" = 0 ] || { echo "bench/startup.sh needs root (namespace, ports 67/547)" >&2; exit 1; }
DIR=$WORK/gen-$COUNT
mkdir -p "$WORK"
source "$ROOT/bench/lib/generated.sh"
generated_set "$DIR" "$COUNT"
MP=""
PROBES=""
cleanup() {
    for p in $PROBES; do kill -TERM "$p" 2>/dev/null || true; pkill -TERM -P "$p" 2>/dev/null || true; done
    [ -n "$MP" ] && { kill -TERM "$MP" 2>/dev/null || true; wait "$MP" 2>/dev/null || true; }
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
cat "$DIR/reservations.json" > /dev/null   # in the page cache, as on a running host
now() { date +%s.%N; }
# One prober per protocol, started before the master and resending every 10 ms: no process is
# started while the master loads (a new prober per try took CPU from it on a small machine).
rm -f "$WORK/answered-v4" "$WORK/answered-v6"
( ip netns exec "$NS" "$BIN/shadow-bench" probe --server 127.0.0.1 --mac 02-00-00-00-00-00 \
      --timeout 60 --resend 0.01 > /dev/null 2>&1 && now > "$WORK/answered-v4" ) & P4=$!
( ip netns exec "$NS" "$BIN/shadow-bench" probe --v6 --server ::1 --duid 00:03:00:01:02:00:00:00:00:00 \
      --timeout 60 --resend 0.01 > /dev/null 2>&1 && now > "$WORK/answered-v6" ) & P6=$!
PROBES="$P4 $P6"
sleep 0.5
t0=$(now)
ip netns exec "$NS" "$BIN/shadow-master" --configdir "$DIR" > "$WORK/master-$COUNT.log" 2>&1 & MP=$!
for _ in $(seq 1 600); do
    [ -s "$WORK/answered-v4" ] && [ -s "$WORK/answered-v6" ] && break
    kill -0 "$MP" 2>/dev/null || { echo "shadow-master exited; see $WORK/master-$COUNT.log" >&2; exit 1; }
    sleep 0.05
done
since() { [ -s "$1" ] && python3 -c "print(f'{$(cat "$1") - $t0:.2f}')" || true; }
v4=$(since "$WORK/answered-v4"); v6=$(since "$WORK/answered-v6")
echo "reservations $COUNT: first DHCPv4 answer ${v4:-none} s, first DHCPv6 answer ${v6:-none} s"
# Where the time went: the master's and the workers' log lines of the start, from t0.
grep -E '"Loaded |started v. worker|worker ready|applied snapshot' "$WORK/master-$COUNT.log" | python3 -c '
import json, sys, datetime
t0 = float(sys.argv[1])
for line in sys.stdin:
    l = json.loads(line)
    t = datetime.datetime.fromisoformat(l["timestamp"].replace("Z", "+00:00")).timestamp()
    print("  +%5.2f s  %-6s %s" % (t - t0, l["process"], l["message"]))' "$t0"
sleep 0.5
for p in "$MP" $(pgrep -P "$MP"); do
    printf '%-14s %s\n' "$(cat /proc/"$p"/comm)" "$(grep -E '^(VmRSS|RssAnon|RssShmem)' /proc/"$p"/status | tr -s ' \t\n' ' ')"
done
