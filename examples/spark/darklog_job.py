"""darklog on Apache Spark: one report over logs of any size, byte for byte what one
`darklog analyze` prints over the same files.

    DARKLOG_VISITOR_KEY=… spark-submit \
        --files target/release/darklog,examples/spark/stage.py \
        --conf spark.executorEnv.DARKLOG_VISITOR_KEY=… \
        examples/spark/darklog_job.py --partitions 64 's3a://bucket/logs/2026/11/*'

It runs profile.sql and darklog.sql (beside it) in one session, and does between and after
them what a driver must: joins the files' profiles into the job's and ships it to every
task, then merges the partitions' states into the report.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession

HERE = os.path.dirname(os.path.abspath(__file__))


def sql(spark, name, **variables):
    """Runs the statements of an SQL file of this folder, its ${variables} filled in as
    spark-sql's -d fills them; returns the rows of the last."""
    text = re.sub(r"--[^\n]*", "", open(os.path.join(HERE, name)).read())
    # Cut into statements before the variables go in: a flag may hold a `;` (a format string).
    for statement in [s for s in text.split(";") if s.strip()]:
        statement = re.sub(r"\$\{(\w+)\}", lambda m: str(variables[m.group(1)]), statement)
        rows = spark.sql(statement)
    return [r[0] for r in rows.collect()]


def run_job(spark, logs, partitions, flags=()):
    """The state lines of the job over `logs` (a path, directory or glob on any Hadoop
    filesystem), one per partition. The visitor key is DARKLOG_VISITOR_KEY, in the
    environment of the driver and of every executor."""
    shipped = SparkFiles.getRootDirectory()  # darklog and stage.py, from --files
    # A shell command inside an SQL string: each flag quoted for the one, then for the other.
    flag_text = " ".join(shlex.quote(f) for f in flags).replace("\\", "\\\\").replace("'", "\\'")
    profiles = sql(spark, "profile.sql", logs=logs, flags=flag_text)
    # A new name for each job's profile (Spark ships a name once), kept with the session's
    # files: an executor that joins later still fetches it.
    tmp = tempfile.mkdtemp(dir=shipped)
    profile = f"job-{os.path.basename(tmp)}.profile"
    joined = subprocess.run(
        [sys.executable, "stage.py", "join-profiles", os.path.join(tmp, profile), *flags],
        input="".join(p + "\n" for p in profiles).encode(), cwd=shipped,
    )
    if joined.returncode:
        # darklog said why (the same log under two names): the job stops before its costly part.
        raise RuntimeError(f"darklog profile exited {joined.returncode}: no job run")
    spark.sparkContext.addFile(os.path.join(tmp, profile))
    return sql(spark, "darklog.sql", logs=logs, partitions=partitions, flags=flag_text, profile=profile)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("logs", help="log files: a path, directory or glob on any Hadoop filesystem")
    ap.add_argument("--partitions", type=int, default=200, help="shuffle partitions (default 200)")
    ap.add_argument("--states", help="also keep the state lines here: `darklog merge - < FILE` "
                    "makes any other report of the job without Spark")
    ap.add_argument("merge", nargs=argparse.REMAINDER,
                    help="after --: `darklog merge` flags (--report, --format, -o) and the reading "
                    "flags every stage gets (--log-format, --tz, --client-ip…)")
    args = ap.parse_args()
    if not os.environ.get("DARKLOG_VISITOR_KEY"):
        sys.exit("darklog_job: set DARKLOG_VISITOR_KEY (driver and executors): every task keys visitors alike")
    merge = args.merge[1:] if args.merge[:1] == ["--"] else args.merge
    spark = SparkSession.builder.appName("darklog").getOrCreate()
    try:
        states = run_job(spark, args.logs, args.partitions, reading_flags(merge))
    except RuntimeError as e:
        spark.stop()
        print(f"darklog_job: {e}", file=sys.stderr)
        sys.exit(2)
    text = "".join(s + "\n" for s in states).encode()
    if args.states:
        with open(args.states, "wb") as f:
            f.write(text)
    code = subprocess.run([SparkFiles.get("darklog"), "merge", "-", *merge], input=text).returncode
    spark.stop()
    sys.exit(code)


def reading_flags(merge):
    """The flags of `merge`'s that every stage must share: all but the report's and the
    window's (the states hold every day: `merge` cuts the window), and -q, which the
    stages are given already."""
    own = {"--report": 1, "--format": 1, "-o": 1, "--output": 1, "--top": 1, "--width": 1,
           "--since": 1, "--until": 1, "--day": 1, "--week": 1, "--month": 1, "--now": 1,
           "--compare": 1, "-q": 0, "--quiet": 0}
    out, skip = [], 0
    for arg in merge:
        if skip:
            skip -= 1
        elif arg.split("=")[0] in own:
            skip = own[arg] if "=" not in arg else 0
        else:
            out.append(arg)
    return out


if __name__ == "__main__":
    main()
