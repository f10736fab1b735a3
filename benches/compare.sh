#!/usr/bin/env bash
# darklog against the floor and the field, on one generated log.
#
#   benches/compare.sh                 # 2-million-line log, 3 runs each, medians
#   LINES=500000 RUNS=5 benches/compare.sh
#   BIG_LINES=0 benches/compare.sh     # skip the 10-million-line memory check
#   FEATURES=zlib-ng benches/compare.sh  # both darklog and the floor on zlib-ng (needs cmake)
#
# Generates the log with darklog's generator, darklog-gen (same seed, same bytes everywhere),
# then times, with /usr/bin/time, on the same file:
#   inflate+count  the same flate2 backend inflating the .gz and counting lines (the floor
#                  for gzip input: examples/inflate_count.rs)
#   wc -l          the floor for plain input
#   darklog        analyze, plain and gzip, default threads and --threads 1
#   GoAccess       Debian's package, --log-format=COMBINED -o report.json (installed with
#                  apt-get when missing; skipped with a note when it cannot be)
#   mawk           a one-liner counting referrer-less hits by path
#   formats        darklog on the same lines read through a format string (combined, as
#                  an nginx log_format) and rewritten as nginx JSON (examples/relayout.rs)
#   asset-heavy    darklog and wc -l on a log of browsers that load five assets a page
#                  (darklog-gen --assets-per-page 5: about half the lines are assets)
#   baseline       with BASELINE=path/to/an/older/darklog, it and this build in
#                  alternation on the plain and gzip logs (paired runs: the machine's
#                  moods hit both alike)
# and prints a markdown table of median wall time, peak RSS and the ratios the
# performance targets are stated in. Times are medians of RUNS runs; these machines are
# shared, so read the ratios, not the seconds.
set -euo pipefail

LINES=${LINES:-2000000}
BIG_LINES=${BIG_LINES:-10000000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/target/compare}
mkdir -p "$WORK"
cd "$ROOT"

echo "building release binaries…" >&2
cargo build --release --quiet --bin darklog --example inflate_count --example relayout ${FEATURES:+--features "$FEATURES"}
cargo build --release --quiet -p darklog-gen
DARKLOG=$ROOT/target/release/darklog
GENERATE=$ROOT/target/release/darklog-gen
INFLATE=$ROOT/target/release/examples/inflate_count
RELAYOUT=$ROOT/target/release/examples/relayout
# The combined preset written as a format string: the plan executor on the same bytes.
COMBINED_STRING='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'

LOG=$WORK/gen-$LINES.log
if [ ! -s "$LOG.gz" ]; then
    echo "generating $LINES lines…" >&2
    "$GENERATE" --lines "$LINES" --seed 1 > "$LOG.tmp" 2>/dev/null
    gzip -6 -c "$LOG.tmp" > "$LOG.gz.tmp"
    mv "$LOG.tmp" "$LOG"
    mv "$LOG.gz.tmp" "$LOG.gz"
fi
[ -s "$LOG" ] || gzip -dc "$LOG.gz" > "$LOG"
if [ ! -s "$LOG.json" ]; then
    echo "rewriting as nginx JSON…" >&2
    "$RELAYOUT" json < "$LOG" > "$LOG.json.tmp"
    mv "$LOG.json.tmp" "$LOG.json"
fi

ASSETS=$WORK/gen-$LINES-assets5.log
if [ ! -s "$ASSETS" ]; then
    echo "generating $LINES lines, five assets a page…" >&2
    "$GENERATE" --lines "$LINES" --seed 1 --assets-per-page 5 > "$ASSETS.tmp" 2>/dev/null
    mv "$ASSETS.tmp" "$ASSETS"
fi

if ! command -v goaccess >/dev/null 2>&1; then
    echo "installing goaccess…" >&2
    { apt-get install -y -qq goaccess || { apt-get update -qq && apt-get install -y -qq goaccess; }; } >/dev/null 2>&1 || true
fi

