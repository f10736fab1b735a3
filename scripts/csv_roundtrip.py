"""Issue 15's spreadsheet check: every CSV report of the bundled sample read by pandas with
its default inference, as an analyst's notebook reads it, and written back and read again.

Visitor ids must stay the exact text darklog wrote (a hex id such as 992711e989545562 is
read as the number 9.9e+253 by type inference: the `v` prefix is what keeps them text),
start/end times must parse as date-times, counts must be integers and percentages numbers.
Prints `csv: N passed, N failed`.

    python csv_roundtrip.py DARKLOG SAMPLE
"""

import io
import subprocess
import sys

import pandas as pd

darklog, sample = sys.argv[1], sys.argv[2]
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def csv_of(report):
    out = subprocess.run([darklog, "analyze", sample, "--report", report, "--format", "csv", "-q",
                          "--top", "0", "--visitor-key", "csv-roundtrip"], capture_output=True, check=True)
    return out.stdout.decode()


# The check can fail: ids written as bare hex are mangled by the same reader (a leading
# zero dropped, an `e` read as an exponent).
bare_ids = ["0497951551436923", "5497951551436e23"]
bare = pd.read_csv(io.StringIO("visitor\n" + "\n".join(bare_ids) + "\n"))
check("bare hex ids are mangled by inference (the test can fail)",
      [str(v) for v in bare["visitor"]] != bare_ids, str(list(bare["visitor"])))

visits_text = csv_of("visits")
raw_ids = [line.split(",")[1] for line in visits_text.splitlines()[1:]]
visits = pd.read_csv(io.StringIO(visits_text))
check("visits: ids read as text", visits["visitor"].dtype == object, str(visits["visitor"].dtype))
check("visits: every id exact", list(visits["visitor"]) == raw_ids)
check("visits: ids survive a write and a read", list(pd.read_csv(io.StringIO(visits.to_csv(index=False)))["visitor"]) == raw_ids)
for col in ["start", "end"]:
    parsed = pd.to_datetime(visits[col], format="ISO8601", utc=True, errors="coerce")
    check(f"visits: {col} parses as a date-time", parsed.notna().all())
for col in ["start_local", "end_local"]:
    parsed = pd.to_datetime(visits[col], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    check(f"visits: {col} parses as a local date-time", parsed.notna().all())
for col in ["pageviews", "hits"]:
    check(f"visits: {col} integers", pd.api.types.is_integer_dtype(visits[col]), str(visits[col].dtype))

channels = pd.read_csv(io.StringIO(csv_of("channels")))
check("channels: visits integers", pd.api.types.is_integer_dtype(channels["visits"]))
check("channels: visits_pct numbers", pd.api.types.is_numeric_dtype(channels["visits_pct"]))
check("channels: human visits add up to the summary's",
      int(channels[channels["kind"] == "channel"]["visits"].sum())
      == int(pd.read_csv(io.StringIO(csv_of("summary"))).set_index("metric").loc["visits", "value"]))

pages = pd.read_csv(io.StringIO(csv_of("pages")))
check("pages: every row (--top 0)", len(pages) > 10, str(len(pages)))
check("pages: share_of_visits_pct numbers", pd.api.types.is_numeric_dtype(pages["share_of_visits_pct"]))

daily = pd.read_csv(io.StringIO(csv_of("daily")))
check("daily: dates parse", pd.to_datetime(daily["date"], format="%Y-%m-%d", errors="coerce").notna().all())

print(f"csv: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
