#!/bin/bash
# Runs every fuzz target for SECONDS of wall time each, two at a time, at
# the lowest priority, with a 5 s timeout per input; logs in fuzz/logs/.
# Builds the targets once first (cargo fuzz build), then runs the built
# binaries, so edits made meanwhile do not rebuild them mid-run.
# Usage: fuzz/run-all.sh SECONDS [TARGET...]
set -u
cd "$(dirname "$0")/.."
secs=${1:-600}; shift || true
targets=${*:-"yaml_roundtrip yaml_fast_vs_events kustomization_decode strategic_merge json6902 check_rules build_tree"}
mkdir -p fuzz/logs
nice -n 19 cargo +nightly fuzz build -O >> fuzz/logs/build.log 2>&1 || exit 1
bin=fuzz/target/x86_64-unknown-linux-gnu/release
run() {
  t=$1
  mkdir -p fuzz/corpus/$t fuzz/artifacts/$t
  nice -n 19 $bin/$t -artifact_prefix=fuzz/artifacts/$t/ -timeout=5 -max_total_time=$secs \
    -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    fuzz/corpus/$t fuzz/seeds/$t >> fuzz/logs/$t.log 2>&1
  echo "$(date +%FT%T) $t $secs s exit $?" >> fuzz/logs/summary.log
}
set -- $targets
while [ $# -gt 0 ]; do
  run $1 & a=$!
  if [ $# -gt 1 ]; then run $2 & b=$!; wait $a $b; shift 2; else wait $a; shift; fi
done
