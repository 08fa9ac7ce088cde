#!/usr/bin/env bash
# High availability benchmark: failover time, binding sync, CPU of the peer channel. Needs root.
# See docs/performance.md, "High availability".
#
#   sudo bench/ha.sh                     # everything (about 12 minutes on 2 shared cores)
#   bench/ha.sh [--skip-build] [--only "failover sync cpu"] [--repeat R] [--heartbeats "1000:3 200:3"]
#               [--sync-count N] [--sync-rate R] [--cpu-rate R] [--cpu-duration S] [--cpu-plans "option82 option82-known mac"]
#               [--out DIR]
#
# Topology: three network namespaces joined by a bridge in the relay's: sdb-ha-a (server dhcp-a,
# 198.18.0.1, 2001:db8:ffff::1), sdb-ha-b (server dhcp-b, .2, ::2), sdb-ha-r (the relay and load
# generator, .10, ::10). Each server is shadow-master with a configuration from `shadow-bench
# generate`, a management socket and an `ha` section naming the other as its peer (port 8548, one
# key made by `shadowctl ha-key new`). Server a runs on CPU 0, server b and the load on CPU 1.
#
# 1. failover: for each mode (load-balancing, hot-standby with primary dhcp-a) and each
#    heartbeat_ms:max_missed_heartbeats of --heartbeats, R times: start both servers, wait until
#    each reports its peer up, then `ha.py failover` (a relay at 198.18.0.10:67) finds a plan
#    subscriber that only dhcp-a answers, sends it a DISCOVER to both servers every 20 ms until
#    dhcp-a alone has answered for 2 s, kill -9s dhcp-a's master and reports the seconds until
#    dhcp-b answers a DISCOVER sent after the kill. Also checks that dhcp-a's workers died with it.
# 2. sync: active-active, the Option 82 plan (`generate --option82`: every ACK teaches a new
#    binding), empty state directories; `shadow-bench load --option82` runs DORA at --sync-rate
#    (default 10,000/s) against dhcp-a for --sync-count (default 150,000) subscribers, each once,
#    while `ha.py sample` asks both servers `{"command":"bindings"}` every 20 ms. `ha.py lag` reads
#    the two count curves: for every count level between 1 % and 99 % of the bindings learned, the
#    time dhcp-b reached it minus the time dhcp-a did (both linearly interpolated between samples)
#    is one lag; p50/p99 over the levels. Throughput: each curve's slope from 10 % to 90 %. Then
#    SARR (`load --v6 --option82`) against dhcp-b: its v6 worker answers those subscribers only
#    through the bindings dhcp-a learned.
# 3. cpu: DORA at --cpu-rate (default 8,000/s) for --cpu-duration s (default 20) against dhcp-a,
#    ha off (dhcp-a alone, no `ha`) and on (active-active with dhcp-b up), alternating R times per
#    plan (option82: every exchange teaches a new binding that goes to the peer; option82-known:
#    10,000 subscribers whose bindings a warm-up run taught, so the exchanges are renewals that
#    change nothing; mac: no binding, the channel carries heartbeats only). CPU = utime + stime
#    (/proc/PID/stat) of dhcp-a's master and its children (v4, v6, ops) over the run, divided by the
#    exchanges completed; also per process, since the peer channel's work is in master and ops.
#
# Network hygiene: 198.18.0.0/15 and 2001:db8:ffff::/64 only inside the namespaces this script
# creates and deletes on exit (also on failure or Ctrl-C); every process it starts is stopped by PID.
# Binaries: BIN (default .build-rel/release), built with `swift build -c release --build-path
# .build-rel` unless --skip-build. The whole run is bounded by BENCH_MAX_SECONDS (default 3600).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND_LINE="bench/ha.sh $*"
BUILD_PATH=${BENCH_BUILD_PATH:-$ROOT/.build-rel}
BIN=${BIN:-$BUILD_PATH/release}
MAX_SECONDS=${BENCH_MAX_SECONDS:-3600}

