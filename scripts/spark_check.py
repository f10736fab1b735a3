"""The Spark integration test's checks (scripts/spark-test.sh sets it up and runs it).

Runs examples/spark/ on a real Spark in local mode over each log given (a file, or a glob
for a set read as one job) with 4 and 16 partitions, and asserts that `darklog merge` of
the job's states prints, byte for byte, what `darklog analyze` prints over the same files,
for every aggregate report in every format (JSON without `inputs`, which names the files
each process read). Then the two ways an operator starts it: spark-submit of the driver,
and the two spark-sql steps. Prints `N passed, N failed`; exits 1 on any failure.

    python spark_check.py DARKLOG STAGE_DIR WORK LOG_OR_GLOB...
"""

import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time

REPORTS = ["summary", "channels", "pages", "daily", "shares"]
FORMATS = ["table", "csv", "json", "markdown"]
PARTITIONS = [4, 16]
SPARK_CONF = {
    "spark.master": "local[2]",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}

darklog, examples, work, logs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
start = time.time()
passed, failed = 0, 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        return
    failed += 1
    print(f"FAIL {name}")
    if not isinstance(got, str):
        print(f"  got {got!r}, want {want!r}")
        return
    for i, (g, w) in enumerate(zip(got.splitlines() + [""] * 9, want.splitlines() + [""] * 9)):
        if g != w:
            print(f"  line {i + 1}: got  {g!r}\n          want {w!r}")
            break


def comparable(text, fmt):
    if fmt == "markdown":
        # Its caveats name the files, as each process was given them: by their names alone.
        return re.sub(r"[^\s`]*/(?=[^\s/`]+:)", "", text)
    if fmt != "json":
        return text
    doc = json.loads(text)
    doc.pop("inputs", None)
    return json.dumps(doc)


def report(args, fmt, stdin=None):
    r = subprocess.run([darklog, *args, "--format", fmt, "-q"], input=stdin, capture_output=True)
    if r.returncode != 0:
        return f"exit {r.returncode}: {r.stderr.decode(errors='replace')}"
    return comparable(r.stdout.decode(), fmt)


def check_states(name, files, states, flags=()):
    """Every report in every format of the job's states against one run over its files."""
    text = "".join(s + "\n" for s in states).encode()
    for rep in REPORTS:
        for fmt in FORMATS:
            want = report(["analyze", *files, "--report", rep, *flags], fmt)
            got = report(["merge", "-", "--report", rep, *flags], fmt, stdin=text)
            check(f"{name}: {rep} {fmt}", got, want)


