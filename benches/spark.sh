#!/usr/bin/env bash
# The Spark job of examples/spark/ against one `darklog analyze`, in local mode, on a
# generated rotated set of 10 million lines (not part of CI: minutes, and gigabytes in
# target/spark-bench). Prints wall times, lines per second per core, task time by stage
# and shuffle bytes per line (from Spark's event log).
#
#   benches/spark.sh                      # LINES=10000000 FILES=20 PARTITIONS=8 CORES=2
#
# Needs Java 17 and the virtualenv scripts/spark-test.sh makes (target/spark-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-10000000}
FILES=${FILES:-20}   # about 135 MB a plain file: each file is one row, held in memory
PARTITIONS=${PARTITIONS:-8}
CORES=${CORES:-$(nproc)}
VENV=$(realpath -m "${SPARK_VENV:-target/spark-venv}")
WORK=$(realpath -m target/spark-bench)

[[ -x $VENV/bin/python ]] || { echo "spark.sh: no $VENV: run scripts/spark-test.sh once" >&2; exit 1; }
cargo build --release --locked
GEN=$WORK/gen-$LINES-$FILES
if [[ ! -f $GEN/truth.csv ]]; then
    rm -rf "$GEN"
    target/release/darklog-gen --out-dir "$GEN" --files "$FILES" --lines "$LINES"
fi
rm -rf "$WORK/events"
export SPARK_LOCAL_IP=127.0.0.1 DARKLOG_VISITOR_KEY=spark-bench
export PATH="$VENV/bin:$PATH" PYSPARK_PYTHON="$VENV/bin/python"
du -sh "$GEN"
"$VENV/bin/python" benches/spark_bench.py "$PWD/target/release/darklog" "$PWD/examples/spark" "$WORK" \
    "$CORES" "$PARTITIONS" "$GEN"/access.log*
