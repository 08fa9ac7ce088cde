#!/usr/bin/env bash
# `diff` of N reservations against N live ones, 1 % changed (docs/management.md, "diff").
#
#   sudo bench/diff.sh [N]      # default 1000000; BIN (default .build/release), WORK, EVERY (100: one
#                               # entry in EVERY changed), RUNS (3), PERF (a file: `perf record`
#                               # shadow-ops over the runs into it, for `perf report -i`)
#
# Starts shadow-master with N generated reservations (`shadow-bench generate`) and a management
# socket in a network namespace of its own, writes the same list with the `ipv6_na` of one entry in
# EVERY changed, and times `shadowctl diff` over the socket RUNS times: upload, validation (the
# `replace` loader), the diff, the response. Prints each run's wall time and the CPU time shadow-ops
# (which does the work) spent on it, the answer's message, and shadow-ops's peak (VmHWM) and
# current (VmRSS) resident memory before and after. Everything it starts is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
EVERY=${EVERY:-100}
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/shadow-diff}
NS=${NS:-sdb-diff}
[ "$(id -u)" = 0 ] || { echo "bench/diff.sh needs root (namespace, ports 67/547)" >&2; exit 1; }
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
LOG=$WORK/diff-$COUNT.log
start_master "$DIR" "$LOG"
mem() { awk '/VmHWM|VmRSS/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$1/status"; echo; }
ops() { for c in $(cat /proc/$MP/task/*/children 2>/dev/null); do
            [ "$(cat /proc/$c/comm 2>/dev/null)" = shadow-ops ] && echo "$c"; done | head -1; }
OP=$(ops)
echo "shadow-ops before: $(mem "$OP")"
# CPU seconds (user + system) of every thread of a process so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
if [ -n "${PERF:-}" ]; then
    perf record -q -F 499 -g -p "$OP" -o "$PERF" 2>/dev/null & PIDS+=("$!")
    sleep 0.5
fi
for run in $(seq 1 "$RUNS"); do
    before=$(cpu "$OP")
    start=$(date +%s.%N)
    "$BIN/shadowctl" diff --socket "$DIR/mgmt.sock" --json "$NEW" > "$WORK/diff-out.json"
    end=$(date +%s.%N)
    printf 'run %d: %.2f s wall, shadow-ops %.2f s CPU\n' "$run" "$(echo "$end - $start" | bc)" \
        "$(echo "$(cpu "$OP") - $before" | bc)"
done
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["message"])' "$WORK/diff-out.json"
echo "shadow-ops after:  $(mem "$OP")"
