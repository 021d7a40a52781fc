#!/usr/bin/env bash
# bench/compare.sh: check that rustomize prints exactly what kubectl kustomize prints on a
# large generated tree, then time both as whole processes.
#
# Usage:
#   bench/compare.sh [options] [TARGET...]
#
# TARGET is a kustomization directory, relative to the generated tree (default:
# envs/production, i.e. every app's production overlay). Try apps/app-0000/overlays/dev,
# envs/dev, or all (every environment at once).
#
# Options:
#   -n, --apps N          apps in the generated tree (default 500: ~4,000 objects per env)
#   -t, --tree DIR        use DIR as the tree: reused if it was generated with the same
#                         generator, app count and seed, else (re)generated there.
#                         Default: $TMPDIR/rustomize-bench-n<N>, kept between runs.
#   -s, --seed S          generator seed (default: rustomize)
#   -r, --runs N          timed runs of rustomize (default 10)
#   -k, --kubectl-runs N  timed runs of kubectl kustomize (default 1: at 500 apps one run
#                         takes minutes; the check run has already warmed the file cache)
#       --check-only      only check the outputs are identical; no timing
#       --no-check        only time; skip the byte comparison
#       --no-build        do not run cargo; use the binary as it is
#       --no-install      never try to install hyperfine
#       --loop            time with the /usr/bin/time loop even if hyperfine is installed
#   -h, --help            show this text
#
# Environment:
#   RUSTOMIZE   the binary to test (default: <repo>/target/release/rustomize, built with
#               `cargo build --release -p rustomize` unless --no-build)
#   KUBECTL     the reference (default: kubectl; `kubectl kustomize` is kustomize v5.5.0)
#
# What it does, for each TARGET:
#   1. runs `$RUSTOMIZE build DIR` and `$KUBECTL kustomize DIR` once each, fails if either
#      exits non-zero or if their stdout differs by a single byte (shows the first lines of
#      `diff -u` and keeps both outputs), and records each one's peak RSS with /usr/bin/time;
#   2. times both as whole processes, stdout to /dev/null: with hyperfine when it is
#      installed (installed with apt-get when missing, running as root, and apt-get exists),
#      otherwise a loop of runs under /usr/bin/time;
#   3. reports for each the median wall time, the CPU time (user + system: the median of the
#      loop's runs, or hyperfine's mean), the peak RSS, and the kubectl/rustomize ratios.
#      On a busy machine wall time is inflated by waiting for a CPU; CPU time is steadier.
#
# Needs: bash, python3 (the generator), coreutils, diff, awk; cargo unless --no-build.
# Exit status: 0 if every target matched (and was timed), 1 on a mismatch or failure,
# 2 on a usage error.

set -euo pipefail

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
apps=500
tree=""
seed=rustomize
runs=10
kruns=1
do_check=1
do_time=1
do_build=1
may_install=1
force_loop=0
targets=()

while [ $# -gt 0 ]; do
  case $1 in
    -n|--apps) apps=${2:?}; shift 2 ;;
    -t|--tree) tree=${2:?}; shift 2 ;;
    -s|--seed) seed=${2:?}; shift 2 ;;
    -r|--runs) runs=${2:?}; shift 2 ;;
    -k|--kubectl-runs) kruns=${2:?}; shift 2 ;;
    --check-only) do_time=0; shift ;;
    --no-check) do_check=0; shift ;;
    --no-build) do_build=0; shift ;;
    --no-install) may_install=0; shift ;;
    --loop) force_loop=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) printf 'compare.sh: unknown option %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
for v in "$apps" "$runs" "$kruns"; do
  case $v in ''|*[!0-9]*|0) printf 'compare.sh: not a positive number: %s\n' "$v" >&2; exit 2 ;; esac
