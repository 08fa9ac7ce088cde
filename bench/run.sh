#!/usr/bin/env bash
# Benchmark: the floor responder, shadowdhcp and ISC Kea side by side, in two network namespaces
# joined by a veth link. Needs root. See docs/performance.md.
#
#   sudo bench/run.sh            # the full run: N = 10,000, 100,000 and 1,000,000 reservations
#   sudo bench/run.sh --quick    # N = 10,000, 3 s per run
#
#   bench/run.sh [--quick] [--skip-build] [--counts "N1 N2 ..."] [--count N] [--duration S]
#                [--perfdhcp-rates "R1 R2 ..."] [--no-perfdhcp] [--rates "R1 R2 ..."]
#                [--max-for "floor shadowdhcp kea"] [--only floor|shadowdhcp|kea] [--no-kea]
#                [--protocols "v4 v6"] [--out DIR]
#
# For every N (default "10000 100000 1000000"):
#   * start-up time to the first answer (a probe for subscriber 0) of shadowdhcp (master and both
#     workers, started once) and of kea-dhcp4 / kea-dhcp6;
#   * Kea's perfdhcp at each --perfdhcp-rates (default "4000 8000" exchanges/s, --duration s each,
#     default 10) against the floor, shadowdhcp and Kea, one protocol at a time: exchanges, drops,
#     perfdhcp's delays, server CPU per exchange (/proc/PID/stat, all server processes), RSS;
#   * shadow-bench's maximum search for the servers in --max-for (default shadowdhcp), and its
#     fixed-rate runs at --rates (default none; "1000 10000 30000" was the earlier suite).
# Then it prints the tables: start-up, perfdhcp, CPU above the floor and Kea/shadowdhcp, shadow-bench.
#
# Kea (kea-dhcp4-server, kea-dhcp6-server) and perfdhcp (kea-admin) come from the distribution and
# are installed with apt-get when missing, with a policy-rc.d that keeps the packaged services from
# starting. --no-kea leaves Kea out (perfdhcp still runs when it is installed); --with-kea is accepted
# for compatibility (Kea is in by default).
#
# Network hygiene: all traffic stays inside the two namespaces this script creates (sdb-srv, sdb-load,
# 198.18.0.0/15 and 2001:db8:ffff::/64); they are removed on exit, also on failure or Ctrl-C. Every
# process it starts is stopped by PID. Every load run is bounded by `timeout`, the whole run by
# BENCH_MAX_SECONDS (default 3600). Binaries: release builds in BENCH_SCRATCH (default .build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND_LINE="bench/run.sh $*"

