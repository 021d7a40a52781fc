#!/usr/bin/env bash
# bench/ab.sh: two or more rustomize binaries on one kustomization directory, runs
# interleaved (A, B, A, B, ...) so that a change in the machine's load hits them alike.
#
# Usage: bench/ab.sh RUNS DIR BINARY...
#
# Prints, for each binary, the median wall time (bash's $EPOCHREALTIME around the process)
# and the median CPU time (user + system, from bash's `time`), in ms; then the load average.
# Stdout of each build goes to /dev/null; a failing build stops the script.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
runs=$1 dir=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/rustomize-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
for ((i = 0; i < runs; i++)); do
  for n in $(seq 1 $#); do
    b=${!n}
    TIMEFORMAT='%3U %3S'
    start=$EPOCHREALTIME
    { time "$b" build "$dir" >/dev/null 2>&1; } 2>"$work/cpu" || { echo "ab.sh: $b build $dir failed" >&2; exit 1; }
    end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" '{ printf "%.3f %.0f\n", (b - a) * 1000, ($1 + $2) * 1000 }' \
      "$work/cpu" >>"$work/t.$n"
  done
done
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for n in $(seq 1 $#); do
  printf '%s: wall %s ms, cpu %s ms\n' "${!n}" "$(median "$work/t.$n" 1)" "$(median "$work/t.$n" 2)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