ONLY="failover sync cpu"
REPEAT=3
HEARTBEATS="1000:3 200:3"
SYNC_COUNT=150000
SYNC_RATE=10000
CPU_RATE=8000
CPU_DURATION=20
CPU_PLANS="option82 option82-known mac"
SKIP_BUILD=0
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --skip-build) SKIP_BUILD=1; shift ;;
        --only) ONLY=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --heartbeats) HEARTBEATS=$2; shift 2 ;;
        --sync-count) SYNC_COUNT=$2; shift 2 ;;
        --sync-rate) SYNC_RATE=$2; shift 2 ;;
        --cpu-rate) CPU_RATE=$2; shift 2 ;;
        --cpu-duration) CPU_DURATION=$2; shift 2 ;;
        --cpu-plans) CPU_PLANS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench/ha.sh needs root (namespaces, ports 67/547)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/ha.sh needs python3 (bench/ha.py)" >&2; exit 1; }

NS_A=sdb-ha-a; NS_B=sdb-ha-b; NS_R=sdb-ha-r
A4=198.18.0.1; B4=198.18.0.2; R4=198.18.0.10
A6=2001:db8:ffff::1; B6=2001:db8:ffff::2; R6=2001:db8:ffff::10
HA_PORT=8548
CPU_A=0; CPU_B=1; CPU_LOAD=1
WORK=${OUT:-$(mktemp -d /tmp/shadow-ha.XXXXXX)}
mkdir -p "$WORK"
chmod 0700 "$WORK"
FAILOVER="$WORK/failover.tsv"; SYNC="$WORK/sync.tsv"; CPU="$WORK/cpu.tsv"
: > "$FAILOVER"; : > "$SYNC"; : > "$CPU"
HAPY="$ROOT/bench/ha.py"
PIDS=()
RUN=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
    for ns in "$NS_A" "$NS_B" "$NS_R"; do ip netns del "$ns" 2>/dev/null || true; done
    echo "namespaces removed; work files in $WORK" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$MAX_SECONDS" & sleeper=$!
    wait "$sleeper"
    echo "bench/ha.sh: time limit of ${MAX_SECONDS}s reached" >&2
    kill -TERM $$
) &
PIDS+=($!)

log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

build() {
    [ "$SKIP_BUILD" = 1 ] && return
    log "building release into $BUILD_PATH"
    # One product per call: swift build builds only the last of several --product flags.
    for p in shadow-master shadow-v4 shadow-v6 shadow-ops shadowctl shadow-bench; do
        nice swift build -c release --build-path "$BUILD_PATH" --product "$p" >&2
    done
}

setup_namespaces() {
    log "namespaces $NS_A ($A4) and $NS_B ($B4), bridged in $NS_R ($R4)"
    local ns
    for ns in "$NS_A" "$NS_B" "$NS_R"; do
        ip netns del "$ns" 2>/dev/null || true
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_R" link add br0 type bridge
    ip -n "$NS_R" link set br0 up
    ip -n "$NS_R" addr add "$R4/24" dev br0
    ip -n "$NS_R" addr add "$R6/64" dev br0 nodad
    local side ns4 addr4 addr6
    for side in a b; do
        if [ "$side" = a ]; then ns4=$NS_A; addr4=$A4; addr6=$A6; else ns4=$NS_B; addr4=$B4; addr6=$B6; fi
        ip link add "srv-$side" netns "$ns4" type veth peer name "br-$side" netns "$NS_R"
        ip -n "$NS_R" link set "br-$side" master br0
        ip -n "$NS_R" link set "br-$side" up
        ip -n "$ns4" addr add "$addr4/24" dev "srv-$side"
        ip -n "$ns4" addr add "$addr6/64" dev "srv-$side" nodad
        ip -n "$ns4" link set "srv-$side" up
    done
}

# Generates the configuration of server SIDE (a, b) for PLAN (mac, option82) and COUNT once, into
# $WORK/gen-PLAN-COUNT-SIDE; prints the directory.
generate() {
    local side=$1 plan=$2 count=$3 dir v4 v6 flag=""
    dir="$WORK/gen-$plan-$count-$side"
    if [ "$side" = a ]; then v4=$A4; v6=$A6; else v4=$B4; v6=$B6; fi
    [ "$plan" = option82 ] && flag=--option82
    if [ ! -f "$dir/reservations.json" ]; then
        "$BIN/shadow-bench" generate --count "$count" --out "$dir" --server-v4 "$v4" --server-v6 "$v6" \
            --state-dir "$WORK/state-$side" $flag > /dev/null
        cp "$dir/config.json" "$dir/config.base.json"
    fi
    echo "$dir"
}

