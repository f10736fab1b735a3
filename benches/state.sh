#!/usr/bin/env bash
# The cost of --state on a 2-million-line week: the first run (read everything, save the
# state) against a plain analyze, the state's size, and a rerun with nothing new (load,
# check, report, save): what a cron job pays when the logs did not grow.
#
#   benches/state.sh               # 2,000,000 lines
#   LINES=500000 RUNS=5 benches/state.sh
set -euo pipefail
LINES=${LINES:-2000000}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/target/state-bench}
mkdir -p "$WORK"
cd "$ROOT"
cargo build --release --quiet --bin darklog
cargo build --release --quiet -p darklog-gen
D=$ROOT/target/release/darklog
LOG=$WORK/week-$LINES.log
[ -s "$LOG" ] || target/release/darklog-gen --lines "$LINES" --seed 1 --days 7 > "$LOG" 2>/dev/null
STATE=$WORK/week.state
rm -f "$STATE" "$STATE.lock"
"$D" analyze "$LOG" --state "$STATE" -q > /dev/null
echo "state: $(stat -c %s "$STATE") bytes for $(wc -l < "$LOG") lines"
if command -v hyperfine > /dev/null; then
    # One --prepare is run before every command's runs: the first run's `rm` gets one
    # per command (`true` for the others), or "nothing new" would start from no state.
    hyperfine -N -w 1 -r "$RUNS" \
        -p true -n "analyze (no state)" "$D analyze $LOG -q" \
        -p true -n "analyze --state, nothing new (load + save)" "$D analyze $LOG --state $STATE -q" \
        -p "rm -f $STATE" -n "first run --state (read all + save)" "$D analyze $LOG --state $STATE -q"
else
    for i in $(seq "$RUNS"); do /usr/bin/time -f "nothing new: %e s, %M KB" "$D" analyze "$LOG" --state "$STATE" -q > /dev/null; done
fi
