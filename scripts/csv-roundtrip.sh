#!/usr/bin/env bash
# The spreadsheet check of issue 15 (.ci/run runs it): every CSV report of the bundled
# sample read by pandas with its default type inference, written back and read again;
# visitor ids must come back exact. Pinned pandas goes into target/csv-venv (reused while
# it holds that version); without PyPI the check is skipped, except under CI, where a
# failed install fails the run. Prints `csv: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
PANDAS_VERSION=2.2.3
VENV=$(realpath -m "${CSV_VENV:-target/csv-venv}")

if ! "$VENV/bin/python" -c "import pandas, sys; sys.exit(pandas.__version__ != '$PANDAS_VERSION')" 2>/dev/null; then
    rm -rf "$VENV"
    if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet "pandas==$PANDAS_VERSION"; }; then
        if [[ -n "${CI:-}" ]]; then
            echo "csv-roundtrip: pandas $PANDAS_VERSION could not be installed (under CI this fails the run)" >&2
            exit 1
        fi
        echo "csv-roundtrip: pandas $PANDAS_VERSION could not be installed; skipped"
        exit 0
    fi
fi
# The test profile's build, which `cargo test` made already.
cargo build --locked --quiet --bin darklog
"$VENV/bin/python" scripts/csv_roundtrip.py target/debug/darklog fixtures/sample.log.gz
