#!/usr/bin/env bash
# SIGHUP reload of N reservations under load (docs/performance.md).
#
#   sudo bench/reload.sh [N]        # default 1000000; BIN (default .build/release), WORK, RATE (2000)
#   CHANGED=K   the reload reads a reservations.json in which K entries (spread evenly) have a
#               `v4_lease_time` of 7200 s added (answers stay right), written beforehand and
#               renamed over the file just before the SIGHUP; default 0: the same file again.
#               With K > 0 the run uses a copy of the generated set ($WORK/changed-N), so the
#               set itself is never changed.
#   WARMUP=1    one SIGHUP of the unchanged file 3 s in, before the measured one: the measured
#               reload then uses the memo of a reload (ReservationMemo) rather than the one the
#               master builds in the background after start.
#
# Starts shadow-master (log level info) in a network namespace of its own, runs `shadow-bench load`
# for DHCPv4 and DHCPv6 at RATE exchanges/s each for 20 s, sends SIGHUP 6 s in, then prints the
# master's and the workers' log lines of the reload (time from SIGHUP to each worker applying the
# new generation) and each bench's exchanges and latency. Everything it starts is stopped and the
# namespace deleted on exit. Last, the master's memory (VmHWM, VmRSS, RssAnon) after the reload.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
RATE=${RATE:-2000}
CHANGED=${CHANGED:-0}
WARMUP=${WARMUP:-0}
WORK=${WORK:-/tmp/shadow-reload}
NS=sdb-reload
[ "$(id -u)" = 0 ] || { echo "bench/reload.sh needs root (namespace, ports 67/547)" >&2; exit 1; }
DIR=$WORK/gen-$COUNT
mkdir -p "$WORK"
source "$ROOT/bench/lib/generated.sh"
generated_set "$DIR" "$COUNT"
if [ "$CHANGED" -gt 0 ]; then
    fresh_copy "$DIR" "$WORK/changed-$COUNT"
    DIR=$WORK/changed-$COUNT
    # A lease time of their own for CHANGED entries: still valid, same addresses.
    python3 - "$DIR/reservations.json" "$DIR/.reservations.json.changed" "$CHANGED" <<'PY'
import sys
src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src, 'rb').read().split(b'\n')
entries = [i for i, l in enumerate(lines) if l.startswith(b'{')]
if k > len(entries): sys.exit("CHANGED=%d: the file has only %d entries" % (k, len(entries)))
step = len(entries) // k
for j in range(k):
    i = entries[j * step]
    lines[i] = b'{"v4_lease_time":7200,' + lines[i][1:]
open(dst, 'wb').write(b'\n'.join(lines))
PY
fi
source "$ROOT/bench/lib/server.sh"
LOG=$WORK/reload-$COUNT.log
start_master "$DIR" "$LOG"
start_load "$WORK/reload"
if [ "$WARMUP" = 1 ]; then
    sleep 3
    kill -HUP "$MP"
    sleep 3
else
    sleep 6
fi
# Renamed over the file, as an operator's tooling should write it.
if [ "$CHANGED" -gt 0 ]; then mv "$DIR/.reservations.json.changed" "$DIR/reservations.json"; fi
kill -HUP "$MP"
wait "$B4" "$B6"
printf 'master after the reload: %s\n' "$(grep -E '^(VmHWM|VmRSS|RssAnon)' /proc/"$MP"/status | tr -s ' \t\n' ' ')"
grep -E 'received SIGHUP|reloaded reservations|worker applied snapshot' "$LOG" | tail -4 | python3 -c '
import json, sys, datetime
lines = [json.loads(l) for l in sys.stdin]
t = lambda l: datetime.datetime.fromisoformat(l["timestamp"].replace("Z", "+00:00"))
start = t(lines[0])
for l in lines:
    print("+%5.2f s  %-6s %s" % ((t(l) - start).total_seconds(), l["process"], l["message"]))'
for p in v4 v6; do load_summary "$WORK/reload-$p.json" "$p"; done
