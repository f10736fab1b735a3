#!/usr/bin/env bash
# darklog's memory and time on hostile input: what a weekly cron job on a small server
# must survive. Generates the inputs (nothing here is committed), runs darklog on each
# and prints a markdown table of wall time and peak RSS.
#
#   benches/hostile.sh              # 2,000,000 lines each
#   LINES=500000 benches/hostile.sh
#
# The inputs, all combined format, all within 17 minutes of log time:
#   visitors   every line a new address: a scraper farm (5 million distinct visitors
#              in 17 minutes cost 3.0 GB before the visitor bound)
#   pages      every line a new landing page (and a new address: a visit each)
#   previews   every line a "WhatsApp" link-preview fetch of a new page
#   visits     the visitors input with --report visits (each line a visit)
# and, for comparison, the ordinary generated log (darklog-gen, seed 1).
set -euo pipefail

LINES=${LINES:-2000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/target/hostile}
mkdir -p "$WORK"
cd "$ROOT"
cargo build --release --quiet --bin darklog
cargo build --release --quiet -p darklog-gen
DARKLOG=$ROOT/target/release/darklog

UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
make_input() { # NAME AWK-PROGRAM
    local out=$WORK/$1-$LINES.log
    [ -s "$out" ] || awk -v n="$LINES" -v ua="$UA" "$2" > "$out"
    echo "$out"
}
# Seconds 0..1019 (17 minutes), spread evenly over the lines.
STAMP='function stamp(i,  s) { s = int(i * 1020 / n); return sprintf("[02/Nov/2026:10:%02d:%02d +0000]", int(s / 60), s % 60) }'
VISITORS=$(make_input visitors "$STAMP"' BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d - - %s \"GET /news/2026/11/story-%d HTTP/1.1\" 200 5120 \"-\" \"%s\"\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, stamp(i), i % 500, ua }')
PAGES=$(make_input pages "$STAMP"' BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d - - %s \"GET /p/%d/a-long-story-title HTTP/1.1\" 200 5120 \"-\" \"%s\"\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, stamp(i), i, ua }')
PREVIEWS=$(make_input previews "$STAMP"' BEGIN { for (i = 0; i < n; i++) printf "203.0.113.%d - - %s \"GET /shared/%d/story HTTP/1.1\" 200 5120 \"-\" \"WhatsApp/2.23.20.0 A\"\n", i % 250, stamp(i), i }')
ORDINARY=$WORK/ordinary-$LINES.log
[ -s "$ORDINARY" ] || "$ROOT/target/release/darklog-gen" --lines "$LINES" --seed 1 > "$ORDINARY" 2>/dev/null

measure() { # NAME ARGS…
    local name=$1
    shift
    /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "$DARKLOG" analyze "$@" -q > /dev/null 2> "$WORK/err.txt" || true
    read -r wall rss < "$WORK/time.txt"
    local cut
    cut=$(grep -o 'bounds cut: .*' "$WORK/err.txt" | cut -c1-120 || true)
    printf '| %s | %s | %s | %s |\n' "$name" "$wall" "$((rss / 1024))" "${cut:-nothing cut}"
}

echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $("$DARKLOG" --version), $LINES lines each"
echo
echo "| input | wall (s) | peak RSS (MiB) | what the bounds cut |"
echo "|---|---:|---:|---|"
measure "ordinary (darklog-gen)" "$ORDINARY" --format json
measure "distinct visitors" "$VISITORS" --format json
measure "distinct landing pages" "$PAGES" --format json
measure "spoofed WhatsApp previews" "$PREVIEWS" --format json
measure "--report visits, a visit a line" "$VISITORS" --report visits --format csv
measure "ordinary, --report visits" "$ORDINARY" --report visits --format csv
