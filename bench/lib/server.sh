# A shadow-master in a network namespace of its own, for the bench scripts that start one
# (changes.sh, diff.sh, reload.sh, replace.sh). Sourced; needs BIN. The caller sets NS and adds
# every process it starts to PIDS; on exit they are stopped and the namespace deleted.

PIDS=()
stop_started() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
}
trap stop_started EXIT

# with_mgmt_socket CONFIG SOCKET [CONNECTIONS]: config.json CONFIG gets mgmt_socket SOCKET (and
# mgmt_max_connections CONNECTIONS when given).
with_mgmt_socket() {
    python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["mgmt_socket"] = sys.argv[2]
if sys.argv[3]: c["mgmt_max_connections"] = int(sys.argv[3])
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

# start_master DIR LOG: the namespace NS (only lo), shadow-master on DIR logging to LOG, and a wait
# (60 s at most) until both workers applied their snapshot and, when DIR's config.json names a
# mgmt_socket, that socket exists. Sets MP.
start_master() {
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip netns exec "$NS" "$BIN/shadow-master" --configdir "$1" > "$2" 2>&1 & MP=$!
    PIDS+=("$MP")
    local socket
    socket=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("mgmt_socket") or "")' "$1/config.json")
    for _ in $(seq 1 600); do
        [ "$(grep -c 'worker applied snapshot' "$2" || true)" -ge 2 ] && { [ -z "$socket" ] || [ -S "$socket" ]; } && break
        sleep 0.1
    done
}

# changed_ipv6_na SOURCE DEST EVERY: SOURCE (one entry per line) with the ipv6_na of one entry in
# EVERY moved from 2001:db8:1::/64 to 2001:db8:2::/64 (still unique), written to DEST.
changed_ipv6_na() {
    awk -v every="$3" '/"ipv6_na"/ && (++n % every) == 0 { sub(/"2001:db8:1::/, "\"2001:db8:2::") } { print }' \
        "$1" > "$2"
}

# load_summary FILE NAME: one line of `shadow-bench load --json`'s FILE.
load_summary() {
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]; l = r["latency_us"]
print("%s: %d of %d exchanges completed, %d timed out, %d wrong; latency p50 %.0f us, p99 %.0f us, max %.0f us"
      % (sys.argv[2], r["completed"], r["started"], r["timed_out"], r["wrong"], l["p50"], l["p99"], l["max"]))' "$1" "$2"
}

# start_load PREFIX: `shadow-bench load` for DHCPv4 and DHCPv6 in NS at RATE exchanges/s each for
# 20 s over COUNT subscribers, their JSON in PREFIX-v4.json and PREFIX-v6.json. Sets B4 and B6.
start_load() {
    ip netns exec "$NS" timeout 60 "$BIN/shadow-bench" load --server 127.0.0.1 --bind 127.0.0.1 --port 0 \
        --count "$COUNT" --rate "$RATE" --duration 20 --json > "$1-v4.json" & B4=$!
    ip netns exec "$NS" timeout 60 "$BIN/shadow-bench" load --v6 --server ::1 --bind ::1 --port 0 \
        --count "$COUNT" --rate "$RATE" --duration 20 --json > "$1-v6.json" & B6=$!
    PIDS+=("$B4" "$B6")
}