# Writes DIR/config.json: the generated one plus the management socket and, unless MODE is "off",
# `ha` (this server SIDE, the other as its peer).
configure() {
    local dir=$1 side=$2 mode=$3 hb=${4:-1000} missed=${5:-3}
    python3 - "$dir" "$side" "$mode" "$hb" "$missed" "$WORK" "$A4" "$B4" "$HA_PORT" <<'EOF'
import json, sys
d, side, mode, hb, missed, work, a4, b4, port = sys.argv[1:10]
config = json.load(open(d + "/config.base.json"))
config["mgmt_socket"] = f"{work}/mgmt-{side}/socket"
if mode != "off":
    me, other = ("dhcp-a", "dhcp-b") if side == "a" else ("dhcp-b", "dhcp-a")
    ha = {"this_server": me, "mode": mode, "listen": f"{a4 if side == 'a' else b4}:{port}",
          "key_file": f"{work}/ha.key", "peers": [{"name": other, "address": f"{b4 if side == 'a' else a4}:{port}"}],
          "heartbeat_ms": int(hb), "max_missed_heartbeats": int(missed)}
    if mode == "hot-standby":
        ha["primary"] = "dhcp-a"
    config["ha"] = ha
json.dump(config, open(d + "/config.json", "w"), indent=1)
EOF
}

mgmt_socket() { echo "$WORK/mgmt-$1/socket"; }

# Starts server SIDE from DIR (state directory emptied first); the master's PID is left in STARTED.
STARTED=""
start_server() {
    local side=$1 dir=$2 ns cpu
    if [ "$side" = a ]; then ns=$NS_A; cpu=$CPU_A; else ns=$NS_B; cpu=$CPU_B; fi
    rm -rf "$WORK/state-$side"; mkdir -p "$WORK/state-$side"
    RUN=$((RUN + 1))
    ip netns exec "$ns" taskset -c "$cpu" "$BIN/shadow-master" --configdir "$dir" \
        > "$WORK/run$RUN-$side.log" 2>&1 & STARTED=$!
    PIDS+=("$STARTED")
}

# Waits until server SIDE (master PID) answers `status` on its management socket.
wait_status() {
    local side=$1 pid=$2
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || { log "server $side exited; see $WORK/run*-$side.log"; return 1; }
        python3 "$HAPY" mgmt "$(mgmt_socket "$side")" '{"command":"status"}' >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log "server $side does not answer status"; return 1
}

# Waits until both servers report their peer up (`peers`), at most 30 s.
wait_peers() {
    python3 "$HAPY" wait-peers 30 "$(mgmt_socket a)" "$(mgmt_socket b)" > /dev/null
}

stop_server() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
}

# server_pids, server_ticks
source "$ROOT/bench/lib/proc.sh"

# The same per process: "comm=ticks" for the master and each child, space-separated.
server_ticks_each() {
    local pid comm fields
    for pid in $(server_pids "$1"); do
        comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        printf '%s=%s ' "$comm" "$(echo "$fields" | awk '{print $12 + $13}')"
    done
}

# shadow-bench in the relay's namespace, on the load's CPU; prints its JSON.
bench() {
    ip netns exec "$NS_R" taskset -c "$CPU_LOAD" timeout 700 "$BIN/shadow-bench" "$@" --json
}