# measure NAME CMD… : runs CMD RUNS times; records the median wall time and max RSS.
declare -A WALL RSS
measure() {
    local name=$1
    shift
    local walls=() rss=0 i out
    for ((i = 0; i < RUNS; i++)); do
        /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
        out=$(tail -n 1 "$WORK/time.txt")
        walls+=("${out% *}")
        ((${out#* } > rss)) && rss=${out#* }
    done
    WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    RSS[$name]=$rss
    echo "  $name: ${WALL[$name]} s, $((rss / 1024)) MiB" >&2
}

echo "timing ($RUNS runs each)…" >&2
cat "$LOG" "$LOG.gz" >/dev/null # warm the page cache for everyone alike
measure inflate "$INFLATE" "$LOG.gz"
measure wc wc -l "$LOG"
measure darklog_gz "$DARKLOG" analyze "$LOG.gz" --format json -q
measure darklog_plain "$DARKLOG" analyze "$LOG" --format json -q
measure darklog_gz_t1 "$DARKLOG" analyze "$LOG.gz" --format json -q --threads 1
measure darklog_plain_t1 "$DARKLOG" analyze "$LOG" --format json -q --threads 1
measure darklog_string "$DARKLOG" analyze "$LOG" --format json -q --log-format "$COMBINED_STRING"
cat "$LOG.json" >/dev/null
measure darklog_json "$DARKLOG" analyze "$LOG.json" --format json -q
cat "$ASSETS" >/dev/null
measure wc_assets wc -l "$ASSETS"
measure darklog_assets "$DARKLOG" analyze "$ASSETS" --format json -q
if [ -n "${BASELINE:-}" ]; then
    # Alternating runs, one median each.
    for ((pair = 0; pair < RUNS; pair++)); do
        for which in base new; do
            bin=$DARKLOG
            [ "$which" = base ] && bin=$BASELINE
            RUNS_SAVED=$RUNS
            RUNS=1
            measure "pair_${which}_plain_$pair" "$bin" analyze "$LOG" --format json -q
            measure "pair_${which}_gz_$pair" "$bin" analyze "$LOG.gz" --format json -q
            RUNS=$RUNS_SAVED
        done
    done
    median_of() { # PREFIX: the median of WALL[PREFIX_0..RUNS-1]
        local i
        for ((i = 0; i < RUNS; i++)); do echo "${WALL[${1}_$i]}"; done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
    }
    for which in base new; do
        for input in plain gz; do
            WALL[pair_${which}_$input]=$(median_of "pair_${which}_$input")
            RSS[pair_${which}_$input]=$(for ((i = 0; i < RUNS; i++)); do echo "${RSS[pair_${which}_${input}_$i]}"; done | sort -n | tail -n 1)
        done
    done
    # The ratio of each pair, then their median: the machine drifts between pairs by
    # more than the builds differ, and a pair shares its moment.
    declare -A PAIRED
    for input in plain gz; do
        PAIRED[$input]=$(for ((i = 0; i < RUNS; i++)); do
            awk -v a="${WALL[pair_new_${input}_$i]}" -v b="${WALL[pair_base_${input}_$i]}" 'BEGIN { printf "%.4f\n", a / b }'
        done | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
    done
fi
# shellcheck disable=SC2016
measure mawk mawk -F'"' '$4 == "-" { split($2, r, " "); n[r[2]]++ } END { for (p in n) k++; print k }' "$LOG"
GOACCESS_NOTE=""
if command -v goaccess >/dev/null 2>&1; then
    measure goaccess goaccess "$LOG" --log-format=COMBINED -o "$WORK/report.json"
else
    GOACCESS_NOTE="GoAccess could not be installed here: skipped"
fi

if [ "$BIG_LINES" -gt 0 ]; then
    BIG=$WORK/gen-$BIG_LINES.log.gz
    if [ ! -s "$BIG" ]; then
        echo "generating $BIG_LINES lines (gzip only)…" >&2
        "$GENERATE" --lines "$BIG_LINES" --seed 1 2>/dev/null | gzip -1 > "$BIG.tmp"
        mv "$BIG.tmp" "$BIG"
    fi
    RUNS_SAVED=$RUNS
    RUNS=1
    measure darklog_gz_big "$DARKLOG" analyze "$BIG" --format json -q
    RUNS=$RUNS_SAVED
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { printf '| %s | %s | %s |\n' "$1" "${WALL[$2]:-n/a}" "$(( ${RSS[$2]:-0} / 1024 ))"; }

echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $("$DARKLOG" --version), $(goaccess --version 2>/dev/null | head -n 1 || true)"
echo "flate2 backend: ${FEATURES:-zlib-rs (default)}"
echo "log: $LINES lines, $(du -m "$LOG" | cut -f1) MB plain, $(du -m "$LOG.gz" | cut -f1) MB gzip; median of $RUNS runs"
echo
echo "| command | wall (s) | peak RSS (MiB) |"
echo "|---|---:|---:|"
row "inflate + count lines (flate2, same backend)" inflate
row "wc -l" wc
row "darklog analyze big.log.gz" darklog_gz
row "darklog analyze big.log" darklog_plain
row "darklog analyze big.log.gz --threads 1" darklog_gz_t1
row "darklog analyze big.log --threads 1" darklog_plain_t1
row "darklog analyze big.log --log-format '\$remote_addr … \"\$http_user_agent\"'" darklog_string
row "darklog analyze big.json (nginx escape=json, $(du -m "$LOG.json" | cut -f1) MB)" darklog_json
row "mawk one-liner (referrer-less hits by path)" mawk
row "wc -l, five assets a page ($(du -m "$ASSETS" | cut -f1) MB)" wc_assets
row "darklog analyze, five assets a page" darklog_assets
if [ -n "${BASELINE:-}" ]; then
    row "baseline $("$BASELINE" --version) big.log (paired)" pair_base_plain
    row "this build big.log (paired)" pair_new_plain
    row "baseline big.log.gz (paired)" pair_base_gz
    row "this build big.log.gz (paired)" pair_new_gz
fi
[ -n "${WALL[goaccess]:-}" ] && row "GoAccess --log-format=COMBINED -o report.json" goaccess
[ -n "${WALL[darklog_gz_big]:-}" ] && row "darklog analyze (${BIG_LINES} lines, gzip)" darklog_gz_big
echo
echo "| target | measured | goal |"
echo "|---|---:|---|"
echo "| darklog gzip / inflate+count | $(ratio "${WALL[darklog_gz]}" "${WALL[inflate]}") | ≤ 1.3 |"
echo "| darklog plain / wc -l | $(ratio "${WALL[darklog_plain]}" "${WALL[wc]}") | ≤ 3 |"
echo "| darklog plain / wc -l, five assets a page | $(ratio "${WALL[darklog_assets]}" "${WALL[wc_assets]}") | ≤ 3 |"
if [ -n "${BASELINE:-}" ]; then
    echo "| this build / baseline, plain (median of paired ratios) | ${PAIRED[plain]} | ≤ 1 (no slower) |"
    echo "| this build / baseline, gzip (median of paired ratios) | ${PAIRED[gz]} | ≤ 1 (no slower) |"
fi
echo "| format string / combined (plain) | $(ratio "${WALL[darklog_string]}" "${WALL[darklog_plain]}") | ≤ 1.3 |"
echo "| nginx JSON / combined (plain) | $(ratio "${WALL[darklog_json]}" "${WALL[darklog_plain]}") | ≤ 2 |"
if [ -n "${WALL[goaccess]:-}" ]; then
    echo "| GoAccess / darklog plain | $(ratio "${WALL[goaccess]}" "${WALL[darklog_plain]}") | ≥ 30 |"
else
    echo "| GoAccess / darklog plain | $GOACCESS_NOTE | ≥ 30 |"
fi
echo "| mawk / darklog plain | $(ratio "${WALL[mawk]}" "${WALL[darklog_plain]}") | (for scale) |"
echo "| peak RSS, gzip (MiB) | $(( RSS[darklog_gz] / 1024 )) | ≤ 64 |"
if [ -n "${WALL[darklog_gz_big]:-}" ]; then
    echo "| peak RSS ${BIG_LINES} / ${LINES} lines | $(ratio "${RSS[darklog_gz_big]}" "${RSS[darklog_gz]}") | ≤ 2 |"
fi
