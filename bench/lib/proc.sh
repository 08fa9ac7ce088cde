# Per-process CPU of a running server, for the bench scripts (sourced by bench/run.sh and bench/ha.sh).

# All processes of the server: the given PID and its children (master + workers + ops).
server_pids() {
    echo "$1"
    ps -o pid= --ppid "$1" 2>/dev/null || true
}

# utime + stime in clock ticks, summed over the server's processes (all their threads).
server_ticks() {
    local total=0 pid fields
    for pid in $(server_pids "$1"); do
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
    done
    echo "$total"
}
