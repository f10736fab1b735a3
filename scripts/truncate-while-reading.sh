#!/usr/bin/env bash
# A log truncated while darklog reads it (logrotate's copytruncate racing a cron run):
# does the report equal the report of the file up to the byte the error names?
#
#   scripts/truncate-while-reading.sh DARKLOG_BINARY LOG [DELAY_SECONDS…]
#
# For each delay: copies LOG (plain, large: a 2-million-line generated log reads for about
# 0.4 s) to a scratch file, starts `darklog analyze` on it, truncates it to 0 bytes after
# the delay, then runs darklog again on the first N bytes of LOG, N being the byte the
# error names, and compares the two CSV reports. Prints one line per delay; exit code 1
# when any report differs. A run that finished before the truncation is skipped.
set -uo pipefail
BIN=$1
LOG=$2
shift 2
DELAYS=("$@")
[ ${#DELAYS[@]} -eq 0 ] && DELAYS=(0.12 0.15 0.18 0.2 0.22 0.25)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/truncate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
differ=0
for delay in "${DELAYS[@]}"; do
    cp "$LOG" "$WORK/access.log"
    "$BIN" analyze --format csv --visitor-key truncate "$WORK/access.log" >"$WORK/cut.csv" 2>"$WORK/cut.err" &
    pid=$!
    sleep "$delay"
    truncate -s 0 "$WORK/access.log"
    wait "$pid"
    code=$?
    at=$(grep -o 'read error at byte [0-9]*' "$WORK/cut.err" | grep -o '[0-9]*$')
    if [ -z "$at" ]; then
        echo "delay $delay: read to the end before the truncation (exit $code), skipped"
        continue
    fi
    head -c "$at" "$LOG" >"$WORK/head.log"
    "$BIN" analyze --format csv --visitor-key truncate "$WORK/head.log" >"$WORK/head.csv" 2>/dev/null
    lines=$(diff "$WORK/cut.csv" "$WORK/head.csv" | grep -c '^[<>]')
    echo "delay $delay: broke at byte $at, exit $code, $lines report lines differ from the file's first $at bytes"
    [ "$lines" -eq 0 ] || differ=1
done
exit $differ
