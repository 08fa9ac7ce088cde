#!/usr/bin/env bash
# Worker scaling and soak on loopback (no namespaces): shadow-master on 127.0.0.1:67 and [::1]:547,
# shadow-bench as a relay on an ephemeral port (RFC 8357), release binaries from a scratch path.
#
#   sudo bench/loopback.sh scaling [--workers "1 2"] [--count N] [--step S]
#   sudo bench/loopback.sh soak --rate4 R --rate6 R [--seconds 600] [--interval 10] [--workers W]
#   sudo bench/loopback.sh syscalls --rate4 R --rate6 R [--seconds 20]
#
# scaling: for each worker count, one master with workers_v4 = workers_v6 = W, then
#          `shadow-bench load --max` for v4 and then v6, one at a time; server CPU per exchange.
# soak:    one master; DHCPv4 and DHCPv6 load at the same time at the given rates, first 10 s
#          (reference), then --seconds; VmRSS of the master and every worker every --interval s.
# syscalls: one master, one worker per protocol; each protocol alone at its fixed rate for --seconds
#          (at most 120): the worker's CPU per exchange (/proc/PID/stat) over the run minus 3 s at
#          each end, then the same run again with `perf stat` counting the worker's system calls
#          (tracepoints raw_syscalls:sys_enter and syscalls:sys_enter_*) in that window: system
#          calls per datagram received.
#
# Everything it starts is stopped by PID on exit; every bench call is bounded by `timeout`.
# Environment: BIN (default .build-rel/release), OUT (default a new /tmp/shadow-loopback.*).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build-rel/release}
OUT=${OUT:-$(mktemp -d /tmp/shadow-loopback.XXXXXX)}
MODE=${1:?usage: loopback.sh scaling|soak ...}; shift
WORKERS="1 2"; COUNT=100000; STEP=4; RATE4=0; RATE6=0; SECONDS_=600; INTERVAL=10
while [ $# -gt 0 ]; do
    case $1 in
        --workers) WORKERS=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --step) STEP=$2; shift 2 ;;
        --rate4) RATE4=$2; shift 2 ;;
        --rate6) RATE6=$2; shift 2 ;;
        --seconds) SECONDS_=$2; shift 2 ;;
        --interval) INTERVAL=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 64 ;;
    esac
done

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# Starts a master with W workers per protocol on a freshly generated directory; sets MASTER.
start_master() {
    local w=$1 conf=$OUT/conf-w$1
    rm -rf "$conf"; mkdir -p "$conf"
    "$BIN/shadow-bench" generate --count "$COUNT" --out "$conf" --server-v4 127.0.0.1 --server-v6 ::1 \
        --state-dir "$conf/state" > /dev/null
    python3 - "$conf/config.json" "$w" <<'EOF'
import json, sys
path, w = sys.argv[1], int(sys.argv[2])
c = json.load(open(path))
c["workers_v4"] = w
c["workers_v6"] = w
json.dump(c, open(path, "w"), indent=2)
EOF
    "$BIN/shadow-master" --configdir "$conf" > "$OUT/master-w$w.log" 2>&1 &
    MASTER=$!
    PIDS+=("$MASTER")
    local i
    for i in $(seq 1 60); do
        if timeout 3 "$BIN/shadow-bench" probe --server 127.0.0.1 --mac 02-00-00-00-00-00 --timeout 1 >/dev/null 2>&1 &&
           timeout 3 "$BIN/shadow-bench" probe --v6 --server ::1 --mac 02-00-00-00-00-00 --timeout 1 >/dev/null 2>&1; then
            log "master $MASTER with $w worker(s) per protocol answers both protocols"
            return 0
        fi
        sleep 1
    done
    log "master did not answer within 60 s; see $OUT/master-w$w.log"; exit 1
}

stop_master() {
    kill "$MASTER" 2>/dev/null || true
    wait "$MASTER" 2>/dev/null || true
}

server_pids() { echo "$1"; ps -o pid= --ppid "$1" 2>/dev/null || true; }
ticks() {
    local total=0 p
    for p in $(server_pids "$1"); do
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
    done
    echo "$total"
}

