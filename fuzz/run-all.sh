#!/bin/bash
# Runs every fuzz target for SECONDS of wall time each, JOBS at a time
# (default 2), at the lowest priority; logs in
# fuzz/logs/, and one line per run in fuzz/logs/summary.log with the CPU
# time it used (user + system, from /usr/bin/time).
# Builds the targets once first (cargo fuzz build), then runs the built
# binaries, so edits made meanwhile do not rebuild them mid-run.
# libFuzzer's timeouts are wall time, and at nice 19 on a loaded machine a
# target can wait seconds for a CPU: a 5 s timeout ended three runs early
# on inputs that take milliseconds. So the timeout is 60 s, every input
# slower than 5 s of wall time is kept as a slow-unit artifact, and at the
# end each timeout and slow-unit artifact is run again alone and its CPU
# time logged (fuzz/logs/slow.log): an input over 5 s of CPU is a finding.
# Leak detection is off: the engine's thread pool is a static that lives
# until the process ends, and LeakSanitizer reported it at the end of a
# 2,400 s run of build_tree as a leak of the last (empty) input.
# Usage: [JOBS=N] fuzz/run-all.sh SECONDS [TARGET...]
set -u
cd "$(dirname "$0")/.."
secs=${1:-600}; shift || true
jobs=${JOBS:-2}
targets=${*:-"yaml_roundtrip yaml_fast_vs_events kustomization_decode strategic_merge json6902 check_rules build_tree"}
mkdir -p fuzz/logs
nice -n 19 cargo +nightly fuzz build -O >> fuzz/logs/build.log 2>&1 || exit 1
bin=fuzz/target/x86_64-unknown-linux-gnu/release
run() {
  t=$1
  mkdir -p fuzz/corpus/$t fuzz/artifacts/$t
  echo "=== $(date +%FT%T) start $t $secs s" >> fuzz/logs/$t.log
  /usr/bin/time -o fuzz/logs/$t.time -f "%U %S" \
    nice -n 19 $bin/$t -artifact_prefix=fuzz/artifacts/$t/ -timeout=60 -report_slow_units=5 -detect_leaks=0 -max_total_time=$secs \
    -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    fuzz/corpus/$t fuzz/seeds/$t >> fuzz/logs/$t.log 2>&1
  rc=$?
  echo "$(date +%FT%T) $t $secs s exit $rc cpu $(tail -n1 fuzz/logs/$t.time | awk '{print $1+$2}') s" >> fuzz/logs/summary.log
}
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run "$t" &
done
wait
for t in $targets; do
  for a in fuzz/artifacts/$t/timeout-* fuzz/artifacts/$t/slow-unit-*; do
    [ -e "$a" ] || continue
    /usr/bin/time -f "%U %S" -o fuzz/logs/slow.time $bin/$t "$a" > /dev/null 2>&1
    echo "$(date +%FT%T) $a exit $? cpu $(awk '{print $1+$2}' fuzz/logs/slow.time) s" >> fuzz/logs/slow.log
  done
done
