#!/usr/bin/env bash
# bench/compare.sh: rustomize build, kubectl kustomize and the floor (a program that reads
# the files the build reads and writes as many bytes as it prints) side by side, as whole
# processes, on any kustomization trees; each output checked byte for byte against kubectl's.
#
# Usage:
#   bench/compare.sh [options] [TARGET...]
#
# TARGET is one of:
#   DIR            a kustomization directory, anywhere (it is read in place, never copied)
#   gen:N[/SUB]    the directory SUB (default all) of the tree bench/gen_tree.py makes with
#                  N apps: all, envs/production, apps/app-0000/overlays/dev... The tree is
#                  made once in $TMPDIR/rustomize-bench-n<N> and reused.
# Default: examples/dojo/deploy/k8s/overlays/production gen:500/envs/production.
#
# Options:
#       --realworld DIR   first the rows of issue 15: examples/dojo production, and from DIR
#                         (the real-world corpus's trees, e.g. ../shared/realworld/trees)
#                         podinfo deploy/overlays/production, argo-cd manifests/ha/cluster-install,
#                         argo-workflows manifests/cluster-install; then gen:10000/all
#   -r, --runs N          timed runs of rustomize and of the floor (default 21)
#   -k, --kubectl-runs N  timed runs of kubectl kustomize (default 3)
#       --kubectl-max-apps N
#                         run kubectl on generated trees of at most N apps (default 200: at 500
#                         apps kustomize takes a minute, at 1,000 twenty); larger ones are
#                         timed without kubectl and without the byte check
#       --no-kubectl      never run kubectl (no byte check either)
#       --check-only      only check the outputs are identical; no timing
#       --no-build        do not run cargo; use the binary as it is
#   -s, --seed S          generator seed (default: rustomize)
#   -h, --help            show this text
#
# Environment:
#   RUSTOMIZE   the binary to test (default: <repo>/target/release/rustomize, built with
#               `cargo build --release -p rustomize` unless --no-build)
#   KUBECTL     the reference (default: kubectl; `kubectl kustomize` is kustomize v5.5.0)
#
# For each target:
#   1. rustomize builds it once under `strace -f -e trace=openat`: the files it opened (not
#      directories, nothing under /proc, /sys, /dev, /etc, /lib or /usr) are the floor's
#      inputs, the size of its output the floor's output;
#   2. kubectl kustomize builds it once: the two outputs must be the same bytes (else the
#      first lines of `diff -u` are shown, both outputs kept, and the script fails);
#   3. one run of each under /usr/bin/time gives its peak RSS;
#   4. the timed runs are interleaved (floor, rustomize, kubectl, floor, rustomize, ...;
#      kubectl only in the first -k rounds), stdout to /dev/null; wall time from bash's
#      $EPOCHREALTIME around each process, CPU time (user + system) from bash's `time`.
# Then a table: medians of wall time, rustomize's CPU time, the ratios rustomize / floor and
# kubectl / rustomize (all from this one run), peak MiB of floor / rustomize / kubectl; and
# the load average before and after (on a shared machine wall time includes waiting for a
# CPU: compare the load, and the CPU column).
#
# Needs: bash 5, strace, rustc (for bench/floor.rs), python3, /usr/bin/time, awk, sort, cmp,
# diff; cargo unless --no-build; kubectl unless --no-kubectl.
# Exit status: 0 if every output matched, 1 on a mismatch or failure, 2 on a usage error.

set -euo pipefail

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
dojo=$repo/examples/dojo/deploy/k8s/overlays/production
seed=rustomize
runs=21
kruns=3
kmax=200
use_kubectl=1
do_time=1
do_build=1
realworld=""
targets=()

while [ $# -gt 0 ]; do
  case $1 in
    --realworld) realworld=${2:?}; shift 2 ;;
    -r|--runs) runs=${2:?}; shift 2 ;;
    -k|--kubectl-runs) kruns=${2:?}; shift 2 ;;
    --kubectl-max-apps) kmax=${2:?}; shift 2 ;;
    --no-kubectl) use_kubectl=0; shift ;;
    --check-only) do_time=0; shift ;;
    --no-build) do_build=0; shift ;;
    -s|--seed) seed=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) printf 'compare.sh: unknown option %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
for v in "$runs" "$kruns" "$kmax"; do
  case $v in ''|*[!0-9]*) printf 'compare.sh: not a number: %s\n' "$v" >&2; exit 2 ;; esac
