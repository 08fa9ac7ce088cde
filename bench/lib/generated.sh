# Generated subscriber sets for the bench scripts (sourced by changes.sh, diff.sh, reload.sh,
# startup.sh and validation.sh). Needs BIN (the release binaries) and WORK.

# generated_set DIR COUNT: `shadow-bench generate` of COUNT subscribers into DIR (servers on
# 127.0.0.1 and ::1, state in $WORK/state-COUNT), unless DIR already holds them.
generated_set() {
    [ -f "$1/reservations.json" ] || "$BIN/shadow-bench" generate --count "$2" --out "$1" \
        --server-v4 127.0.0.1 --server-v6 ::1 --state-dir "$WORK/state-$2" --log-level info > /dev/null
}

# fresh_copy FROM TO: TO emptied and given FROM's files (a run that changes its files starts
# from the generated set each time).
fresh_copy() {
    rm -rf "$2" && mkdir -p "$2" && cp "$1"/* "$2"/
}
