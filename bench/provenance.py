#!/usr/bin/env python3
"""bench/provenance.py: what recording field provenance costs a build.

Times `rustomize build DIR` against `rustomize build --provenance DIR` (the
hidden flag: the build records every value's place, as `explain` and
`check` do, and prints the same bytes) as whole processes, stdout to
/dev/null, in interleaved pairs (off, on, off, on...; the order flips
every pair) so that a noisy neighbour slows both alike. Reports the median
wall time of each and the ratio on/off, and fails when the two outputs
differ.

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
    """Wall time of one whole-process run (stdout to /dev/null)."""
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


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
    m_off = statistics.median(times["off"])
    m_on = statistics.median(times["on"])
    return m_off, m_on


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
    print(f"{'target':<60} {'off (median)':>13} {'on (median)':>12} {'on/off':>7}")
    for d in dirs:
        m_off, m_on = bench(args.bin, d, args.runs)
        ratio = m_on / m_off
        worst = max(worst, ratio)
        print(f"{d[-60:]:<60} {m_off * 1000:>10.1f} ms {m_on * 1000:>9.1f} ms {ratio:>7.3f}")
    print(f"{args.runs} interleaved pairs per target; worst ratio {worst:.3f}")
    return 0 if worst <= 1.20 else 1


if __name__ == "__main__":
    sys.exit(main())
