#!/usr/bin/env python3
"""Conformance ratchet: run a suite's checker and fail if a case that passed
before (listed in .ci/passing/<suite>.txt) fails now.

usage: ratchet.py SUITE_NAME CHECKER CASES_DIR BIN [--update]

With --update, the list is rewritten to the cases passing now (run it after
a change that makes more cases pass, and commit the list).
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    update = "--update" in sys.argv
    if len(args) != 4:
        sys.exit(__doc__)
    suite, checker, cases, binary = args
    here = os.path.dirname(os.path.abspath(__file__))
    listing = os.path.join(here, "passing", suite + ".txt")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.json")
        proc = subprocess.run(
            [sys.executable, checker, "--bin", binary + " build", "--cases", cases, "--json", out],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "(no output)"
        if not os.path.exists(out):
            print(proc.stdout)
            sys.exit("%s: the checker produced no results" % suite)
        with open(out, encoding="utf-8") as f:
            results = json.load(f)
    passing = sorted(r["id"] for r in results if r["passed"])
    before = []
    if os.path.exists(listing):
        with open(listing, encoding="utf-8") as f:
            before = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    now = set(passing)
    regressed = [c for c in before if c not in now]
    gained = [c for c in passing if c not in set(before)]
    print("%s: %s" % (suite, summary))
    if gained:
        print("%s: %d case(s) pass that are not in %s yet (run with --update):" % (suite, len(gained), listing))
        for c in gained:
            print("  + " + c)
    if update:
        os.makedirs(os.path.dirname(listing), exist_ok=True)
        with open(listing, "w", encoding="utf-8") as f:
            f.write("# Cases of the %s suite that pass; .ci/run fails if one stops passing.\n" % suite)
            f.write("".join(c + "\n" for c in passing))
        print("%s: wrote %d passing cases to %s" % (suite, len(passing), listing))
        return
    if regressed:
        print("%s: %d case(s) that passed before now FAIL:" % (suite, len(regressed)))
        for c in regressed:
            print("  - " + c)
        sys.exit(1)


if __name__ == "__main__":
    main()