def broken_inputs(spark, darklog_job):
    """A truncated gzip among a job's files is said by merge (exit 2, the file named) and in
    the report's caveats, as `analyze` says it; one log under two names stops the job
    before its costly part (exit 2 from the profiles' join), where it would be read twice."""
    plain = open(sorted(glob.glob(logs[0]))[0], "rb").read()
    trunc, dup = os.path.join(work, "trunc"), os.path.join(work, "dup")
    os.makedirs(trunc), os.makedirs(dup)
    packed = gzip.compress(plain)
    open(os.path.join(trunc, "access.log.1.gz"), "wb").write(packed[: len(packed) * 3 // 5])
    states = darklog_job.run_job(spark, f"{trunc}/*", 4)
    text = "".join(s + "\n" for s in states).encode()
    r = subprocess.run([darklog, "merge", "-", "--format", "markdown", "-q"], input=text, capture_output=True)
    check("truncated gzip: merge exit 2", r.returncode, 2)
    said = f"{trunc}/access.log.1.gz: corrupt or truncated gzip"
    check("truncated gzip: merge names it", said in r.stderr.decode(), True)
    check("truncated gzip: in the report's caveats", f"not read whole: the figures leave out what could not be read: {said}" in r.stdout.decode(), True)
    # A job over empty logs only: no state, and merge says so (exit 4), not a traceback.
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    open(os.path.join(empty, "access.log"), "wb").close()
    states = darklog_job.run_job(spark, f"{empty}/*", 4)
    r = subprocess.run([darklog, "merge", "-", "-q"], input=b"", capture_output=True)
    check("empty logs only: no state", (len(states), r.returncode), (0, 4))
    check("empty logs only: said", "no state line to merge" in r.stderr.decode(), True)
    for name in ["access.log", "access.log.bak"]:
        shutil.copy(sorted(glob.glob(logs[0]))[0], os.path.join(dup, name))
    try:
        darklog_job.run_job(spark, f"{dup}/*", 4)
        check("the same log twice: the job stops", "ran", "stopped")
    except RuntimeError as e:
        check("the same log twice: the job stops", str(e), "darklog profile exited 2: no job run")


def in_session():
    """Each log, each partition count, in one session (as a notebook would run it)."""
    sys.path.insert(0, examples)
    import darklog_job
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("darklog-spark-test")
    for k, v in SPARK_CONF.items():
        builder = builder.config(k, v)
    # What --files ships.
    spark = builder.config("spark.files", f"{darklog},{examples}/stage.py").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    jobs = [(log, parts, []) for log in logs for parts in PARTITIONS]
    # Reading flags reach every stage (quoted through SQL and the shell): a layout named,
    # days in another zone.
    jobs.append((logs[0], 4, ["--log-format", "combined", "--tz", "America/New_York"]))
    for log, parts, flags in jobs:
        files = sorted(glob.glob(log))
        t = time.monotonic()
        states = darklog_job.run_job(spark, log, parts, flags)
        took = time.monotonic() - t
        name = f"{log}, {parts} partitions{' '.join(['', *flags])}"
        check(f"{name}: 1 to {parts} states", 1 <= len(states) <= parts, True)
        check_states(name, files, states, flags)
        print(f"  {name}: {len(states)} states, {took:.1f} s", flush=True)
    broken_inputs(spark, darklog_job)
    spark.stop()


def conf_args():
    return [a for k, v in SPARK_CONF.items() for a in ("--conf", f"{k}={v}")]


# A window after `--`: merge cuts it from the states, which hold every day (the stages
# must not be given it). Two days of the first real log.
WINDOW = ["--since", "2015-05-18", "--until", "2015-05-20"]


def submitted(log):
    """The driver as an operator starts it: spark-submit, the binary shipped with --files,
    a window asked for."""
    files = sorted(glob.glob(log))
    out = os.path.join(work, "submit.states")
    r = subprocess.run(
        ["spark-submit", *conf_args(), "--files", f"{darklog},{examples}/stage.py",
         f"{examples}/darklog_job.py", "--partitions", "4", "--states", out, log, "--", "--report", "daily", *WINDOW, "-q"],
        capture_output=True,
    )
    check(f"spark-submit {log}: exit 0", r.returncode, 0)
    check(f"spark-submit {log}: daily table of a window", r.stdout.decode(),
          report(["analyze", *files, "--report", "daily", *WINDOW], "table"))
    if r.returncode == 0:
        check_states(f"spark-submit {log}", files, open(out).read().split())
    else:
        print(r.stderr.decode(errors="replace")[-3000:])


def spark_sql(log):
    """The two spark-sql steps, as the SQL files' comments say."""
    files = sorted(glob.glob(log))
    run = dict(cwd=work, capture_output=True)  # spark-sql's metastore goes to the cwd
    ship = f"{darklog},{examples}/stage.py"
    profiles = subprocess.run(
        ["spark-sql", *conf_args(), "--files", ship, "-d", f"logs={log}", "-d", "flags=",
         "-S", "-f", f"{examples}/profile.sql"], **run)
    check(f"spark-sql {log}: profile.sql exit 0", profiles.returncode, 0)
    profile = os.path.join(work, "job.profile")
    joined = subprocess.run([sys.executable, f"{examples}/stage.py", "join-profiles", profile],
                            input=profiles.stdout, cwd=os.path.dirname(darklog))
    check(f"spark-sql {log}: join-profiles exit 0", joined.returncode, 0)
    states = subprocess.run(
        ["spark-sql", *conf_args(), "--files", f"{ship},{profile}", "-d", f"logs={log}",
         "-d", "partitions=4", "-d", "profile=job.profile", "-d", "flags=",
         "-S", "-f", f"{examples}/darklog.sql"], **run)
    check(f"spark-sql {log}: darklog.sql exit 0", states.returncode, 0)
    if states.returncode == 0:
        check_states(f"spark-sql {log}", files, states.stdout.decode().split())
    else:
        print(states.stderr.decode(errors="replace")[-3000:])


def timed(step, *args):
    t = time.monotonic()
    step(*args)
    print(f"  {step.__name__}: {time.monotonic() - t:.1f} s", flush=True)


timed(in_session)
timed(submitted, logs[0])
timed(spark_sql, logs[-1])
install, build = (int(os.environ.get(v, 0)) for v in ("SPARK_INSTALL_S", "SPARK_BUILD_S"))
jobs = time.time() - start
print(f"  pyspark install {install} s + Spark jobs {jobs:.0f} s = {install + jobs:.0f} s; build {build} s")
print(f"spark: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