COUNTS="10000 100000 1000000"
PD_RATES="4000 8000"
PERFDHCP=1
RATES=""
MAX_FOR="shadowdhcp"
DURATION=10
STEP=3
ONLY=""
PROTOCOLS="v4 v6"
SKIP_BUILD=0
WITH_KEA=1
OUT=""
MAX_SECONDS=${BENCH_MAX_SECONDS:-3600}
SCRATCH=${BENCH_SCRATCH:-$ROOT/.build-release}
STARTUP_LIMIT=${BENCH_STARTUP_LIMIT:-60}          # seconds for shadowdhcp and the floor to answer
KEA_STARTUP_LIMIT=${BENCH_KEA_STARTUP_LIMIT:-600} # seconds for Kea to answer (1,000,000 hosts)
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) COUNTS=10000; DURATION=3; STEP=2; shift ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --count) COUNTS=$2; shift 2 ;;
        --counts) COUNTS=$2; shift 2 ;;
        --perfdhcp-rates) PD_RATES=$2; shift 2 ;;
        --no-perfdhcp) PERFDHCP=0; shift ;;
        --rates) RATES=$2; shift 2 ;;
        --max-for) MAX_FOR=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --protocols) PROTOCOLS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --with-kea) WITH_KEA=1; shift ;;
        --no-kea) WITH_KEA=0; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (namespaces, ports 67/547)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/run.sh needs python3 (reads shadow-bench's JSON)" >&2; exit 1; }

# Addresses: 198.18.0.0/15 (benchmarking, RFC 2544) and 2001:db8::/32 (documentation), inside the
# namespaces only. The load namespace is the relay: giaddr / link-address = its own address.
NS_SRV=sdb-srv; NS_LOAD=sdb-load
IF_SRV=sdb-s; IF_LOAD=sdb-l
SRV4=198.18.0.1; LOAD4=198.18.0.2
SRV6=2001:db8:ffff::1; LOAD6=2001:db8:ffff::2
SRV_CPU=0; LOAD_CPU=1
WORK=${OUT:-$(mktemp -d /tmp/shadow-bench.XXXXXX)}
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"          # shadow-bench rows
PD_RESULTS="$WORK/perfdhcp.tsv"      # perfdhcp rows
STARTUP="$WORK/startup.tsv"          # start-up rows
LOADAVG="$WORK/loadavg.tsv"          # load average when each N began and at the end
: > "$RESULTS"; : > "$PD_RESULTS"; : > "$STARTUP"; : > "$LOADAVG"
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

log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

build() {
    [ "$SKIP_BUILD" = 1 ] && return
    log "building release into $SCRATCH (swift build -c release) and the floor responder"
    # One product per call: swift build builds only the last of several --product flags.
    for p in shadow-bench shadow-master shadow-v4 shadow-v6; do
        nice swift build -c release --scratch-path "$SCRATCH" --product "$p" >&2
    done
}

setup_namespaces() {
    log "namespaces $NS_SRV <-> $NS_LOAD ($SRV4 / $LOAD4, $SRV6 / $LOAD6)"
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_LOAD" 2>/dev/null || true
    ip netns add "$NS_SRV"
    ip netns add "$NS_LOAD"
    ip link add "$IF_SRV" type veth peer name "$IF_LOAD"
    ip link set "$IF_SRV" netns "$NS_SRV"
    ip link set "$IF_LOAD" netns "$NS_LOAD"
    ip -n "$NS_SRV" link set lo up
    ip -n "$NS_LOAD" link set lo up
    ip -n "$NS_SRV" addr add "$SRV4/24" dev "$IF_SRV"
    ip -n "$NS_LOAD" addr add "$LOAD4/24" dev "$IF_LOAD"
    ip -n "$NS_SRV" addr add "$SRV6/64" dev "$IF_SRV" nodad
    ip -n "$NS_LOAD" addr add "$LOAD6/64" dev "$IF_LOAD" nodad
    ip -n "$NS_SRV" link set "$IF_SRV" up
    ip -n "$NS_LOAD" link set "$IF_LOAD" up
}

BENCH=""
# Runs shadow-bench in the load namespace on its own core; prints its JSON.
bench() {
    ip netns exec "$NS_LOAD" taskset -c "$LOAD_CPU" timeout 700 "$BENCH" "$@" --json
}

# server_pids, server_ticks
source "$ROOT/bench/lib/proc.sh"

# VmRSS in KiB, summed over the server's processes.
server_rss_kib() {
    local total=0 pid kib
    for pid in $(server_pids "$1"); do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# Pss in KiB (proportional set size: a page shared by k processes counts 1/k in each), summed over
# the server's processes. Unlike the VmRSS sum it counts the snapshot that the master and its workers
# share (a sealed memfd) once.
server_pss_kib() {
    local total=0 pid kib
    for pid in $(server_pids "$1"); do
        kib=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# "RSS PSS" in MiB, summed over the server's processes, tab-separated.
server_mem() {
    printf '%s\t%s' "$(($(server_rss_kib "$1") / 1024))" "$(($(server_pss_kib "$1") / 1024))"
}

# One measured shadow-bench run: N, impl, protocol, server PID, mode label, shadow-bench arguments.
measure() {
    local n=$1 impl=$2 proto=$3 pid=$4 label=$5; shift 5
    local before after json hz
    hz=$(getconf CLK_TCK)
    before=$(server_ticks "$pid")
    json=$(bench "$@") || { log "shadow-bench failed for $impl $proto $label"; return 0; }
    after=$(server_ticks "$pid")
    echo "$json" > "$WORK/n$n-$impl-$proto-$label.json"
    python3 - "$n" "$impl" "$proto" "$label" "$((after - before))" "$hz" "$(server_mem "$pid")" "$json" >> "$RESULTS" <<'EOF'
import json, sys
n, impl, proto, label, ticks, hz, mem, doc = sys.argv[1:9]
rss, pss = mem.split("\t")
d = json.loads(doc)
r = d["result"]
if r is None:
    print("\t".join([n, impl, proto, label, "-", "0", "100", "-", "-", "-", "-", rss, pss]))
    sys.exit()
cpu_us = int(ticks) / int(hz) * 1e6
# The CPU delta spans every step of a maximum search, so divide by every step's exchanges.
done = sum(s["completed"] for s in d.get("steps", [r]))
per = f"{cpu_us / done:.1f}" if done else "-"
lat = r["latency_us"] or {}
bound = "" if r["generator_kept_up"] else "*"
print("\t".join([n, impl, proto, label, f'{r["offered_rate"]}{bound}', f'{r["exchanges_per_s"]}', f'{r["drop_percent"]}',
                 str(lat.get("p50", "-")), str(lat.get("p99", "-")), str(lat.get("max", "-")), per, rss, pss]))
EOF
}

# UDP datagrams the namespace's kernel dropped because a socket's receive buffer was full
# (RcvbufErrors, IPv4 + IPv6): tells whether an exchange was lost at the server or at the load.
rcvbuf_errors() {
    ip netns exec "$1" awk '
        /^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else n += $c }
        $1 == "Udp6RcvbufErrors" { n += $2 }
        END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# One perfdhcp run at a fixed rate against one server process: N, impl, protocol, server PID, rate.
# perfdhcp is the relay: DHCPv4 from LOAD4:67 with giaddr = LOAD4 (hops 1); DHCPv6 with -A 1, a
# Relay-forward from [LOAD6]:547 with link-address = peer-address = LOAD6. Clients: with -R N and no
# seed, perfdhcp takes client k mod N in order, its MAC being the base MAC plus k, so client k is the
# plan's subscriber k: MAC 02:00:00:xx:xx:xx, DUID-LL 00:03:00:01 + that MAC (the DUID template's
# last six bytes are replaced by the client's MAC). DHCPv6 asks for IA_NA and IA_PD.
perfdhcp_run() {
    local n=$1 impl=$2 proto=$3 pid=$4 rate=$5
    local out="$WORK/n$n-$impl-$proto-perfdhcp-$rate.txt" before after hz status=0 args
    if [ "$proto" = v4 ]; then
        args=(-4 -l "$LOAD4" -b mac=02:00:00:00:00:00 "$SRV4")
    else
        args=(-6 -A 1 -l "$IF_LOAD" -b duid=00030001020000000000 -b mac=02:00:00:00:00:00
              -e address-and-prefix "$SRV6")
    fi
    hz=$(getconf CLK_TCK)
    log "$impl $proto: perfdhcp at $rate exchanges/s for ${DURATION}s (N = $n)"
    local srv_err load_err
    srv_err=$(rcvbuf_errors "$NS_SRV"); load_err=$(rcvbuf_errors "$NS_LOAD")
    before=$(server_ticks "$pid")
    ip netns exec "$NS_LOAD" taskset -c "$LOAD_CPU" timeout $((DURATION + 60)) \
        perfdhcp -g single -R "$n" -r "$rate" -p "$DURATION" -W 500000 "${args[@]}" > "$out" 2>&1 || status=$?
    after=$(server_ticks "$pid")
    srv_err=$(($(rcvbuf_errors "$NS_SRV") - srv_err)); load_err=$(($(rcvbuf_errors "$NS_LOAD") - load_err))
    # Exit status 3: some exchanges did not complete (counted below); anything else is a failure.
    if [ "$status" != 0 ] && [ "$status" != 3 ]; then
        log "perfdhcp failed ($status) for $impl $proto $rate; see $out"
    fi
    python3 - "$n" "$impl" "$proto" "$rate" "$DURATION" "$((after - before))" "$hz" "$(server_mem "$pid")" \
        "$out" "$srv_err/$load_err" >> "$PD_RESULTS" <<'EOF'
import re, sys
n, impl, proto, rate, duration, ticks, hz, mem, path, rcvbuf = sys.argv[1:11]
rss, pss = mem.split("\t")
text = open(path).read()
blocks = re.split(r"\*\*\*Statistics for: ", text)[1:]
stats = {}
for b in blocks:
    name = b.split("***", 1)[0].strip()
    def num(key):
        m = re.search(rf"^{key}: *([-0-9.einf]+)", b, re.M)
        try:
            return float(m.group(1)) if m else None
        except ValueError:
            return None
    stats[name] = {k: num(k) for k in ["sent packets", "received packets", "drops", "orphans", "rejected leases",
                                       "min delay", "avg delay", "max delay", "std deviation"]}
first = stats.get("DISCOVER-OFFER") or stats.get("SOLICIT-ADVERTISE")
second = stats.get("REQUEST-ACK") or stats.get("REQUEST-REPLY")
if not first or not second or first["sent packets"] is None:
    print("\t".join([n, impl, proto, rate, "failed"] + ["-"] * 16 + [rss, pss]))
    sys.exit()
begun = int(first["sent packets"])
done = int(second["received packets"] or 0)
drop = 100.0 * (begun - done) / begun if begun else 100.0
kept_up = begun >= 0.95 * float(rate) * float(duration)
cpu_us = int(ticks) / int(hz) * 1e6
def ms(s, k):
    v = s[k]
    return "-" if v is None or v != v or v in (float("inf"), float("-inf")) else f"{v:.3f}"
row = [n, impl, proto, rate + ("" if kept_up else "*"), str(begun), str(done), f"{drop:.2f}",
       f"{done / float(duration):.0f}",
       str(int((first["drops"] or 0) + (second["drops"] or 0))),
       str(int((first["orphans"] or 0) + (second["orphans"] or 0))),
       str(int((first["rejected leases"] or 0) + (second["rejected leases"] or 0))), rcvbuf]
for s in (first, second):
    row += [ms(s, "min delay"), ms(s, "avg delay"), ms(s, "max delay"), ms(s, "std deviation")]
row += [f"{cpu_us / done:.1f}" if done else "-", rss, pss]
print("\t".join(row))
EOF
}

# Everything measured against one running server for one protocol.
run_suite() {
    local n=$1 impl=$2 proto=$3 pid=$4
    local v6flag="" server=$SRV4 bind=$LOAD4 rate
    if [ "$proto" = v6 ]; then v6flag="--v6"; server=$SRV6; bind=$LOAD6; fi
    if [ "$PERFDHCP" = 1 ]; then
        for rate in $PD_RATES; do perfdhcp_run "$n" "$impl" "$proto" "$pid" "$rate"; done
    fi
    for rate in $RATES; do
        log "$impl $proto: shadow-bench at $rate exchanges/s for ${DURATION}s (N = $n)"
        measure "$n" "$impl" "$proto" "$pid" "rate-$rate" load $v6flag --server "$server" --bind "$bind" \
            --count "$n" --rate "$rate" --duration "$DURATION"
    done
    case " $MAX_FOR " in
        *" $impl "*)
            log "$impl $proto: shadow-bench maximum search (N = $n)"
            measure "$n" "$impl" "$proto" "$pid" "max" load $v6flag --server "$server" --bind "$bind" --count "$n" \
                --max --start-rate 5000 --step "$STEP" --duration $((STEP * 8 + 8)) ;;
    esac
}

# One probe for subscriber 0, sent like the load: from port 67 / 547 of the load namespace's address.
probe_once() {
    local proto=$1 timeout=$2 mac=02-00-00-00-00-00
    if [ "$proto" = v4 ]; then
        ip netns exec "$NS_LOAD" timeout 5 "$BENCH" probe --server "$SRV4" --giaddr "$LOAD4" --port 67 \
            --mac "$mac" --timeout "$timeout" >/dev/null 2>&1
    else
        ip netns exec "$NS_LOAD" timeout 5 "$BENCH" probe --v6 --server "$SRV6" --bind "$LOAD6" --port 547 \
            --mac "$mac" --timeout "$timeout" >/dev/null 2>&1
    fi
}

# Waits until the server answers a probe for subscriber 0. At most TRIES probes (default 20).
wait_for_answer() {
    local proto=$1 tries=${2:-20}
    for _ in $(seq 1 "$tries"); do
        probe_once "$proto" 0.5 && return 0
        sleep 0.5
    done
    return 1
}

# Prints the seconds from T0 (date +%s%N, taken just before the server was started) until the first
# probe for subscriber 0 was answered, probing back to back with a 50 ms timeout; "-" after LIMIT s
# or as soon as the server process PID is gone.
startup_seconds() {
    local proto=$1 t0=$2 limit=$3 pid=$4 now
    while kill -0 "$pid" 2>/dev/null; do
        if probe_once "$proto" 0.05; then
            now=$(date +%s%N)
            awk -v d="$((now - t0))" 'BEGIN { printf "%.2f\n", d / 1e9 }'
            return 0
        fi
        now=$(date +%s%N)
        if [ $(((now - t0) / 1000000000)) -ge "$limit" ]; then echo "-"; return 1; fi
    done
    echo "-"
    return 1
}

stop() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
    kill -KILL "$1" 2>/dev/null || true
}

run_floor() {
    local n=$1 proto pid
    for proto in $PROTOCOLS; do
        log "floor responder ($proto), N = $n"
        # -c: complete replies (server id, IA Address / IA Prefix) that perfdhcp accepts.
        if [ "$proto" = v4 ]; then
            ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$WORK/floor" -4 "$SRV4" -t 900 -c & pid=$!
        else
            ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$WORK/floor" -6 "$SRV6" -t 900 -c & pid=$!
        fi
        PIDS+=("$pid")
        wait_for_answer "$proto" || { log "floor ($proto) does not answer"; stop "$pid"; continue; }
        run_suite "$n" floor "$proto" "$pid"
        stop "$pid"
    done
}

run_shadowdhcp() {
    local n=$1 conf="$WORK/n$1/shadowdhcp" pid proto t0 p4 p6 s
    log "shadowdhcp: generating $n reservations in $conf"
    mkdir -p "$conf"
    "$BENCH" generate --count "$n" --out "$conf" --server-v4 "$SRV4" --server-v6 "$SRV6" \
        --state-dir "$conf/state" >&2
    mkdir -p "$conf/state"
    t0=$(date +%s%N)
    ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$SCRATCH/release/shadow-master" --configdir "$conf" \
        > "$WORK/n$n-shadow-master.log" 2>&1 & pid=$!
    PIDS+=("$pid")
    # One master serves both protocols: both start-up times are measured from the same start.
    startup_seconds v4 "$t0" "$STARTUP_LIMIT" "$pid" > "$WORK/n$n-shadowdhcp-startup-v4" & p4=$!
    startup_seconds v6 "$t0" "$STARTUP_LIMIT" "$pid" > "$WORK/n$n-shadowdhcp-startup-v6" & p6=$!
    PIDS+=("$p4" "$p6")
    wait "$p4" || true
    wait "$p6" || true
    for proto in v4 v6; do
        s=$(cat "$WORK/n$n-shadowdhcp-startup-$proto")
        printf '%s\tshadowdhcp\t%s\t%s\t%s\n' "$n" "$proto" "$s" "$(server_mem "$pid")" >> "$STARTUP"
        log "shadowdhcp, N = $n: first $proto answer after $s s"
    done
    for proto in $PROTOCOLS; do
        if [ "$(cat "$WORK/n$n-shadowdhcp-startup-$proto")" = "-" ]; then
            log "shadowdhcp does not answer $proto; see $WORK/n$n-shadow-master.log"
            continue
        fi
        run_suite "$n" shadowdhcp "$proto" "$pid"
    done
    stop "$pid"
}

# Installs Kea and perfdhcp from the distribution when missing. A temporary policy-rc.d keeps the
# packaged services from starting: no Kea may ever run outside the benchmark namespace.
ensure_packages() {
    local packages=() policy=/usr/sbin/policy-rc.d created=0 status=0
    if [ "$WITH_KEA" = 1 ]; then
        command -v kea-dhcp4 >/dev/null || packages+=(kea-dhcp4-server)
        command -v kea-dhcp6 >/dev/null || packages+=(kea-dhcp6-server)
    fi
    [ "$PERFDHCP" = 1 ] && ! command -v perfdhcp >/dev/null && packages+=(kea-admin)
    [ ${#packages[@]} = 0 ] && return 0
    log "installing ${packages[*]} with apt-get (packaged services not started)"
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1; fi
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends "${packages[@]}" >&2 || status=1
    if [ "$created" = 1 ]; then rm -f "$policy"; fi
    if [ "$WITH_KEA" = 1 ] && ! { command -v kea-dhcp4 >/dev/null && command -v kea-dhcp6 >/dev/null; }; then
        log "Kea is not available; leaving it out"; WITH_KEA=0
    fi
    if [ "$PERFDHCP" = 1 ] && ! command -v perfdhcp >/dev/null; then
        log "perfdhcp is not available; leaving it out"; PERFDHCP=0
    fi
    return "$status"
}

# Kea with the same reservations, reservation-only, leases in memory (memfile, persist false).
run_kea() {
    local n=$1 conf="$WORK/n$1/kea" pid proto bin t0 s
    log "Kea: generating $n host reservations in $conf"
    mkdir -p "$conf"
    "$BENCH" generate --count "$n" --out "$conf" --server-v4 "$SRV4" --server-v6 "$SRV6" --kea \
        --kea-interface "$IF_SRV" --relay-v4 "$LOAD4" --relay-v6 "$LOAD6" >&2
    for proto in $PROTOCOLS; do
        bin=kea-dhcp4; [ "$proto" = v6 ] && bin=kea-dhcp6
        t0=$(date +%s%N)
        KEA_PIDFILE_DIR="$conf" KEA_LOCKFILE_DIR="$conf" ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" \
            "$(command -v "$bin")" -c "$conf/$bin.json" > "$WORK/n$n-$bin.log" 2>&1 & pid=$!
        PIDS+=("$pid")
        s=$(startup_seconds "$proto" "$t0" "$KEA_STARTUP_LIMIT" "$pid") || true
        printf '%s\tkea\t%s\t%s\t%s\n' "$n" "$proto" "$s" "$(server_mem "$pid")" >> "$STARTUP"
        log "Kea ($bin), N = $n: first answer after $s s"
        if [ "$s" != "-" ]; then
            run_suite "$n" kea "$proto" "$pid"
        else
            log "Kea does not answer $proto; see $WORK/n$n-$bin.log"
        fi
        stop "$pid"
    done
}

machine() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command: $COMMAND_LINE"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo -)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(free -m | awk '/^Mem:/ {print $2}') MiB"
    echo "perfdhcp: $(perfdhcp -v 2>/dev/null | sed "s/^VERSION: //" || echo -), kea-dhcp4: $(kea-dhcp4 -v 2>/dev/null || echo -)"
    echo "server on CPU $SRV_CPU, load (shadow-bench / perfdhcp -g single) on CPU $LOAD_CPU"
}

print_tables() {
    echo
    cat "$WORK/machine.txt"
    echo "finished: $(date -u '+%Y-%m-%d %H:%M UTC'); work files in $WORK"
    python3 - "$STARTUP" "$PD_RESULTS" "$RESULTS" "$LOADAVG" "$DURATION" "$PD_RATES" "$WORK/tables.md" \
        "$WORK/machine.txt" <<'EOF'
import re, sys
startup, pd, sb, la, duration, pd_rates, md_path, machine = sys.argv[1:9]
md = ["```", open(machine).read().rstrip("\n"), "```"]   # the same tables in Markdown, for docs/performance.md
def rows(path):
    return [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
def grouped(x):
    x = str(x)
    return re.sub(r"^(\d{4,})(\*?)$", lambda m: f"{int(m.group(1)):,}{m.group(2)}", x)
def table(title, head, body):
    if not body:
        return
    print()
    print(title)
    body = [r + ["-"] * (len(head) - len(r)) for r in body]
    w = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    for r in [head] + body:   # N, server and protocol to the left, figures to the right
        print("  ".join(str(x).ljust(w[i]) if i < 3 else str(x).rjust(w[i]) for i, x in enumerate(r)))
    md.extend(["", title + ":", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)])
    md.extend("| " + " | ".join(grouped(x) for x in r) + " |" for r in body)
for r in rows(la):
    print(f"load average ({r[0]}): {r[1]}")
    md.append(f"* load average ({r[0]}): {r[1]}")
table("Start-up: seconds from starting the server to the first answer for subscriber 0 (shadowdhcp: one master for both)",
      ["N", "server", "proto", "seconds", "RSS MiB", "PSS MiB"], rows(startup))
pdr = rows(pd)
table(f"perfdhcp at fixed rates, {duration} s each (* = perfdhcp began < 95 % of the exchanges asked for). "
      "Delays in ms as perfdhcp reports them, min/avg/max/std dev, per round trip: "
      "trip 1 = DISCOVER-OFFER / SOLICIT-ADVERTISE, trip 2 = REQUEST-ACK / REQUEST-REPLY",
      ["N", "server", "proto", "rate/s", "begun", "completed", "not done %", "exch/s", "pd drops", "orphans",
       "rejected", "rcvbuf drops srv/load", "trip 1 ms", "trip 2 ms", "CPU µs/exch", "RSS MiB", "PSS MiB"],
      [r[:12] + ["/".join(r[12:16]), "/".join(r[16:20])] + r[20:23] for r in pdr if r[4] != "failed"]
      + [r[:5] + ["-"] * 10 + r[-2:] for r in pdr if r[4] == "failed"])
# CPU above the floor and Kea / shadowdhcp, same N, protocol and rate in the same run.
cpu = {}
for r in pdr:
    if r[4] != "failed" and r[20] != "-":
        cpu[(r[0], r[2], r[3].rstrip("*"), r[1])] = float(r[20])
keys = sorted({(k[0], k[1], k[2]) for k in cpu}, key=lambda k: (int(k[0]), k[1], int(k[2])))
def f(v):
    return "-" if v is None else f"{v:.1f}"
comp = []
for n, proto, rate in keys:
    fl, sh, ke = (cpu.get((n, proto, rate, s)) for s in ("floor", "shadowdhcp", "kea"))
    above_sh = sh - fl if sh is not None and fl is not None else None
    above_ke = ke - fl if ke is not None and fl is not None else None
    ratio = f"{ke / sh:.1f}" if ke is not None and sh else "-"
    ratio_above = f"{above_ke / above_sh:.1f}" if above_ke is not None and above_sh and above_sh > 0 else "-"
    comp.append([n, proto, rate, f(fl), f(sh), f(ke), f(above_sh), f(above_ke), ratio, ratio_above])
table("Server CPU µs per exchange under perfdhcp: above the floor (server − floor) and Kea / shadowdhcp",
      ["N", "proto", "rate/s", "floor", "shadowdhcp", "Kea", "shadow−floor", "Kea−floor", "Kea/shadow",
       "Kea/shadow above floor"], comp)
table("shadow-bench (* = generator could not keep up; max: highest step ≤ 1 % dropped, CPU over every step)",
      ["N", "server", "proto", "run", "offered/s", "exch/s", "drop %", "p50 µs", "p99 µs", "max µs", "CPU µs/exch",
       "RSS MiB", "PSS MiB"], rows(sb))
open(md_path, "w").write("\n".join(md) + "\n")
print()
print(f"(the same tables in Markdown: {md_path})")
EOF
}

build
BENCH="$SCRATCH/release/shadow-bench"
[ -x "$BENCH" ] || { echo "no $BENCH: build first (or drop --skip-build)" >&2; exit 1; }
cc -O2 -Wall -o "$WORK/floor" bench/floor/floor.c
ensure_packages || true
machine > "$WORK/machine.txt"
cat "$WORK/machine.txt" >&2
setup_namespaces
for n in $COUNTS; do
    printf 'start of N = %s\t%s\n' "$n" "$(loadavg)" >> "$LOADAVG"
    if [ -z "$ONLY" ] || [ "$ONLY" = floor ]; then run_floor "$n"; fi
    if [ -z "$ONLY" ] || [ "$ONLY" = shadowdhcp ]; then run_shadowdhcp "$n"; fi
    if [ "$WITH_KEA" = 1 ] && { [ -z "$ONLY" ] || [ "$ONLY" = kea ]; }; then run_kea "$n"; fi
    rm -rf "$WORK/n$n"   # generated reservations (hundreds of MB at N = 1,000,000)
done
printf 'end\t%s\n' "$(loadavg)" >> "$LOADAVG"
print_tables | tee "$WORK/tables.txt"
