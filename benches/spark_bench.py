"""benches/spark.sh's measurement: the Spark job of examples/spark/ in local mode over a
generated log set, against one `darklog analyze`, with Spark's event log for shuffle
bytes and task time. Prints what a cluster's sizing needs: lines per second per core,
shuffle bytes per line.

    python spark_bench.py DARKLOG EXAMPLES WORK CORES PARTITIONS FILE...
"""

import glob
import json
import os
import subprocess
import sys
import time

darklog, examples, work, cores, partitions, files = (
    sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
sys.path.insert(0, examples)
import darklog_job  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402


def summary(argv, stdin=None):
    """The JSON summary, without `inputs` (which names the files each process read)."""
    out = subprocess.run([darklog, *argv, "--format", "json", "-q"], input=stdin, capture_output=True, check=True)
    doc = json.loads(out.stdout)
    doc.pop("inputs")
    return doc


t = time.monotonic()
analyze = summary(["analyze", *files])
one_run = time.monotonic() - t
lines = analyze["lines"]["read"]

events = os.path.join(work, "events")
os.makedirs(events, exist_ok=True)
spark = (SparkSession.builder.appName("darklog-bench")
         .config("spark.master", f"local[{cores}]")
         .config("spark.driver.memory", "8g")  # local mode: the executor is the driver
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.eventLog.enabled", "true")
         .config("spark.eventLog.dir", f"file://{events}")
         .config("spark.files", f"{darklog},{examples}/stage.py")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
app = spark.sparkContext.applicationId
# One glob for the set, as an operator names it.
logs = os.path.commonprefix(files) + "*"
assert sorted(glob.glob(logs)) == sorted(files), logs
t = time.monotonic()
states = darklog_job.run_job(spark, logs, partitions)
merged = summary(["merge", "-"], "".join(s + "\n" for s in states).encode())
job = time.monotonic() - t
spark.stop()

# The event log: per stage, task time and shuffle.
stages, task = {}, {}
for line in open(os.path.join(events, app)):
    e = json.loads(line)
    if e["Event"] == "SparkListenerStageCompleted":
        info = e["Stage Info"]
        stages[info["Stage ID"]] = info["Stage Name"]
    elif e["Event"] == "SparkListenerTaskEnd" and e.get("Task Metrics"):
        m = e["Task Metrics"]
        s = task.setdefault(e["Stage ID"], [0, 0, 0])
        s[0] += m["Executor Run Time"] / 1000
        s[1] += m["Shuffle Write Metrics"]["Shuffle Bytes Written"]
        s[2] += m["Shuffle Write Metrics"]["Shuffle Records Written"]
shuffle = sum(s[1] for s in task.values())
task_seconds = sum(s[0] for s in task.values())

print(f"lines                          {lines:,}")
print(f"same summary as analyze        {'yes' if merged == analyze else 'NO'}")
print(f"darklog analyze                {one_run:.1f} s wall, {lines / one_run / cores:,.0f} lines/s/core ({cores} cores)")
print(f"Spark job (local[{cores}], {partitions} partitions) {job:.1f} s wall, "
      f"{lines / job / cores:,.0f} lines/s/core; {job / one_run:.0f}x analyze")
print(f"  task time                    {task_seconds:.0f} s: {lines / task_seconds:,.0f} lines per task-second")
for sid in sorted(task):
    secs, written, records = task[sid]
    print(f"    stage {sid} {stages.get(sid, '?')[:40]:40} {secs:7.1f} s" +
          (f"  shuffle {written / 1e6:,.0f} MB, {records:,} records" if written else ""))
print(f"shuffle                        {shuffle / 1e6:,.0f} MB written, {shuffle / lines:.0f} bytes a line "
      "(compressed)")
sizes = sorted(len(s) for s in states)
print(f"state lines                    {len(states)}, {sizes[0] / 1e3:,.0f} to {sizes[-1] / 1e3:,.0f} KB")
if merged != analyze:
    # What differs, for whoever reads the bench's output; the states are kept to look closer.
    with open(os.path.join(work, "states.txt"), "w") as f:
        f.write("".join(s + "\n" for s in states))
    for key in sorted(set(analyze) | set(merged)):
        if analyze.get(key) != merged.get(key):
            print(f"  differs: {key}\n    analyze {json.dumps(analyze.get(key))[:600]}\n    spark   {json.dumps(merged.get(key))[:600]}")
    print(f"  the states: {os.path.join(work, 'states.txt')} (darklog merge - < it)")
sys.exit(0 if merged == analyze else 1)