# shadow-bench load against loopback: protocol, then load arguments.
load() {
    local proto=$1; shift
    if [ "$proto" = v4 ]; then
        timeout 900 "$BIN/shadow-bench" load --server 127.0.0.1 --bind 127.0.0.1 --port 0 --count "$COUNT" "$@" --json
    else
        timeout 900 "$BIN/shadow-bench" load --v6 --server ::1 --bind ::1 --port 0 --count "$COUNT" "$@" --json
    fi
}

summary() {  # label, ticks, json file
    python3 - "$@" <<'EOF'
import json, os, sys
label, ticks, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = json.load(open(path)); r = d["result"]
done = sum(s["completed"] for s in d.get("steps", [r])) if r else 0
cpu = ticks / os.sysconf("SC_CLK_TCK") * 1e6
lat = (r or {}).get("latency_us") or {}
print(f'{label}\toffered {r["offered_rate"] if r else "-"}\t{r["exchanges_per_s"] if r else 0} exch/s\t'
      f'drop {r["drop_percent"] if r else 100} %\tp50 {lat.get("p50","-")} p99 {lat.get("p99","-")} us\t'
      + (f'CPU {cpu / done:.1f} us/exchange\t' if ticks and done else '')
      + f'generator kept up {r["generator_kept_up"] if r else "-"}')
EOF
}

case $MODE in
scaling)
    for w in $WORKERS; do
        start_master "$w"
        for proto in v4 v6; do
            log "workers=$w $proto: maximum search"
            local_before=$(ticks "$MASTER")
            load "$proto" --max --start-rate 5000 --step "$STEP" --duration $((STEP * 8 + 8)) \
                > "$OUT/max-w$w-$proto.json" || log "load failed"
            local_after=$(ticks "$MASTER")
            summary "workers=$w $proto max" $((local_after - local_before)) "$OUT/max-w$w-$proto.json" | tee -a "$OUT/summary.txt"
        done
        stop_master
    done
    ;;
soak)
    [ "$RATE4" -gt 0 ] && [ "$RATE6" -gt 0 ] || { echo "soak needs --rate4 and --rate6" >&2; exit 64; }
    w=${WORKERS%% *}
    start_master "$w"
    log "reference: 10 s at $RATE4 DORA/s + $RATE6 SARR/s"
    load v4 --rate "$RATE4" --duration 10 > "$OUT/ref-v4.json" & a=$!; PIDS+=("$a")
    load v6 --rate "$RATE6" --duration 10 > "$OUT/ref-v6.json" & b=$!; PIDS+=("$b")
    wait "$a" "$b" || true
    summary "ref v4 10s" 0 "$OUT/ref-v4.json" | tee -a "$OUT/summary.txt"
    summary "ref v6 10s" 0 "$OUT/ref-v6.json" | tee -a "$OUT/summary.txt"
    log "soak: $SECONDS_ s at $RATE4 DORA/s + $RATE6 SARR/s, RSS every $INTERVAL s"
    load v4 --rate "$RATE4" --duration "$SECONDS_" > "$OUT/soak-v4.json" & a=$!; PIDS+=("$a")
    load v6 --rate "$RATE6" --duration "$SECONDS_" > "$OUT/soak-v6.json" & b=$!; PIDS+=("$b")
    echo -e "t_s\tpid\tcomm\tVmRSS_KiB" > "$OUT/rss.tsv"
    start=$(date +%s)
    for i in $(seq 0 $((SECONDS_ / INTERVAL + 1))); do
        now=$(( $(date +%s) - start ))
        for p in $(server_pids "$MASTER"); do
            kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo -)
            echo -e "$now\t$p\t$(cat /proc/$p/comm 2>/dev/null)\t$kib" >> "$OUT/rss.tsv"
        done
        kill -0 "$a" 2>/dev/null || kill -0 "$b" 2>/dev/null || break
        sleep "$INTERVAL"
    done
    wait "$a" "$b" || true
    summary "soak v4 ${SECONDS_}s" 0 "$OUT/soak-v4.json" | tee -a "$OUT/summary.txt"
    summary "soak v6 ${SECONDS_}s" 0 "$OUT/soak-v6.json" | tee -a "$OUT/summary.txt"
    python3 - "$OUT/rss.tsv" <<'EOF' | tee -a "$OUT/summary.txt"
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
by = collections.defaultdict(list)
for t, pid, comm, kib in rows:
    if kib.isdigit(): by[(pid, comm)].append((int(t), int(kib)))