run_failover() {
    local dir_a dir_b mode hb missed spec rep pa pb children json left
    dir_a=$(generate a mac 1000); dir_b=$(generate b mac 1000)
    for spec in $HEARTBEATS; do
        hb=${spec%:*}; missed=${spec#*:}
        for mode in load-balancing hot-standby; do
            for rep in $(seq 1 "$REPEAT"); do
                log "failover: $mode, heartbeat ${hb} ms x $missed, run $rep"
                configure "$dir_a" a "$mode" "$hb" "$missed"; configure "$dir_b" b "$mode" "$hb" "$missed"
                start_server a "$dir_a"; pa=$STARTED; start_server b "$dir_b"; pb=$STARTED
                if wait_status a "$pa" && wait_status b "$pb" && wait_peers; then
                    children=$(ps -o pid= --ppid "$pa" | tr '\n' ' ')
                    json=$(ip netns exec "$NS_R" timeout 120 python3 "$HAPY" failover --pid "$pa" --victim "$A4" \
                        --survivor "$B4" --giaddr "$R4" --mode "$mode") || true
                    # The master's death takes its workers with it (PR_SET_PDEATHSIG).
                    left="not killed"
                    if ! kill -0 "$pa" 2>/dev/null; then
                        for _ in $(seq 1 20); do
                            left=$(for c in $children; do kill -0 "$c" 2>/dev/null && echo "$c" || true; done | xargs)
                            [ -z "$left" ] && break
                            sleep 0.1
                        done
                    fi
                    [ "$left" = "not killed" ] || for c in $left; do kill -KILL "$c" 2>/dev/null || true; done
                    [ -n "$json" ] || json='{}'
                    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$hb" "$missed" "$rep" "${left:-none}" "$json" >> "$FAILOVER"
                    log "failover: ${json:-no result}; children left after 2 s: ${left:-none}"
                else
                    log "failover: the servers did not come up; see $WORK/run$RUN-*.log"
                fi
                stop_server "$pa"; stop_server "$pb"
            done
        done
    done
}

run_sync() {
    local dir_a dir_b pa pb sampler load_json v6_json lag duration
    dir_a=$(generate a option82 "$SYNC_COUNT"); dir_b=$(generate b option82 "$SYNC_COUNT")
    configure "$dir_a" a active-active; configure "$dir_b" b active-active
    log "sync: $SYNC_COUNT bindings learned by dhcp-a at $SYNC_RATE DORA/s, counted on both servers"
    start_server a "$dir_a"; pa=$STARTED; start_server b "$dir_b"; pb=$STARTED
    if ! { wait_status a "$pa" && wait_status b "$pb" && wait_peers; }; then
        log "sync: the servers did not come up; see $WORK/run$RUN-*.log"
        stop_server "$pa"; stop_server "$pb"; return 0
    fi
    python3 "$HAPY" sample --a "$(mgmt_socket a)" --b "$(mgmt_socket b)" --out "$WORK/sync-samples.tsv" & sampler=$!
    PIDS+=("$sampler")
    sleep 1
    # A little over N / rate: every subscriber once (the few that start over teach nothing new).
    duration=$(awk -v n="$SYNC_COUNT" -v r="$SYNC_RATE" 'BEGIN { printf "%.3f", (n + 2) / r }')
    load_json=$(bench load --option82 --server "$A4" --bind "$R4" --count "$SYNC_COUNT" --rate "$SYNC_RATE" \
        --duration "$duration") || true
    sleep 3
    kill -TERM "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    lag=$(python3 "$HAPY" lag "$WORK/sync-samples.tsv") || true
    log "sync: $lag"
    log "sync: SARR against dhcp-b for the same subscribers (answered only through the synced bindings)"
    v6_json=$(bench load --v6 --option82 --server "$B6" --bind "$R6" --count "$SYNC_COUNT" --rate "$SYNC_RATE" \
        --duration "$(awk -v n="$SYNC_COUNT" -v r="$SYNC_RATE" 'BEGIN { d = (n - 1) / r; printf "%.3f", d < 3 ? d : 3 }')") || true
    [ -n "$lag" ] || lag='{}'
    printf '%s\t%s\t%s\t%s\t%s\n' "$SYNC_COUNT" "$SYNC_RATE" "${load_json//$'\n'/ }" "$lag" "${v6_json//$'\n'/ }" >> "$SYNC"
    stop_server "$pa"; stop_server "$pb"
}

# One CPU run of dhcp-a: PLAN, ha on or off, repetition; appends a row to $CPU.
cpu_run() {
    local plan=$1 ha=$2 rep=$3 count dir_a dir_b pa pb="" before after before_b=0 after_b=0 json
    # option82: a new binding per exchange; option82-known: 10,000 subscribers whose bindings a
    # warm-up run taught first (renewals: nothing changes, nothing to send); mac: no binding at all.
    local keying=mac flag=""
    count=$((CPU_RATE * CPU_DURATION))
    case "$plan" in
        option82) keying=option82; flag=--option82 ;;
        option82-known) keying=option82; flag=--option82; count=10000 ;;
    esac
    dir_a=$(generate a "$keying" "$count"); dir_b=$(generate b "$keying" "$count")
    if [ "$ha" = on ]; then configure "$dir_a" a active-active; configure "$dir_b" b active-active
    else configure "$dir_a" a off; fi
    start_server a "$dir_a"; pa=$STARTED
    if [ "$ha" = on ]; then start_server b "$dir_b"; pb=$STARTED; fi
    if ! wait_status a "$pa" || { [ "$ha" = on ] && ! { wait_status b "$pb" && wait_peers; }; }; then
        log "cpu: the servers did not come up; see $WORK/run$RUN-*.log"
        stop_server "$pa"; [ -n "$pb" ] && stop_server "$pb"; return 0
    fi
    if [ "$plan" = option82-known ]; then
        bench load $flag --server "$A4" --bind "$R4" --count "$count" --rate "$CPU_RATE" \
            --duration "$(awk -v n="$count" -v r="$CPU_RATE" 'BEGIN { printf "%.3f", (n + 2) / r }')" > /dev/null || true
    fi
    sleep 1
    local each_before each_after
    before=$(server_ticks "$pa"); [ -n "$pb" ] && before_b=$(server_ticks "$pb")
    each_before=$(server_ticks_each "$pa")
    json=$(bench load $flag --server "$A4" --bind "$R4" --count "$count" --rate "$CPU_RATE" --duration "$CPU_DURATION") || true
    after=$(server_ticks "$pa"); [ -n "$pb" ] && after_b=$(server_ticks "$pb")
    each_after=$(server_ticks_each "$pa")
    local bindings_b="-"
    [ -n "$pb" ] && bindings_b=$(python3 "$HAPY" mgmt "$(mgmt_socket b)" '{"command":"bindings"}' 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["binding_count"])' 2>/dev/null || echo "-")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$plan" "$ha" "$rep" "$((after - before))" "$((after_b - before_b))" \
        "$(getconf CLK_TCK)" "$bindings_b" "${json//$'\n'/ }" "$each_before" "$each_after" >> "$CPU"
    stop_server "$pa"; [ -n "$pb" ] && stop_server "$pb"
    return 0
}

