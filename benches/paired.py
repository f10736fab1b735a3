#!/usr/bin/env python3
"""Paired, alternated timings of several darklog builds (or any commands) on one file.

    benches/paired.py RUNS FILE LABEL=COMMAND...

Each round runs every command once, in the order given, on FILE (appended as the last
argument); a COMMAND may start with NAME=VALUE environment settings. Printed per label:
the median over rounds of its wall time divided by the first label's in the same round
(with the quartiles), then median and minimum wall, user and system seconds.

These machines are shared and drift by more than the differences worth measuring, so
read the ratios: a ratio within a round cancels what drifts between rounds. Example,
the current build against the build before a change:

    benches/paired.py 21 /dev/shm/big.log \\
        "before=/path/to/old/darklog analyze" "after=target/release/darklog analyze"
"""

import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, path = int(sys.argv[1]), sys.argv[2]
    variants = [arg.split("=", 1) for arg in sys.argv[3:]]
    times = {label: [] for label, _ in variants}
    for _ in range(runs):
        for label, command in variants:
            env, words = dict(os.environ), command.split()
            while words and "=" in words[0] and not words[0].startswith("/"):
                name, value = words.pop(0).split("=", 1)
                env[name] = value
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(words + [path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[label].append((wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    first = variants[0][0]
    for label, _ in variants:
        rows = times[label]
        ratios = sorted(r[0] / f[0] for r, f in zip(rows, times[first]))
        quart = f"[{ratios[len(ratios) // 4]:.3f}..{ratios[3 * len(ratios) // 4]:.3f}]"
        med = [statistics.median(r[i] for r in rows) for i in range(3)]
        low = [min(r[i] for r in rows) for i in range(3)]
        print(
            f"{label:12s} /{first}: {statistics.median(ratios):.3f} {quart}  "
            f"wall {med[0]:.3f} (min {low[0]:.3f})  user {med[1]:.3f} (min {low[1]:.3f})  sys {med[2]:.3f}"
        )


if __name__ == "__main__":
    main()
