#!/usr/bin/env bash
# Every report in every format, byte for byte, from two darklog binaries: the proof that a
# refactoring changed no answer.
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [EXTRA_LOG…]
#
# Inputs: the bundled sample, fixtures/small.log, the real logs in ../shared/data/real
# (when present) and any EXTRA_LOG given (e.g. a 2-million-line generated log). Visitor ids
# are keyed with a fixed passphrase so that the `visits` report can be compared. Exit code
# 0 when every stdout and exit code matches; the first differences are printed.
set -uo pipefail
OLD=$1
NEW=$2
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGS=("$ROOT/fixtures/sample.log.gz" "$ROOT/fixtures/small.log")
for f in elastic_apache_logs_2015.log elastic_apache_logs_2015.log.gz zanbil_shop_nginx_2019_first1000.log nasa_http_aug95_first50.log; do
    [ -f "$ROOT/../shared/data/real/$f" ] && LOGS+=("$ROOT/../shared/data/real/$f")
done
LOGS+=("$@")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail=0
runs=0
for log in "${LOGS[@]}"; do
    for report in summary channels pages daily visits shares; do
        for format in table csv json; do
            args=(analyze "$log" --report "$report" --format "$format" --visitor-key same-output -q)
            "$OLD" "${args[@]}" >"$WORK/old" 2>"$WORK/old.err"
            old_code=$?
            "$NEW" "${args[@]}" >"$WORK/new" 2>"$WORK/new.err"
            new_code=$?
            runs=$((runs + 1))
            if [ "$old_code" != "$new_code" ] || ! cmp -s "$WORK/old" "$WORK/new"; then
                fail=$((fail + 1))
                echo "DIFFERS: $(basename "$log") --report $report --format $format (exit $old_code vs $new_code)"
                diff "$WORK/old" "$WORK/new" | head -n 10
            fi
        done
    done
done
echo "$runs runs, $fail differ"
[ "$fail" -eq 0 ]