done
if [ -n "$realworld" ]; then
  [ -d "$realworld" ] || die "no directory $realworld (--realworld takes the corpus's trees/)"
  realworld=$(cd "$realworld" && pwd)
  targets=("$dojo" "$realworld/podinfo/deploy/overlays/production"
    "$realworld/argo-cd/manifests/ha/cluster-install"
    "$realworld/argo-workflows/manifests/cluster-install" gen:10000/all "${targets[@]}")
fi
[ ${#targets[@]} -gt 0 ] || targets=("$dojo" gen:500/envs/production)

kubectl=${KUBECTL:-kubectl}
if [ "$use_kubectl" = 1 ]; then
  command -v "$kubectl" >/dev/null || die "$kubectl not found (set KUBECTL, or --no-kubectl)"
fi
for tool in strace rustc python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 (\$EPOCHREALTIME)"

# --- the binaries ----------------------------------------------------------------------
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
work=$(mktemp -d "${TMPDIR:-/tmp}/rustomize-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
floor=$work/floor
rustc -O -o "$floor" "$repo/bench/floor.rs" || die "could not compile bench/floor.rs"

# --- helpers ---------------------------------------------------------------------------

# median FILE COLUMN: the median of a column of numbers in FILE ("-" when it is empty).
median() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# gen_dir N SUB: the directory SUB of the generated tree of N apps (made when missing).
gen_dir() {
  local apps=$1 sub=$2 tree=${TMPDIR:-/tmp}/rustomize-bench-n$1
  local stamp
  stamp="generator $(sha256sum "$repo/bench/gen_tree.py" | cut -c1-16) apps $apps seed $seed"
  if ! [ -f "$tree/.stamp" ] || [ "$(cat "$tree/.stamp")" != "$stamp" ]; then
    echo "== generating $apps apps into $tree" >&2
    python3 "$repo/bench/gen_tree.py" --apps "$apps" --seed "$seed" --out "$tree" --force >&2
    printf '%s\n' "$stamp" >"$tree/.stamp"
  fi
  printf '%s\n' "$tree/$sub"
}

# peak_kib CMD...: CMD's peak RSS in KiB (stdout and stderr discarded); fails if CMD fails.
peak_kib() {
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || die "failed: $*"
  tail -n 1 "$work/rss"
}

# timed FILE CMD...: one run of CMD, stdout and stderr to /dev/null; appends "wall cpu" (in
# seconds) to FILE.
timed() {
  local file=$1 start end cpu
  shift
  local TIMEFORMAT='%3U %3S'
  # No subshell between the two clock readings: only CMD's own fork and exec.
  start=$EPOCHREALTIME
  { time "$@" >/dev/null 2>&1; } 2>"$work/cpu" || die "failed: $*"
  end=$EPOCHREALTIME
  cpu=$(<"$work/cpu")
  awk -v a="$start" -v b="$end" -v c="$cpu" \
    'BEGIN { split(c, t, " "); printf "%.6f %.3f\n", b - a, t[1] + t[2] }' >>"$file"
}

# The files a traced build opened for reading, one per line, in order, each once.
opened_files() {
  python3 - "$1" <<'EOF'
import re, sys
seen, out = set(), []
skip = ("/proc/", "/sys/", "/dev/", "/etc/", "/lib", "/usr/")
pat = re.compile(r'openat\((?:AT_FDCWD|\d+), "((?:[^"\\]|\\.)*)", ([A-Z_|]+)(?:, \d+)?\) = \d+')
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    m = pat.search(line)
    if not m or "O_DIRECTORY" in m.group(2) or "O_WRONLY" in m.group(2) or "O_RDWR" in m.group(2):
        continue
    path = m.group(1).encode("latin-1", "backslashreplace").decode("unicode_escape")
    if path.startswith(skip) or path in seen:
        continue
    seen.add(path)
    out.append(path)
sys.stdout.write("".join(p + "\n" for p in out))
EOF
}

ms() { awk -v s="$1" 'BEGIN { if (s == "-") print "—"; else printf "%.1f", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "—"; else printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "—"; else printf "%.1f", a / b }'; }
human() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.1f MB", n / 1e6; else if (n >= 1e3) printf "%.0f KB", n / 1e3; else printf "%d B", n }'; }

# --- per target ------------------------------------------------------------------------
failed=0
rows=$work/rows
: >"$rows"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for target in "${targets[@]}"; do
  run_kubectl=$use_kubectl
  case $target in
    gen:*)
      spec=${target#gen:}
      apps=${spec%%/*}
      sub=${spec#"$apps"}
      sub=${sub#/}
      case $apps in ''|*[!0-9]*|0) printf 'compare.sh: bad target %s (gen:N[/SUB])\n' "$target" >&2; exit 2 ;; esac
      dir=$(gen_dir "$apps" "${sub:-all}")
      label="generated $apps apps ${sub:-all}"
      [ "$apps" -le "$kmax" ] || run_kubectl=0
      ;;
    *)
      dir=$target
      label=$target
      case $target in "$repo"/*) label=${target#"$repo"/} ;; "$realworld"/*) label=${target#"$realworld"/} ;; esac
      ;;
  esac
  [ -d "$dir" ] || die "no directory $dir"
  echo "== $label ($dir)" >&2
  ours=$work/rustomize.yaml
  theirs=$work/kubectl.yaml

  if ! strace -f -qq -e trace=openat -o "$work/trace" "$rustomize" build "$dir" >"$ours" 2>"$work/err"; then
    printf 'FAIL: rustomize build %s failed:\n' "$dir" >&2
    sed -n '1,20p' "$work/err" >&2
    failed=1
    continue
  fi
  opened_files "$work/trace" >"$work/files"
  bytes=$(wc -c <"$ours" | tr -d ' ')
  printf '   %s bytes out, %s files read\n' "$bytes" "$(wc -l <"$work/files" | tr -d ' ')" >&2

  if [ "$run_kubectl" = 1 ]; then
    if ! "$kubectl" kustomize "$dir" >"$theirs" 2>"$work/err"; then
      printf 'FAIL: kubectl kustomize %s failed:\n' "$dir" >&2
      sed -n '1,20p' "$work/err" >&2
      failed=1
      continue
    fi
    if ! cmp -s "$ours" "$theirs"; then
      keep=$(mktemp -d "${TMPDIR:-/tmp}/rustomize-mismatch.XXXXXX")
      cp "$ours" "$keep/rustomize.yaml"
      cp "$theirs" "$keep/kubectl.yaml"
      diff -u "$keep/kubectl.yaml" "$keep/rustomize.yaml" | sed -n '1,40p' >&2 || true
      printf 'FAIL: rustomize and kubectl print different bytes for %s (- kubectl, + rustomize; both kept in %s)\n' \
        "$dir" "$keep" >&2
      failed=1
      continue
    fi
    printf 'ok: identical output for %s (%s objects)\n' "$label" "$(grep -c '^kind:' "$theirs" || true)" >&2
  fi
  [ "$do_time" = 1 ] || continue

  rss_f=$(peak_kib "$floor" "$work/files" "$bytes")
  rss_r=$(peak_kib "$rustomize" build "$dir")
  rss_k=-
  [ "$run_kubectl" = 1 ] && rss_k=$(peak_kib "$kubectl" kustomize "$dir")

  : >"$work/t.floor"
  : >"$work/t.rz"
  : >"$work/t.kc"
  echo "   timing: $runs rounds (kubectl in the first $([ "$run_kubectl" = 1 ] && echo "$kruns" || echo 0))" >&2
  for ((i = 0; i < runs; i++)); do
    timed "$work/t.floor" "$floor" "$work/files" "$bytes"
    timed "$work/t.rz" "$rustomize" build "$dir"
    if [ "$run_kubectl" = 1 ] && [ "$i" -lt "$kruns" ]; then
      timed "$work/t.kc" "$kubectl" kustomize "$dir"
    fi
  done
  f=$(median "$work/t.floor" 1)
  r=$(median "$work/t.rz" 1)
  rc=$(median "$work/t.rz" 2)
  k=$(median "$work/t.kc" 1)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |\n' "$label" "$(human "$bytes")" \
    "$(ms "$f")" "$(ms "$r")" "$(ms "$rc")" "$(ms "$k")" "$(ratio "$r" "$f")" "$(ratio "$k" "$r")" \
    "$(mib "$rss_f")" "$(mib "$rss_r")" "$(mib "$rss_k")" | tee -a "$rows" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$do_time" = 1 ] && [ -s "$rows" ]; then
  echo
  printf 'medians of %s interleaved runs (kubectl: %s), ms; %s CPUs; load average %s before, %s after\n' \
    "$runs" "$kruns" "$(nproc)" "$load_before" "$load_after"
  echo
  echo "| tree | output | floor | rustomize | rustomize CPU | kubectl | rustomize / floor | kubectl / rustomize | peak MiB floor / rustomize / kubectl |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  cat "$rows"
fi
if [ "$failed" != 0 ]; then
  echo "compare.sh: FAILED (see messages above)" >&2
  exit 1
fi
