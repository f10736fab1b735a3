#!/usr/bin/env bash
# The HTML report of a big run: its size (the goal: under 1 MB for 2 million lines) and
# what rendering it adds to the analysis (JSON as the baseline: the same run, the same
# numbers, a few kilobytes written). Not a timed test: a benchmark to run by hand.
#
#   benches/html.sh                 # 2,000,000 lines, 5 runs of each
#   LINES=500000 RUNS=3 benches/html.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-2000000}
RUNS=${RUNS:-5}
LOG=${LOG:-/tmp/darklog-html-bench.log}

cargo build --release -q -p darklog -p darklog-gen
if [ ! -s "$LOG" ]; then
    target/release/darklog-gen --lines "$LINES" > "$LOG"
fi
bin=target/release/darklog
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Median wall time of RUNS runs of the command, in seconds.
median() {
    local times=()
    for _ in $(seq "$RUNS"); do
        local s e
        s=$(date +%s.%N)
        "$@" > /dev/null
        e=$(date +%s.%N)
        times+=("$(echo "$e - $s" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

$bin analyze "$LOG" -q --format html -o "$out/report.html"
$bin analyze "$LOG" -q --format json -o "$out/report.json"
size=$(stat -c %s "$out/report.html")
echo "lines: $(wc -l < "$LOG")"
echo "html: $size bytes ($(echo "scale=1; $size / 1000" | bc) kB; goal < 1,000,000)"
echo "json: $(stat -c %s "$out/report.json") bytes"
# Alternate the two so that a busy machine slows both alike.
json=0; html=0
for _ in 1 2; do
    json=$(median $bin analyze "$LOG" -q --format json)
    html=$(median $bin analyze "$LOG" -q --format html)
done
echo "median wall: json ${json}s, html ${html}s, ratio $(echo "scale=3; $html / $json" | bc -l)"
[ "$size" -lt 1000000 ] || { echo "the page is over 1 MB" >&2; exit 1; }
