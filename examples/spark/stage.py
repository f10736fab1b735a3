"""The scripts of darklog.sql's and profile.sql's TRANSFORM clauses, and the driver's two
local steps. Spark runs it in each task's working directory, beside the `darklog` shipped
with --files; rows come in and go out as tab-separated lines. Reading flags (--log-format,
--tz, --client-ip…) follow the step's name and are passed to every darklog; the visitor
key comes from DARKLOG_VISITOR_KEY in the executors' environment.

    python3 stage.py profile FLAGS…     rows of path, base64 file content → one profile each (base64)
    python3 stage.py key FLAGS…         rows of index, path, base64 file content → keyed lines
    python3 stage.py partial PROFILE FLAGS…   keyed lines of a partition → its state line
    python3 stage.py join-profiles OUT FLAGS…   (driver) profile lines on stdin → OUT
"""

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import threading

# What `darklog key` stamps a line with that comes before any time in its file.
ZERO_STAMP = "0000-00-00T00:00:00.000000Z"
# A file with no time at all sorts after the others, as `analyze` reads it.
NO_TIME = "9999-99-99T99:99:99.999999Z"


def darklog():
    """The binary shipped with --files, in the task's working directory; else one on PATH."""
    here = os.path.abspath("darklog")
    return here if os.access(here, os.X_OK) else shutil.which("darklog") or "darklog"


def run(argv, data):
    """Runs argv with `data` (bytes, or an iterable of bytes) on stdin; yields its stdout
    lines. A thread writes while we read, so neither side waits on a full pipe."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        try:
            with proc.stdin:
                for chunk in [data] if isinstance(data, bytes) else data:
                    proc.stdin.write(chunk)
        except BrokenPipeError:
            pass  # darklog stopped early: its exit code says why

    writer = threading.Thread(target=feed)
    writer.start()
    yield from proc.stdout
    writer.join()
    # 2: an input was damaged or not a log. What could be read is in the output, as
    # `analyze` reports what it could read; darklog said why on stderr (the task's log).
    if proc.wait() not in (0, 2):
        sys.exit(f"stage.py: {argv[1]} exited with {proc.returncode}")


def rows():
    """TRANSFORM's rows. Spark 3.5.2 and later break base64() into MIME lines (CRLF every
    76 characters), inside the row: a line that ends in CRLF goes on in the next."""
    pieces = []
    for line in sys.stdin.buffer:
        if line.endswith(b"\r\n"):
            pieces.append(line[:-2])
        else:
            pieces.append(line.rstrip(b"\n"))
            yield b"".join(pieces)
            pieces = []


def local(path):
    """A path as a user names it: a local file without Hadoop's `file:` scheme."""
    return path[len("file:"):] if path.startswith("file:/") else path


def profile(flags):
    """Each file's profile: what the job's report must say of the file (its layout's
    caveats, where it broke) and what its content is known by (one log under two names
    is refused when the profiles are joined) travel in it, named by the file's path."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "part.profile")
        for row in rows():
            path, content = row.split(b"\t", 1)
            argv = [darklog(), "profile", "-", "--stdin-name", local(path.decode()), "-o", out, "-q", *flags]
            for _ in run(argv, base64.b64decode(content)):
                pass
            with open(out, "rb") as f:
                print(base64.b64encode(f.read()).decode())


def key(flags):
    """Each file's keyed lines, seq led by the file's first time and index: `analyze`
    reads files in the order of their first times (ties in path order), and `darklog key`
    over one file numbers every file 0."""
    out = sys.stdout
    for row in rows():
        index, path, content = row.split(b"\t", 2)
        prefix, held = None, []
        argv = [darklog(), "key", "-", "--stdin-name", local(path.decode()), "-q", *flags]
        for line in run(argv, base64.b64decode(content)):
            visitor, time, seq, payload = line.decode().split("\t")
            if prefix is None:
                if time == ZERO_STAMP:
                    held.append((visitor, time, seq, payload))
                    continue
                prefix = f"{time}:{int(index):05d}"
                for v, t, s, p in held:
                    out.write(f"{v}\t{t}\t{prefix}:{s}\t{p}")
                held = []
            out.write(f"{visitor}\t{time}\t{prefix}:{seq}\t{payload}")
        for v, t, s, p in held:
            out.write(f"{v}\t{t}\t{NO_TIME}:{int(index):05d}:{s}\t{p}")


def partial(args):
    profile, flags = args[0], args[1:]
    argv = [darklog(), "partial", "-", "--keyed", "--line", "--profile", profile, "-q", *flags]
    for line in run(argv, sys.stdin.buffer):
        sys.stdout.write(line.decode())


def join_profiles(out, flags):
    """The job's profile from its files' profiles: the facts of the earliest file, the
    link-preview shares of all."""
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, line in enumerate(sys.stdin.buffer):
            parts.append(os.path.join(tmp, f"{i}.profile"))
            with open(parts[-1], "wb") as f:
                f.write(base64.b64decode(line))
        # No file gave a profile (a job over empty logs only): the profile of nothing, and
        # `merge` says there was no line to read.
        inputs = parts or ["-"]
        # Exit 2: one log under two names (a copy beside it, a file and its .gz), which
        # the job would read twice; darklog named them. Nothing is written.
        code = subprocess.run([darklog(), "profile", *inputs, "-o", out, "-q", *flags],
                              stdin=subprocess.DEVNULL).returncode
        if code:
            sys.exit(code)


if __name__ == "__main__":
    step, args = sys.argv[1], sys.argv[2:]
    if step == "join-profiles":
        join_profiles(args[0], args[1:])
    else:
        {"profile": profile, "key": key, "partial": partial}[step](args)
