#!/usr/bin/env bash
# The functions shadow-master, shadow-v4 and shadow-v6 run while they serve, for the link order
# (Sources/hot-code.txt; docs/performance.md, "Hot code first: the link order"). Needs root and
# perf (Debian's linux-perf).
#
#   sudo bench/hot-code.sh [--rounds N] [--fresh] [--static]
#
# Each round relinks the three executables of the release build (.build-rel; with --static, the
# package's build: --static-swift-stdlib in .build-pkg, as scripts/package, where the Swift
# runtime's functions are the executable's too and join the list) with the current list, runs bench/memory.sh (10,000 reservations, 20 s of 8,000 DORA/s + 8,000 SARR/s, storm
# control at its defaults) and records, system-wide, every page fault with its address, every
# madvise and a CPU sample every 50 µs. A function of one of the three executables that faulted or
# was sampled after that process last released its code pages (CodePages.releaseResident, a burst
# of madvise calls) is one the serving process runs; the round appends those not listed yet.
# Page faults find the functions sampling misses (run rarely, but each one brings its pages
# back); sampling finds those whose pages another fault brought in. Default 3 rounds: each
# relink packs what the last found, which uncovers the next few. --fresh starts from an empty list.
# Then compare with bench/memory.sh (exe text, rodata and data per process).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=3; FRESH=0; STATIC=0
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --fresh) FRESH=1; shift ;;
        --static) STATIC=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench/hot-code.sh needs root (perf system-wide, namespaces)" >&2; exit 1; }
command -v perf > /dev/null || { echo "bench/hot-code.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
LIST=$ROOT/Sources/hot-code.txt
WORK=$(mktemp -d /tmp/shadow-hot-code.XXXXXX)
PERF=""
cleanup() { [ -n "$PERF" ] && kill -INT "$PERF" 2>/dev/null || true; }
trap cleanup EXIT
[ "$FRESH" = 1 ] && : > "$LIST"
BIN=$ROOT/.build-rel/release
[ "$STATIC" = 1 ] && BIN=$WORK/bin
relink() {
    local build=(swift build -c release --scratch-path .build-rel)
    [ "$STATIC" = 1 ] && build=(swift build -c release --static-swift-stdlib --scratch-path .build-pkg -Xlinker -z -Xlinker now)
    local out; out=$("${build[@]}" --show-bin-path)
    rm -f "$out/shadow-master" "$out/shadow-v4" "$out/shadow-v6"
    for p in shadow-master shadow-v4 shadow-v6; do "${build[@]}" --product "$p" 2>&1 | tail -1; done
    for p in shadow-bench shadow-ops; do
        swift build -c release --scratch-path .build-rel --product "$p" 2>&1 | tail -1
    done
    if [ "$STATIC" = 1 ]; then
        # bench/memory.sh takes every binary from one directory (the master wants shadow-ops beside it).
        mkdir -p "$BIN"
        cp "$out/shadow-master" "$out/shadow-v4" "$out/shadow-v6" "$BIN/"
        cp .build-rel/release/shadow-bench .build-rel/release/shadow-ops "$BIN/"
    fi
    sync  # a page of a file just written is dirty until written back, and smaps would say so
}
relink
for round in $(seq 1 "$ROUNDS"); do
    out=$WORK/round-$round; mkdir -p "$out"
    perf record -a -d -e page-faults/period=1/ -e syscalls:sys_enter_madvise -e cpu-clock/freq=20000/ \
        -o "$out/perf.data" > "$out/perf.log" 2>&1 & PERF=$!
    sleep 2
    BIN=$BIN bench/memory.sh --storm default --load-seconds 20 --out "$out/memory" > "$out/memory.log" 2>&1
    kill -INT "$PERF"; wait "$PERF" || true; PERF=""
    perf script -i "$out/perf.data" -F comm,pid,time,event,ip,sym,dso 2>/dev/null \
        | grep -E '^ *shadow-(master|v4|v6) ' > "$out/events.txt" || true
    python3 - "$out/events.txt" "$LIST" <<'EOF'
import re, sys
events, path = sys.argv[1], sys.argv[2]
rows = [line.split(None, 4) for line in open(events)]
released = {}
for r in rows:
    if len(r) == 5 and 'madvise' in r[3]:
        released[(r[0], r[1])] = float(r[2].rstrip(':'))
found = []
for r in rows:
    if len(r) < 5 or 'madvise' in r[3] or float(r[2].rstrip(':')) <= released.get((r[0], r[1]), float('inf')):
        continue
    m = re.match(r'\s*[0-9a-f]+\s+(\S+)\s+\((\S+)\)', r[4])
    if m and m.group(2).endswith('/' + r[0]) and not m.group(1).endswith('@plt') and m.group(1) != '[unknown]':
        found.append(m.group(1))
listed = [l.strip() for l in open(path) if l.strip()]
new = [s for s in dict.fromkeys(found) if s not in set(listed)]
open(path, 'w').write(''.join(s + '\n' for s in listed + new))
print(f'{len(set(found))} functions run after the release, {len(new)} new; {len(listed) + len(new)} listed')
EOF
    grep -h 'after-1' "$out/memory.log" | cut -c1-200
    relink
done
echo "rounds in $WORK; list in $LIST"
