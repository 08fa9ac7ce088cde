#!/usr/bin/env bash
# Time to load and validate N reservations (`shadow-master --check`), for two sets: the usual
# generated one (address and prefix pools apart) and an adversarial one where every ipv6_na lies in
# the /56 between two delegated prefixes, so every address is looked up (docs/performance.md,
# "Validation: the address-space rules").
#
#   bench/validation.sh [N]        # default 1000000; BIN (default .build/release), WORK, RUNS
#
# Prints the task-clock of each (perf stat, RUNS runs). Compare two builds by running it with
# BIN set to each, alternating: on a shared machine only the ratio means something.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
COUNT=${1:-1000000}
WORK=${WORK:-/tmp/shadow-validation}
RUNS=${RUNS:-3}
GEN=$WORK/gen-$COUNT
ADV=$WORK/adversarial-$COUNT
mkdir -p "$WORK"
source "$ROOT/bench/lib/generated.sh"
generated_set "$GEN" "$COUNT"
if [ ! -f "$ADV/reservations.json" ]; then
    mkdir -p "$ADV"
    cp "$GEN/config.json" "$GEN/ids.json" "$ADV/"
    python3 - "$COUNT" "$ADV/reservations.json" <<'PY'
import ipaddress, sys
n, out = int(sys.argv[1]), open(sys.argv[2], "w")
base, v4 = int(ipaddress.IPv6Address("2001:db8:8000::")), int(ipaddress.IPv4Address("100.64.0.2"))
rows = []
for i in range(n):
    pd, na = ipaddress.IPv6Address(base + ((2 * i) << 72)), ipaddress.IPv6Address(base + ((2 * i + 1) << 72) + 1)
    mac = "02-00-%02x-%02x-%02x-%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255)
    rows.append('{"ipv4":"%s","ipv6_na":"%s","ipv6_pd":"%s/56","mac":"%s"}' % (ipaddress.IPv4Address(v4 + i), na, pd, mac))
out.write("[\n" + ",\n".join(rows) + "\n]\n")
PY
fi
for set in "$GEN" "$ADV"; do
    cat "$set/reservations.json" > /dev/null   # in the page cache
    "$BIN/shadow-master" --check --configdir "$set" > /dev/null
    ms=$(perf stat -r "$RUNS" -e task-clock "$BIN/shadow-master" --check --configdir "$set" 2>&1 >/dev/null \
        | awk '/task-clock/ {print $1}')
    echo "$(basename "$set"): $ms ms task-clock (mean of $RUNS)"
done