for (pid, comm), s in sorted(by.items()):
    v = [k for _, k in s]; first = v[0]
    spread = (max(v) - min(v)) / first * 100
    print(f"{comm} {pid}: {len(v)} samples, first {first} KiB, last {v[-1]} KiB, min {min(v)}, max {max(v)}, "
          f"spread {spread:.2f} % of first -> {'flat' if spread <= 5 else 'NOT flat'} (5 %)")
EOF
    stop_master
    ;;
syscalls)
    [ "$RATE4" -gt 0 ] && [ "$RATE6" -gt 0 ] || { echo "syscalls needs --rate4 and --rate6" >&2; exit 64; }
    [ "$SECONDS_" = 600 ] && SECONDS_=20     # the default of the other modes
    [ "$SECONDS_" -ge 10 ] && [ "$SECONDS_" -le 120 ] || { echo "syscalls: --seconds 10..120" >&2; exit 64; }
    start_master 1
    window=$((SECONDS_ - 6))
    EVENTS=raw_syscalls:sys_enter
    for c in poll recvmmsg sendmmsg recvmsg sendmsg; do EVENTS+=",syscalls:sys_enter_$c"; done
    for proto in v4 v6; do
        rate=$RATE4; [ "$proto" = v6 ] && rate=$RATE6
        worker=$(ps -o pid=,comm= --ppid "$MASTER" | awk -v c="shadow-$proto" '$2 == c {print $1; exit}')
        [ -n "$worker" ] || { log "no shadow-$proto worker"; exit 1; }
        for traced in no yes; do   # CPU first without perf attached, then the system calls
            log "$proto at $rate exchanges/s for $SECONDS_ s, perf $traced (worker $worker)"
            load "$proto" --rate "$rate" --duration "$SECONDS_" > "$OUT/sys-$proto-$traced.json" & l=$!; PIDS+=("$l")
            sleep 3
            t0=$(sed 's/.*) //' "/proc/$worker/stat" | awk '{print $12 + $13}')
            if [ "$traced" = yes ]; then
                perf stat -x, -o "$OUT/syscalls-$proto.csv" -e "$EVENTS" -p "$worker" -- sleep "$window" || true
            else
                sleep "$window"
            fi
            t1=$(sed 's/.*) //' "/proc/$worker/stat" | awk '{print $12 + $13}')
            wait "$l" || true
            python3 - "$proto" "$traced" "$rate" "$window" $((t1 - t0)) "$OUT/sys-$proto-$traced.json" \
                "$OUT/syscalls-$proto.csv" <<'EOF' | tee -a "$OUT/summary.txt"
import json, os, sys
proto, traced, rate, window, ticks, path, trace = sys.argv[1:8]
rate, window, ticks = int(rate), int(window), int(ticks)
r = json.load(open(path))["result"]
exchanges = rate * window                       # the schedule's exchanges inside the window
line = (f"{proto} {rate}/s perf={traced}: drop {r['drop_percent']} %, p50 {r['latency_us']['p50']} us; "
        f"worker CPU {ticks / os.sysconf('SC_CLK_TCK') * 1e6 / exchanges:.1f} us/exchange over {window} s")
if traced == "yes" and os.path.exists(trace):
    calls = {}
    for l in open(trace):
        f = l.strip().split(",")
        if len(f) > 2 and f[0].isdigit():
            calls[f[2].split(":")[-1].replace("sys_enter_", "").replace("sys_enter", "all")] = int(f[0])
    datagrams = 2 * exchanges                   # two requests per exchange
    line += "; system calls per datagram received: " + ", ".join(f"{n} {c / datagrams:.2f}" for n, c in calls.items())
print(line)
EOF
        done
    done
    stop_master
    ;;
*) echo "unknown mode $MODE" >&2; exit 64 ;;
esac
log "results in $OUT"