done
[ ${#targets[@]} -gt 0 ] || targets=(envs/production)

kubectl=${KUBECTL:-kubectl}
command -v "$kubectl" >/dev/null || die "$kubectl not found (set KUBECTL)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"

# --- the binary ------------------------------------------------------------------------
if [ -n "${RUSTOMIZE:-}" ]; then
  rustomize=$RUSTOMIZE
else
  rustomize=$repo/target/release/rustomize
  if [ "$do_build" = 1 ]; then
    echo "== cargo build --release -p rustomize" >&2
    (cd "$repo" && cargo build --release --quiet -p rustomize) || die "cargo build failed"
  fi
fi
[ -x "$rustomize" ] || die "no binary at $rustomize (build it, or set RUSTOMIZE)"

# --- the tree --------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/rustomize-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$tree" ] || tree=${TMPDIR:-/tmp}/rustomize-bench-n$apps
gen=$repo/bench/gen_tree.py
stamp="generator $(sha256sum "$gen" | cut -c1-16) apps $apps seed $seed"
if [ -f "$tree/.stamp" ] && [ "$(cat "$tree/.stamp")" = "$stamp" ]; then
  echo "== reusing $tree ($apps apps)" >&2
else
  echo "== generating $apps apps into $tree" >&2
  python3 "$gen" --apps "$apps" --seed "$seed" --out "$tree" --force
  printf '%s\n' "$stamp" >"$tree/.stamp"
fi

# --- helpers ---------------------------------------------------------------------------

# median FILE [COLUMN]: the median of a column (default 1) of numbers in FILE.
median() {
  awk -v c="${2:-1}" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}


# run_once NAME OUT ERR RSSFILE CMD...: run CMD with stdout to OUT and stderr to ERR under
# /usr/bin/time, writing its peak RSS (KiB) to RSSFILE; fails with a message if CMD fails.
run_once() {
  local name=$1 out=$2 err=$3 rss=$4
  shift 4
  local status=0
  /usr/bin/time -f '%M' -o "$rss.raw" "$@" >"$out" 2>"$err" || status=$?
  if [ "$status" != 0 ]; then
    printf 'FAIL: %s exited with status %s: %s\n' "$name" "$status" "$*" >&2
    sed -n '1,20p' "$err" >&2
    return 1
  fi
  # GNU time puts "Command exited..." lines first when the command fails; the last line is %M.
  tail -n 1 "$rss.raw" >"$rss"
}

have_hyperfine() { command -v hyperfine >/dev/null 2>&1; }

ensure_hyperfine() {
  have_hyperfine && return 0
  [ "$may_install" = 1 ] || return 1
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== hyperfine is missing; trying apt-get install hyperfine" >&2
    { apt-get install -y -qq hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }; } \
      >/dev/null 2>&1 || true
  fi
  have_hyperfine
}

# time_loop N WARMUP TIMESFILE CMD...: run CMD WARMUP times untimed, then N times (stdout
# and stderr to /dev/null), writing a line per run to TIMESFILE: its wall time in seconds,
# and its CPU time (user + system) as /usr/bin/time reports it.
time_loop() {
  local n=$1 warmup=$2 file=$3 i start end
  shift 3
  for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1 || die "run failed: $*"; done
  : >"$file"
  for ((i = 0; i < n; i++)); do
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$work/loop.cpu" "$@" >/dev/null 2>&1 \
      || die "run failed: $*"
    end=$(date +%s%N)
    tail -n 1 "$work/loop.cpu" | awk -v a="$start" -v b="$end" \
      '{ printf "%.6f %.2f\n", (b - a) / 1e9, $1 + $2 }' >>"$file"
  done
}

# time_hyperfine N WARMUP TIMESFILE CMD...: the same with hyperfine (its JSON export has
# each run's wall time, but only the mean CPU time, which is repeated on every line).
time_hyperfine() {
  local n=$1 warmup=$2 file=$3 json=$work/hyperfine.json cmd
  shift 3
  printf -v cmd '%q ' "$@"
  hyperfine --style basic --warmup "$warmup" --runs "$n" --export-json "$json" "$cmd" >&2 \
    || die "hyperfine failed on: $cmd"
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
for t in r["times"]:
    print("%.6f %.6f" % (t, r["user"] + r["system"]))' "$json" >"$file" \
    || die "could not read hyperfine's results ($json)"
}

# --- per target ------------------------------------------------------------------------
timer=loop
if [ "$do_time" = 1 ] && [ "$force_loop" = 0 ] && ensure_hyperfine; then timer=hyperfine; fi

failed=0
summary=$work/summary
: >"$summary"
for target in "${targets[@]}"; do
  dir=$tree/$target
  [ -f "$dir/kustomization.yaml" ] || die "no kustomization.yaml in $dir"
  echo "== $target" >&2
  ours=$work/rustomize.yaml
  theirs=$work/kubectl.yaml

  if [ "$do_check" = 1 ]; then
    run_once "rustomize build" "$ours" "$work/rustomize.err" "$work/rustomize.rss" \
      "$rustomize" build "$dir" || { failed=1; continue; }
    run_once "kubectl kustomize" "$theirs" "$work/kubectl.err" "$work/kubectl.rss" \
      "$kubectl" kustomize "$dir" || { failed=1; continue; }
    if cmp -s "$ours" "$theirs"; then
      printf 'ok: identical output for %s (%s bytes, %s objects)\n' "$target" \
        "$(wc -c <"$theirs" | tr -d ' ')" "$(grep -c '^kind:' "$theirs" || true)"
    else
      keep=$(mktemp -d "${TMPDIR:-/tmp}/rustomize-mismatch.XXXXXX")
      cp "$ours" "$keep/rustomize.yaml"
      cp "$theirs" "$keep/kubectl.yaml"
      diff -u "$keep/kubectl.yaml" "$keep/rustomize.yaml" | sed -n '1,40p' >&2 || true
      printf 'FAIL: rustomize build and kubectl kustomize print different bytes for %s\n' "$dir" >&2
      [ -s "$ours" ] || printf '      (rustomize printed nothing: does this binary have the build command yet?)\n' >&2
      printf '      first differing lines above (- kubectl, + rustomize); both outputs kept in %s\n' "$keep" >&2
      failed=1
      continue
    fi
    if [ -s "$work/kubectl.err" ] || [ -s "$work/rustomize.err" ]; then
      printf 'note: stderr was not empty (kubectl: %s bytes, rustomize: %s bytes)\n' \
        "$(wc -c <"$work/kubectl.err" | tr -d ' ')" "$(wc -c <"$work/rustomize.err" | tr -d ' ')"
    fi
  fi

  [ "$do_time" = 1 ] || continue
  # Peak RSS: from the check runs when there were any, else from one extra run each.
  if [ "$do_check" = 0 ]; then
    run_once "rustomize build" /dev/null /dev/null "$work/rustomize.rss" \
      "$rustomize" build "$dir" || { failed=1; continue; }
    run_once "kubectl kustomize" /dev/null /dev/null "$work/kubectl.rss" \
      "$kubectl" kustomize "$dir" || { failed=1; continue; }
  fi
  echo "-- timing with $timer: rustomize x$runs, kubectl x$kruns" >&2
  "time_$timer" "$runs" 1 "$work/rustomize.times" "$rustomize" build "$dir"
  "time_$timer" "$kruns" 0 "$work/kubectl.times" "$kubectl" kustomize "$dir"
  ours_s=$(median "$work/rustomize.times")
  theirs_s=$(median "$work/kubectl.times")
  ours_cpu=$(median "$work/rustomize.times" 2)
  theirs_cpu=$(median "$work/kubectl.times" 2)
  ours_rss=$(cat "$work/rustomize.rss")
  theirs_rss=$(cat "$work/kubectl.rss")
  awk -v t="$target" -v a="$ours_s" -v b="$theirs_s" -v ca="$ours_cpu" -v cb="$theirs_cpu" \
    -v ra="$ours_rss" -v rb="$theirs_rss" -v ta="$timer" 'BEGIN {
      printf "%s (%s)\n", t, ta
      printf "  %-18s %10s %12s %14s\n", "", "wall (s)", "CPU (s)", "peak RSS (MiB)"
      printf "  %-18s %10.3f %12.2f %14.1f\n", "rustomize build", a, ca, ra / 1024
      printf "  %-18s %10.3f %12.2f %14.1f\n", "kubectl kustomize", b, cb, rb / 1024
      if (a > 0 && ra > 0) printf "  kubectl / rustomize: wall %.1fx, CPU %s, peak RSS %.1fx\n", b / a,
        (ca > 0 ? sprintf("%.1fx", cb / ca) : "n/a (too short to measure)"), rb / ra
    }' | tee -a "$summary"
done

if [ ${#targets[@]} -gt 1 ] && [ -s "$summary" ]; then
  echo
  echo "== summary (wall: median; CPU: user + system, median or hyperfine's mean; peak RSS: one run)"
  cat "$summary"
fi
if [ "$failed" != 0 ]; then
  echo "compare.sh: FAILED (see messages above)" >&2
  exit 1
fi
