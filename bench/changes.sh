#!/usr/bin/env bash
# Single reservation changes under load (docs/performance.md, "Per-reservation changes").
#
#   sudo bench/changes.sh [N]     # default 1000000; BIN (default .build/release), WORK, RATE (1000 changes/s),
#                                 # CHANGES (30000), LANES (3000 concurrent requests), PROBE_RATE (200)
#
# Starts shadow-master with N reservations and a management socket in a network namespace of its
# own, runs `shadow-bench load` (DHCPv4, PROBE_RATE exchanges/s) as a probe of the workers, and
# meanwhile sends CHANGES single changes (add, update, delete of new subscribers, each its own
# request and connection) at RATE per second from LANES concurrent clients (bench/changes.py).
# Prints achieved changes/s, latency, the probe's lost exchanges, the commits (group sizes) and the
# master's and shadow-ops's resident memory before and after. Everything it starts is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
RATE=${RATE:-1000}
CHANGES=${CHANGES:-30000}
LANES=${LANES:-3000}
PROBE_RATE=${PROBE_RATE:-200}
WORK=${WORK:-/tmp/shadow-changes}
NS=${NS:-sdb-changes}
[ "$(id -u)" = 0 ] || { echo "bench/changes.sh needs root (namespace, ports 67/547)" >&2; exit 1; }
GEN=$WORK/gen-$COUNT
DIR=$WORK/run-$COUNT
mkdir -p "$WORK"
source "$ROOT/bench/lib/generated.sh"
source "$ROOT/bench/lib/server.sh"
generated_set "$GEN" "$COUNT"
fresh_copy "$GEN" "$DIR"
with_mgmt_socket "$DIR/config.json" "$DIR/mgmt.sock" "$((LANES + 64))"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
LOG=$WORK/changes-$COUNT.log
start_master "$DIR" "$LOG"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$1/status"; echo; }
# Both keep a working copy: shadow-ops (the master's child of that name) to apply the requests,
# the master to apply the changes ops sends it.
ops() { for c in $(cat /proc/$MP/task/*/children 2>/dev/null); do
            [ "$(cat /proc/$c/comm 2>/dev/null)" = shadow-ops ] && echo "$c"; done | head -1; }
echo "master before: $(rss "$MP")"
OP=$(ops); [ -n "$OP" ] && echo "ops before:    $(rss "$OP")"
DURATION=$(python3 -c "print(int($CHANGES / $RATE) + 15)")
ip netns exec "$NS" timeout $((DURATION + 60)) "$BIN/shadow-bench" load --server 127.0.0.1 --bind 127.0.0.1 --port 0 \
    --count "$COUNT" --rate "$PROBE_RATE" --duration "$DURATION" --json > "$WORK/changes-probe.json" & BP=$!
PIDS+=("$BP")
sleep 2
ip netns exec "$NS" python3 "$ROOT/bench/changes.py" "$DIR/mgmt.sock" "$COUNT" "$CHANGES" "$RATE" "$LANES" \
    | tee "$WORK/changes-result.json"
echo "master after:  $(rss "$MP")"
OP=$(ops); [ -n "$OP" ] && echo "ops after:     $(rss "$OP")"
wait "$BP"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]; l = r["latency_us"]
print("probe (v4): %d of %d exchanges completed, %d timed out, %d wrong; latency p50 %.0f us, p99 %.0f us, max %.0f us"
      % (r["completed"], r["started"], r["timed_out"], r["wrong"], l["p50"], l["p99"], l["max"]))' "$WORK/changes-probe.json"
grep 'reservation changes committed"' "$LOG" | python3 -c '
import json, sys
g = [json.loads(l) for l in sys.stdin]
sizes = sorted(int(x["requests"]) for x in g)
if sizes:
    print("commits: %d, requests per commit: min %d, median %d, max %d" % (len(sizes), sizes[0], sizes[len(sizes)//2], sizes[-1]))'
# The master's side of each commit (changes-request): its phases in ms, first commit apart.
grep 'reservation changes committed and persisted to disk"' "$LOG" | python3 -c '
import json, sys
g = [json.loads(l) for l in sys.stdin]
phases = ["build_ms", "apply_ms", "write_ms", "rename_ms", "publish_ms"]
g = [x for x in g if all(p in x for p in phases)]
if g:
    print("master, first commit: " + ", ".join("%s %s" % (p, g[0][p]) for p in phases))
    rest = g[1:]
    if rest:
        def span(p):
            v = sorted(int(x[p]) for x in rest)
            return "%s %d/%d/%d" % (p, v[0], v[len(v)//2], v[-1])
        print("master, later commits (min/median/max): " + ", ".join(span(p) for p in phases))'
python3 - "$DIR/mgmt.sock" "$COUNT" <<'PY'
import json, socket, sys, time
def ask(req):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    t0 = time.monotonic(); s.sendall(json.dumps(req).encode() + b"\n")
    out = b""
    while not out.endswith(b"\n"):
        chunk = s.recv(1 << 16)
        if not chunk: break
        out += chunk
    return (time.monotonic() - t0) * 1000, out
last = int(sys.argv[2]) - 1
for name, req in [("reservation-get by mac", {"command": "reservation-get", "mac": "02-00-%02X-%02X-%02X-%02X" % tuple((last >> s) & 0xFF for s in (24, 16, 8, 0))}),
                  ("reservation-get by ipv4 (last entry, full scan)", {"command": "reservation-get", "ipv4": "100.64.0.2"[:0] + ".".join(str(((0x64400000 + 2 + last) >> s) & 0xFF) for s in (24, 16, 8, 0))}),
                  ("reservation-get by ipv4 (absent, full scan)", {"command": "reservation-get", "ipv4": "100.127.255.254"}),
                  ("reservations-list limit 1000", {"command": "reservations-list", "from": 500000, "limit": 1000}),
                  ("status", {"command": "status"})]:
    times = sorted(ask(req)[0] for _ in range(5))
    found = b'"reservation":null' not in ask(req)[1]
    print("%-50s median %.1f ms (found: %s)" % (name, times[2], found))
PY