run_cpu() {
    local plan rep
    for plan in $CPU_PLANS; do
        for rep in $(seq 1 "$REPEAT"); do
            log "cpu: $plan plan, $CPU_RATE DORA/s for ${CPU_DURATION} s, ha off then on, pair $rep"
            cpu_run "$plan" off "$rep"
            cpu_run "$plan" on "$rep"
        done
    done
}

machine() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command: $COMMAND_LINE"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo -)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

build
[ -x "$BIN/shadow-master" ] && [ -x "$BIN/shadow-bench" ] || { echo "no binaries in $BIN: build first" >&2; exit 1; }
machine | tee "$WORK/machine.txt" >&2
"$BIN/shadowctl" ha-key new "$WORK/ha.key" > /dev/null
setup_namespaces
for part in $ONLY; do
    case "$part" in
        failover) run_failover ;;
        sync) run_sync ;;
        cpu) run_cpu ;;
        *) echo "unknown part: $part" >&2; exit 2 ;;
    esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/machine.txt"
python3 - "$WORK" <<'EOF' | tee "$WORK/tables.md"
import json, statistics, sys
work = sys.argv[1]
print("```"); print(open(f"{work}/machine.txt").read().rstrip()); print("```")
def rows(name):
    return [l.rstrip("\n").split("\t") for l in open(f"{work}/{name}") if l.strip()]
def doc(text):
    try:
        return json.loads(text)
    except ValueError:
        return {}
fo = rows("failover.tsv")
if fo:
    print("\nFailover: seconds from kill -9 of dhcp-a's master to dhcp-b's first OFFER to a client only dhcp-a answered\n")
    print("| mode | heartbeat | limit (hb × missed + 1 s) | runs | failover s (each run) | workers left |")
    print("|---|---|---|---|---|---|")
    groups = {}
    for mode, hb, missed, rep, left, j in fo:
        groups.setdefault((mode, int(hb), int(missed)), []).append((doc(j), left))
    for (mode, hb, missed), runs in groups.items():
        times = [str(d["failover_s"]) if "failover_s" in d else d.get("error", "failed") for d, _ in runs]
        left = ", ".join(sorted({l for _, l in runs}))
        print(f"| {mode} | {hb} ms × {missed} | {(hb * missed + 1000) / 1000:.1f} s | {len(runs)} | {'; '.join(times)} | {left} |")
