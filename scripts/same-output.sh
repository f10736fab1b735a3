#!/usr/bin/env bash
# Every report in every format, byte for byte, from two darklog binaries, and what they
# say on stderr (the line accounting, the notes): the proof that a refactoring changed
# no answer.
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [EXTRA_LOG…]
#
# Inputs: the bundled sample, fixtures/small.log, the real logs in ../shared/data/real
# (when present) and any EXTRA_LOG given (e.g. a 2-million-line generated log). Every
# report in table, CSV, JSON and Markdown, and the HTML page (all reports at once). Visitor
# ids are keyed with a fixed passphrase so that the `visits` report can be compared. Exit
# code 0 when every stdout, stderr and exit code matches; the first differences are
# printed.
set -uo pipefail
OLD=$1
NEW=$2
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGS=("$ROOT/fixtures/sample.log.gz" "$ROOT/fixtures/small.log")
for f in elastic_apache_logs_2015.log elastic_apache_logs_2015.log.gz zanbil_shop_nginx_2019_first1000.log nasa_http_aug95_first50.log iis_w3c_2015.log; do
    [ -f "$ROOT/../shared/data/real/$f" ] && LOGS+=("$ROOT/../shared/data/real/$f")
done
LOGS+=("$@")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail=0
runs=0
compare() {
    "$OLD" "$@" >"$WORK/old" 2>"$WORK/old.err"
    local old_code=$?
    "$NEW" "$@" >"$WORK/new" 2>"$WORK/new.err"
    local new_code=$?
    runs=$((runs + 1))
    if [ "$old_code" != "$new_code" ] || ! cmp -s "$WORK/old" "$WORK/new" || ! cmp -s "$WORK/old.err" "$WORK/new.err"; then
        fail=$((fail + 1))
        echo "DIFFERS: $* (exit $old_code vs $new_code)"
        diff "$WORK/old" "$WORK/new" | head -n 10
        diff "$WORK/old.err" "$WORK/new.err" | head -n 10
    fi
}
for log in "${LOGS[@]}"; do
    for report in summary channels pages daily visits shares; do
        for format in table csv json markdown; do
            compare analyze "$log" --report "$report" --format "$format" --visitor-key same-output
        done
    done
    compare analyze "$log" --format html --visitor-key same-output
done
echo "$runs runs, $fail differ"
[ "$fail" -eq 0 ]
