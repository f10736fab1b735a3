#!/usr/bin/env bash
# The Spark integration test (.ci/run runs it): examples/spark/ on a real Spark, local
# mode, over the real logs of ../shared/data/real/ (each its own job: they are different
# sites and layouts, the IIS W3C log among them) and a generated rotated set (one job of
# three files, plain and gzip), with 4 and 16 partitions; merge's reports must be
# byte-identical to one `darklog analyze`. Prints `N passed, N failed`.
#
# Needs Java 17 (on these machines) and PyPI: pyspark, pinned, goes into a virtualenv
# (target/spark-venv, reused while it holds that version). Without it the test is
# skipped, except under CI, where a failed install fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYSPARK_VERSION=3.5.3
VENV=$(realpath -m "${SPARK_VENV:-target/spark-venv}")
DATA=../shared/data/real
# Seconds of each part, for the checker's last lines (its `N passed, N failed` closes
# the output).
export SPARK_INSTALL_S=0 SPARK_BUILD_S=0

skip_or_fail() {
    if [[ -n "${CI:-}" ]]; then
        echo "spark-test: $1 (under CI this fails the run)" >&2
        exit 1
    fi
    echo "spark-test: $1; skipped"
    exit 0
}

java -version 2>&1 | grep -q 'version "17' || skip_or_fail "Spark 3.5 needs Java 17 on PATH"
[[ -d $DATA ]] || skip_or_fail "no $DATA"
if ! "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
    echo "== pyspark $PYSPARK_VERSION into $VENV"
    t=$SECONDS
    rm -rf "$VENV"
    # --no-cache-dir: the 317 MB sdist would only be copied into pip's cache once more.
    python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet --no-cache-dir "pyspark==$PYSPARK_VERSION" \
        || skip_or_fail "pyspark $PYSPARK_VERSION could not be installed"
    SPARK_INSTALL_S=$((SECONDS - t))
fi

# The binary the job ships, and the generator. The test profile's build by default: after
# `cargo test` it costs nothing, where a release build (fat LTO) costs minutes of CI; the
# answers are the same bytes. SPARK_TEST_PROFILE=release tests what a cluster would run.
PROFILE=${SPARK_TEST_PROFILE:-dev}
BIN=target/$([[ $PROFILE == dev ]] && echo debug || echo "$PROFILE")
echo "== build ($PROFILE profile: the binary the job ships, and the generator)"
t=$SECONDS
cargo build --locked --profile "$PROFILE" --bins
SPARK_BUILD_S=$((SECONDS - t))

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN/darklog-gen" --out-dir "$WORK/gen" --files 3 --lines 200000 >/dev/null

echo "== Spark jobs"
# Tasks inherit the driver's environment in local mode; on a cluster, spark.executorEnv.
export SPARK_LOCAL_IP=127.0.0.1 DARKLOG_VISITOR_KEY=spark-test
export PATH="$VENV/bin:$PATH" PYSPARK_PYTHON="$VENV/bin/python"
"$VENV/bin/python" scripts/spark_check.py "$PWD/$BIN/darklog" "$PWD/examples/spark" "$WORK" \
    "$DATA"/*.log "$WORK/gen/access.log*"