sy = rows("sync.tsv")
for count, rate, load, lag, v6 in sy:
    load, lag, v6 = doc(load).get("result", {}), doc(lag), doc(v6).get("result", {})
    print(f"\nBinding sync: {count} subscribers, DORA at {rate}/s against dhcp-a (Option 82 plan, active-active)\n")
    print(f"* DORA completed: {load.get('completed')} of {load.get('started')} (timed out {load.get('timed_out')}, wrong {load.get('wrong')})")
    print(f"* bindings learned by dhcp-a: {lag.get('learned_a')}, received by dhcp-b: {lag.get('received_b')} "
          f"(samples every {lag.get('sample_interval_ms')} ms)")
    print(f"* learning rate dhcp-a: {lag.get('learn_rate_a_per_s')}/s; sync rate dhcp-b: {lag.get('sync_rate_b_per_s')}/s")
    l = lag.get("lag_ms", {})
    print(f"* lag dhcp-a → dhcp-b: p50 {l.get('p50')} ms, p99 {l.get('p99')} ms, min {l.get('min')} ms, max {l.get('max')} ms; "
          f"last binding {lag.get('last_binding_lag_ms')} ms")
    if "error" in lag:
        print(f"* lag: {lag['error']}")
    print(f"* SARR against dhcp-b through the synced bindings: {v6.get('completed')} of {v6.get('started')} completed, "
          f"wrong {v6.get('wrong')}")
cpu = rows("cpu.tsv")
if cpu:
    print("\nCPU of dhcp-a (master + v4 + v6 + ops), µs per completed DORA; ha on = dhcp-b up as its peer\n")
    print("| plan | pair | ha off µs | ha on µs | on − off µs | completed off / on | dhcp-b CPU µs/exch | dhcp-b bindings |")
    print("|---|---|---|---|---|---|---|---|")
    runs = {}
    names = ["shadow-master", "shadow-v4", "shadow-v6", "shadow-ops"]
    def each(before, after):
        b = dict(x.split("=") for x in before.split())
        a = dict(x.split("=") for x in after.split())
        return {n: int(a[n]) - int(b[n]) for n in names if n in a and n in b}
    for plan, ha, rep, ticks, ticks_b, hz, bindings_b, j, *per in cpu:
        r = doc(j).get("result", {})
        done = r.get("completed") or 0
        us = int(ticks) / int(hz) * 1e6 / done if done else None
        us_b = int(ticks_b) / int(hz) * 1e6 / done if done else None
        parts = {n: t / int(hz) * 1e6 / done for n, t in each(*per).items()} if per and done else {}
        runs.setdefault((plan, rep), {})[ha] = (us, done, us_b, bindings_b, parts)
    diffs, part_diffs = {}, {}
    for (plan, rep), v in runs.items():
        off, on = v.get("off"), v.get("on")
        if not off or not on or off[0] is None or on[0] is None:
            continue
        diffs.setdefault(plan, []).append(on[0] - off[0])
        print(f"| {plan} | {rep} | {off[0]:.2f} | {on[0]:.2f} | {on[0] - off[0]:+.2f} | {off[1]} / {on[1]} | {on[2]:.2f} | {on[3]} |")
        for n in names:
            if n in off[4] and n in on[4]:
                part_diffs.setdefault(plan, {}).setdefault(n, []).append((off[4][n], on[4][n]))
    for plan, d in diffs.items():
        print(f"\n{plan}: on − off median {statistics.median(d):+.2f} µs per exchange over {len(d)} pairs")
    if part_diffs:
        print("\nThe same per process of dhcp-a, µs per exchange, off → on for each pair (the peer channel's own work is "
              "in shadow-master and shadow-ops; the workers do the same with ha on or off)\n")
        print("| plan | process | off → on per pair | median on − off |")
        print("|---|---|---|---|")
        for plan, per in part_diffs.items():
            for n, pairs in per.items():
                cells = "; ".join(f"{a:.2f} → {b:.2f}" for a, b in pairs)
                print(f"| {plan} | {n} | {cells} | {statistics.median(b - a for a, b in pairs):+.2f} |")
            both = [sum(p) for p in zip(*[[b - a for a, b in per[n]] for n in ("shadow-master", "shadow-ops") if n in per])]
            if both:
                print(f"| {plan} | master + ops | | {statistics.median(both):+.2f} |")
EOF
