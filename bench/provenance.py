#!/usr/bin/env python3
"""bench/provenance.py: what recording field provenance costs a build.

Times `rustomize build DIR` against `rustomize build --provenance DIR` (the
hidden flag: the build records every value's place, as `explain` and
`check` do, and prints the same bytes) as whole processes, stdout to
/dev/null, in interleaved pairs (off, on, off, on...; the order flips
every pair) so that a noisy neighbour slows both alike. Reports the median
wall time and CPU time (user + system) of each and the ratios on/off, and
fails when the two outputs differ (or, exit 1, when the wall ratio passes
1.20). On a shared machine the CPU ratio is the steadier figure.

Usage:
    bench/provenance.py [-r RUNS] [--bin PATH] DIR [DIR...]
    bench/provenance.py --generated [-n APPS]    # bench/gen_tree.py's tree, envs/production

The issue's bar (issue 12): at most 20% more (ratio <= 1.20) on the
generated 1,000-app tree and on the largest real-world tree.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def run(cmd):
    """Wall time and CPU time (user + system) of one whole-process run
    (stdout to /dev/null)."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited with {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def output(cmd):
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def bench(binary, target, runs):
    off = [binary, "build", target]
    on = [binary, "build", "--provenance", target]
    if output(off) != output(on):
        sys.exit(f"{target}: the output with --provenance differs from the build's")
    # One warm-up each (file cache, page cache of the binary).
    run(off)
    run(on)
    times = {"off": [], "on": []}
    for i in range(runs):
        pair = [("off", off), ("on", on)]
        if i % 2:
            pair.reverse()
        for name, cmd in pair:
            times[name].append(run(cmd))

    def median(name, k):
        return statistics.median(t[k] for t in times[name])

    return (median("off", 0), median("on", 0)), (median("off", 1), median("on", 1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="*")
    p.add_argument("-r", "--runs", type=int, default=15, help="pairs of timed runs (default 15)")
    p.add_argument("--bin", default=os.path.join(REPO, "target/release/rustomize"))
    p.add_argument("--generated", action="store_true", help="add the generated tree's envs/production")
    p.add_argument("-n", "--apps", type=int, default=1000, help="apps in the generated tree (default 1000)")
    args = p.parse_args()
    dirs = list(args.dirs)
    if args.generated:
        tree = os.path.join(tempfile.gettempdir(), f"rustomize-bench-n{args.apps}")
        if not os.path.isdir(os.path.join(tree, "envs", "production")):
            subprocess.run(
                [sys.executable, os.path.join(HERE, "gen_tree.py"), "--apps", str(args.apps), "--out", tree],
                check=True,
            )
        dirs.insert(0, os.path.join(tree, "envs", "production"))
    if not dirs:
        p.error("no directory to build (give DIRs or --generated)")
    worst = 0.0
    print(f"{'target':<50} {'wall off':>9} {'wall on':>9} {'on/off':>6}   {'cpu off':>9} {'cpu on':>9} {'on/off':>6}")
    for d in dirs:
        (w_off, w_on), (c_off, c_on) = bench(args.bin, d, args.runs)
        worst = max(worst, w_on / w_off)
        print(
            f"{d[-50:]:<50} {w_off * 1000:>6.0f} ms {w_on * 1000:>6.0f} ms {w_on / w_off:>6.3f}"
            f"   {c_off * 1000:>6.0f} ms {c_on * 1000:>6.0f} ms {c_on / c_off:>6.3f}"
        )
    print(f"medians of {args.runs} interleaved pairs per target; worst wall ratio {worst:.3f}")
    return 0 if worst <= 1.20 else 1


if __name__ == "__main__":
    sys.exit(main())
