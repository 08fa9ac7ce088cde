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
# the answer, the workers' and the master's log lines of the replace (from the request: the
# workers serve the set before the master writes the file; the master's line has its phases),
# and each bench's exchanges and latency. Everything it starts is stopped and the namespace deleted on exit.
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
source "$ROOT/bench/lib/server.sh"
generated_set "$GEN" "$COUNT"
fresh_copy "$GEN" "$DIR"
with_mgmt_socket "$DIR/config.json" "$DIR/mgmt.sock"
NEW=$WORK/new-$COUNT.json
changed_ipv6_na "$GEN/reservations.json" "$NEW" "$EVERY"
LOG=$WORK/replace-$COUNT.log
start_master "$DIR" "$LOG"
start_load "$WORK/replace"
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
    phases = " ".join("%s=%s" % (k, l[k]) for k in ("decode_ms", "validate_ms", "encode_ms", "wait_ms", "write_ms") if k in l)
    print("+%5.2f s  %-6s %s%s" % (t - start, l["process"], l["message"], "  (" + phases + ")" if phases else ""))' "$start"
for p in v4 v6; do load_summary "$WORK/replace-$p.json" "$p"; done
