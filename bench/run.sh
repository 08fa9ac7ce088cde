#!/usr/bin/env bash
# Benchmark: floor responder vs shadowdhcp (and optionally Kea) under shadow-bench, each in its own
# network namespace pair joined by a veth link. Needs root. See docs/performance.md.
#
#   bench/run.sh [--quick] [--skip-build] [--count N] [--rates "R1 R2 ..."] [--duration S]
#                [--only floor|shadowdhcp|kea] [--protocols "v4 v6"] [--out DIR] [--with-kea]
#
# --with-kea adds Kea (Debian kea-dhcp4-server / kea-dhcp6-server, installed with apt-get when
# missing) with the same reservations; --only kea --with-kea runs Kea alone.
#
# Network hygiene: all traffic stays inside the two namespaces this script creates (sdb-srv, sdb-load);
# they are removed on exit, also on failure or Ctrl-C. Every process it starts is stopped by PID.
# The whole run is bounded by BENCH_MAX_SECONDS (default 1200).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

COUNT=100000
RATES="1000 10000 30000"
DURATION=5
STEP=3
ONLY=""
PROTOCOLS="v4 v6"
SKIP_BUILD=0
WITH_KEA=0
OUT=""
MAX_SECONDS=${BENCH_MAX_SECONDS:-1200}
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) COUNT=10000; RATES="1000 10000"; DURATION=2; STEP=2; shift ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --count) COUNT=$2; shift 2 ;;
        --rates) RATES=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --protocols) PROTOCOLS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --with-kea) WITH_KEA=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (namespaces, ports 67/547)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/run.sh needs python3 (reads shadow-bench's JSON)" >&2; exit 1; }

# Addresses: 198.18.0.0/15 (benchmarking, RFC 2544) and 2001:db8::/32 (documentation), inside the
# namespaces only. The load namespace is the relay: giaddr / link-address = its own address.
NS_SRV=sdb-srv; NS_LOAD=sdb-load
SRV4=198.18.0.1; LOAD4=198.18.0.2
SRV6=2001:db8:ffff::1; LOAD6=2001:db8:ffff::2
SRV_CPU=0; LOAD_CPU=1
WORK=${OUT:-$(mktemp -d /tmp/shadow-bench.XXXXXX)}
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
PIDS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 0.3
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_LOAD" 2>/dev/null || true
    echo "namespaces removed; work files in $WORK" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Watchdog: the whole run is bounded in time.
# The subshell stops its own sleep when it is stopped, so nothing outlives the script.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$MAX_SECONDS" & sleeper=$!
    wait "$sleeper"
    echo "bench/run.sh: time limit of ${MAX_SECONDS}s reached" >&2
    kill -TERM $$
) &
PIDS+=($!)

log() { echo "== $*" >&2; }

build() {
    [ "$SKIP_BUILD" = 1 ] && return
    log "building release (swift build -c release) and the floor responder"
    nice swift build -c release --product shadow-bench >&2
    for p in shadow-master shadow-v4 shadow-v6; do nice swift build -c release --product "$p" >&2; done
    cc -O2 -Wall -o "$WORK/floor" bench/floor/floor.c
}

setup_namespaces() {
    log "namespaces $NS_SRV <-> $NS_LOAD ($SRV4 / $LOAD4, $SRV6 / $LOAD6)"
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_LOAD" 2>/dev/null || true
    ip netns add "$NS_SRV"
    ip netns add "$NS_LOAD"
    ip link add sdb-s type veth peer name sdb-l
    ip link set sdb-s netns "$NS_SRV"
    ip link set sdb-l netns "$NS_LOAD"
    ip -n "$NS_SRV" link set lo up
    ip -n "$NS_LOAD" link set lo up
    ip -n "$NS_SRV" addr add "$SRV4/24" dev sdb-s
    ip -n "$NS_LOAD" addr add "$LOAD4/24" dev sdb-l
    ip -n "$NS_SRV" addr add "$SRV6/64" dev sdb-s nodad
    ip -n "$NS_LOAD" addr add "$LOAD6/64" dev sdb-l nodad
    ip -n "$NS_SRV" link set sdb-s up
    ip -n "$NS_LOAD" link set sdb-l up
}

BENCH=""
# Runs shadow-bench in the load namespace on its own core; prints its JSON.
bench() {
    ip netns exec "$NS_LOAD" taskset -c "$LOAD_CPU" timeout 700 "$BENCH" "$@" --json
}

# All processes of the server: the given PID and its children (master + workers).
server_pids() {
    echo "$1"
    ps -o pid= --ppid "$1" 2>/dev/null || true
}

# utime + stime in clock ticks, summed over the server's processes.
server_ticks() {
    local total=0 pid fields
    for pid in $(server_pids "$1"); do
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

# VmRSS in KiB, summed over the server's processes.
server_rss_kib() {
    local total=0 pid kib
    for pid in $(server_pids "$1"); do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# One measured load run: impl, protocol, server PID, mode label, shadow-bench arguments.
measure() {
    local impl=$1 proto=$2 pid=$3 label=$4; shift 4
    local before after json hz
    hz=$(getconf CLK_TCK)
    before=$(server_ticks "$pid")
    json=$(bench "$@") || { log "shadow-bench failed for $impl $proto $label"; return 0; }
    after=$(server_ticks "$pid")
    echo "$json" > "$WORK/$impl-$proto-$label.json"
    python3 - "$impl" "$proto" "$label" "$((after - before))" "$hz" "$(server_rss_kib "$pid")" "$json" >> "$RESULTS" <<'EOF'
import json, sys
impl, proto, label, ticks, hz, rss, doc = sys.argv[1:8]
d = json.loads(doc)
r = d["result"]
if r is None:
    print("\t".join([impl, proto, label, "-", "0", "100", "-", "-", "-", "-", str(int(rss) // 1024)]))
    sys.exit()
cpu_us = int(ticks) / int(hz) * 1e6
# The CPU delta spans every step of a maximum search, so divide by every step's exchanges.
done = sum(s["completed"] for s in d.get("steps", [r]))
per = f"{cpu_us / done:.1f}" if done else "-"
lat = r["latency_us"] or {}
bound = "" if r["generator_kept_up"] else "*"
print("\t".join([impl, proto, label, f'{r["offered_rate"]}{bound}', f'{r["exchanges_per_s"]}', f'{r["drop_percent"]}',
                 str(lat.get("p50", "-")), str(lat.get("p99", "-")), str(lat.get("max", "-")), per, str(int(rss) // 1024)]))
EOF
}

# Runs every rate and the maximum search against one server process.
run_suite() {
    local impl=$1 proto=$2 pid=$3
    local v6flag="" server=$SRV4 bind=$LOAD4
    if [ "$proto" = v6 ]; then v6flag="--v6"; server=$SRV6; bind=$LOAD6; fi
    for rate in $RATES; do
        log "$impl $proto: $rate exchanges/s for ${DURATION}s"
        measure "$impl" "$proto" "$pid" "rate-$rate" load $v6flag --server "$server" --bind "$bind" \
            --count "$COUNT" --rate "$rate" --duration "$DURATION"
    done
    log "$impl $proto: maximum search"
    measure "$impl" "$proto" "$pid" "max" load $v6flag --server "$server" --bind "$bind" --count "$COUNT" \
        --max --start-rate 5000 --step "$STEP" --duration $((STEP * 8 + 8))
}

# Waits until the server answers a probe for subscriber 0, sent like the load: from port 67 / 547
# of the load namespace's address. At most TRIES probes, about one a second (default 20).
wait_for_answer() {
    local proto=$1 tries=${2:-20}
    local mac=02-00-00-00-00-00
    for _ in $(seq 1 "$tries"); do
        if [ "$proto" = v4 ]; then
            ip netns exec "$NS_LOAD" timeout 5 "$BENCH" probe --server "$SRV4" --giaddr "$LOAD4" --port 67 \
                --mac "$mac" --timeout 0.5 >/dev/null 2>&1 && return 0
        else
            ip netns exec "$NS_LOAD" timeout 5 "$BENCH" probe --v6 --server "$SRV6" --bind "$LOAD6" --port 547 \
                --mac "$mac" --timeout 0.5 >/dev/null 2>&1 && return 0
        fi
        sleep 0.5
    done
    return 1
}

stop() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
    kill -KILL "$1" 2>/dev/null || true
}

run_floor() {
    local proto pid
    for proto in $PROTOCOLS; do
        log "floor responder ($proto)"
        if [ "$proto" = v4 ]; then
            ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$WORK/floor" -4 "$SRV4" -t 900 & pid=$!
        else
            ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$WORK/floor" -6 "$SRV6" -t 900 & pid=$!
        fi
        PIDS+=("$pid")
        wait_for_answer "$proto" || { log "floor ($proto) does not answer"; stop "$pid"; continue; }
        run_suite floor "$proto" "$pid"
        stop "$pid"
    done
}

run_shadowdhcp() {
    local conf="$WORK/shadowdhcp" pid proto
    log "shadowdhcp: generating $COUNT reservations in $conf"
    "$BENCH" generate --count "$COUNT" --out "$conf" --server-v4 "$SRV4" --server-v6 "$SRV6" \
        --state-dir "$conf/state" >&2
    mkdir -p "$conf/state"
    ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$ROOT/.build/release/shadow-master" --configdir "$conf" \
        > "$WORK/shadow-master.log" 2>&1 & pid=$!
    PIDS+=("$pid")
    for proto in $PROTOCOLS; do
        if ! wait_for_answer "$proto"; then
            log "shadowdhcp does not answer $proto (runtime not merged yet?); see $WORK/shadow-master.log"
            printf 'shadowdhcp\t%s\tnot available\t-\t-\t-\t-\t-\t-\t-\t-\n' "$proto" >> "$RESULTS"
            continue
        fi
        run_suite shadowdhcp "$proto" "$pid"
    done
    stop "$pid"
}

# Installs Kea from the distribution when missing (only with --with-kea). A temporary policy-rc.d
# keeps the packaged services from starting: no Kea may ever run outside the benchmark namespace.
ensure_kea() {
    if command -v kea-dhcp4 >/dev/null && command -v kea-dhcp6 >/dev/null; then return 0; fi
    log "installing kea-dhcp4-server and kea-dhcp6-server with apt-get (packaged services not started)"
    local policy=/usr/sbin/policy-rc.d created=0 status=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1; fi
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends \
        kea-dhcp4-server kea-dhcp6-server >&2 || status=1
    if [ "$created" = 1 ]; then rm -f "$policy"; fi
    command -v kea-dhcp4 >/dev/null && command -v kea-dhcp6 >/dev/null || status=1
    return "$status"
}

# Kea with the same reservations, reservation-only, leases in memory (memfile, persist false).
run_kea() {
    local conf="$WORK/kea" pid proto bin
    if ! ensure_kea; then
        log "Kea is not available; skipping it"
        for proto in $PROTOCOLS; do printf 'kea\t%s\tnot available\t-\t-\t-\t-\t-\t-\t-\t-\n' "$proto" >> "$RESULTS"; done
        return 0
    fi
    log "Kea: generating $COUNT host reservations in $conf"
    "$BENCH" generate --count "$COUNT" --out "$conf" --server-v4 "$SRV4" --server-v6 "$SRV6" --kea \
        --kea-interface sdb-s --relay-v4 "$LOAD4" --relay-v6 "$LOAD6" >&2
    for proto in $PROTOCOLS; do
        bin=kea-dhcp4; [ "$proto" = v6 ] && bin=kea-dhcp6
        KEA_PIDFILE_DIR="$conf" KEA_LOCKFILE_DIR="$conf" ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" \
            "$(command -v "$bin")" -c "$conf/$bin.json" > "$WORK/$bin.log" 2>&1 & pid=$!
        PIDS+=("$pid")
        if wait_for_answer "$proto" 120; then
            run_suite kea "$proto" "$pid"
        else
            log "Kea does not answer $proto; see $WORK/$bin.log"
            printf 'kea\t%s\tnot available\t-\t-\t-\t-\t-\t-\t-\t-\n' "$proto" >> "$RESULTS"
        fi
        stop "$pid"
    done
}

print_table() {
    echo
    echo "Results (count $COUNT subscribers, ${DURATION}s per rate; * = generator could not keep up)"
    python3 - "$RESULTS" <<'EOF'
import sys
head = ["server", "proto", "run", "offered/s", "exch/s", "drop %", "p50 µs", "p99 µs", "max µs", "CPU µs/exch", "RSS MiB"]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
rows = [r + ["-"] * (len(head) - len(r)) for r in rows]
w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
for r in [head] + rows:
    print("  ".join(str(x).rjust(w[i]) if i > 2 else str(x).ljust(w[i]) for i, x in enumerate(r)))
EOF
}

build
BENCH="$ROOT/.build/release/shadow-bench"
[ -x "$WORK/floor" ] || cc -O2 -Wall -o "$WORK/floor" bench/floor/floor.c
setup_namespaces
if [ -z "$ONLY" ] || [ "$ONLY" = floor ]; then run_floor; fi
if [ -z "$ONLY" ] || [ "$ONLY" = shadowdhcp ]; then run_shadowdhcp; fi
if [ "$WITH_KEA" = 1 ] && { [ -z "$ONLY" ] || [ "$ONLY" = kea ]; }; then run_kea; fi
print_table
