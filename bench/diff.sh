#!/usr/bin/env bash
# bench/diff.sh: time `rustomize diff --base C1 --head C2 TARGET` against one
# `rustomize build TARGET`, on the generated tree committed to a Git repository.
#
# Usage:
#   bench/diff.sh [options] [TARGET]
#
# TARGET is a kustomization directory of the generated tree (default: all, every
# environment of every app: ~18,600 objects at 1,000 apps).
#
# Options:
#   -n, --apps N      apps in the generated tree (default 1000)
#   -t, --tree DIR    where the tree and its repository go (default:
#                     $TMPDIR/rustomize-bench-diff-n<N>; reused when it is already there)
#   -r, --runs N      timed runs of each command (default 7, after one warm-up run each)
#       --max-ratio R fail when the median wall time of the diff is more than R times the
#                     build's (default: report only; the goal is 1.5)
#       --no-build    do not run cargo; use the binary as it is
#   -h, --help        show this text
#
# Environment:
#   RUSTOMIZE   the binary (default: <repo>/target/release/rustomize, built with
#               `cargo build --release -p rustomize` unless --no-build)
#
# The repository has two commits: C1, the generated tree, then C2, where one app's
# production image tag changes (`newTag` of apps/app-0042/overlays/production). The
# objects are packed (`git gc`), as in a clone. The script checks that the diff reports
# exactly that one changed Deployment (exit status 1, "1 changed"), then runs the build
# and the diff alternately, stdout to /dev/null, each under /usr/bin/time, and prints the
# median wall and CPU (user + system) times and the ratios. On a busy machine wall time
# includes waiting for a CPU; CPU time is steadier.
#
# Needs: bash, git, python3, /usr/bin/time, awk, sort; cargo unless --no-build.

set -euo pipefail

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'diff.sh: %s\n' "$*" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
apps=1000
tree=""
runs=7
max_ratio=""
build=1
target=all

while [ $# -gt 0 ]; do
  case "$1" in
    -n|--apps) apps=$2; shift 2 ;;
    -t|--tree) tree=$2; shift 2 ;;
    -r|--runs) runs=$2; shift 2 ;;
    --max-ratio) max_ratio=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) target=$1; shift ;;
  esac
done

tree=${tree:-${TMPDIR:-/tmp}/rustomize-bench-diff-n$apps}
bin=${RUSTOMIZE:-$repo/target/release/rustomize}
if [ "$build" = 1 ] && [ -z "${RUSTOMIZE:-}" ]; then
  (cd "$repo" && cargo build --release -p rustomize >&2)
fi
[ -x "$bin" ] || die "no binary at $bin"

g() { git -C "$tree" -c user.name=bench -c user.email=bench@example.com \
  -c init.defaultBranch=main -c commit.gpgsign=false -c gc.auto=0 "$@"; }

overlay=apps/app-0042/overlays/production/kustomization.yaml
if ! g rev-parse -q --verify c2 >/dev/null 2>&1; then
  rm -rf "$tree"
  python3 "$repo/bench/gen_tree.py" --apps "$apps" --out "$tree" >&2
  [ -f "$tree/$overlay" ] || die "$overlay not generated (fewer than 43 apps?)"
  g init -q
  g add -A
  g commit -qm "generated tree"
  g tag c1
  # One app's image: the production overlay's newTag gets a new patch version.
  python3 - "$tree/$overlay" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
new, n = re.subn(r"(newTag: *['\"]?v?\d+\.\d+\.)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), text, count=1)
if n != 1:
    sys.exit(f"no newTag in {path}")
open(path, "w").write(new)
EOF
  g commit -qam "bump one app's image"
  g tag c2
  g gc -q
fi

cd "$tree"
set +e
"$bin" diff --summary --base c1 --head c2 "$target" > "$tree.summary" 2>&1
status=$?
set -e
[ "$status" = 1 ] || { cat "$tree.summary" >&2; die "diff exited with $status, expected 1"; }
grep -q ": 0 added, 0 removed, 1 changed, " "$tree.summary" \
  || { cat "$tree.summary" >&2; die "expected exactly one changed object"; }
objects=$("$bin" build "$target" | grep -c '^kind:' || true)

measure() { # label, command...: one run; prints "wall cpu"
  local label=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$tree.time" "$@" > /dev/null 2>&1 || true
  # The last line: /usr/bin/time first notes a non-zero exit status (the diff's 1).
  tail -n 1 "$tree.time" | awk -v l="$label" '{printf "%s %s %.2f\n", l, $1, $2 + $3}'
}

results=$(mktemp)
trap 'rm -f "$results" "$tree.time" "$tree.summary"' EXIT
measure warm "$bin" build "$target" > /dev/null
measure warm "$bin" diff --base c1 --head c2 "$target" > /dev/null
for _ in $(seq "$runs"); do
  measure build "$bin" build "$target" >> "$results"
  measure diff "$bin" diff --base c1 --head c2 "$target" >> "$results"
done

median() { # label, column
  awk -v l="$1" -v c="$2" '$1 == l {print $c}' "$results" | sort -g \
    | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
bw=$(median build 2); bc=$(median build 3)
dw=$(median diff 2); dc=$(median diff 3)
ratio=$(awk -v d="$dw" -v b="$bw" 'BEGIN {printf "%.2f", d / b}')
cratio=$(awk -v d="$dc" -v b="$bc" 'BEGIN {printf "%.2f", d / b}')
printf 'tree: %s (%s apps, target %s, %s objects), %s runs each, %s CPUs\n' \
  "$tree" "$apps" "$target" "$objects" "$runs" "$(nproc)"
printf '%-44s %8s %8s\n' "" "wall s" "CPU s"
printf '%-44s %8s %8s\n' "rustomize build $target" "$bw" "$bc"
printf '%-44s %8s %8s\n' "rustomize diff --base c1 --head c2 $target" "$dw" "$dc"
printf '%-44s %8s %8s\n' "ratio diff / build" "$ratio" "$cratio"
if [ -n "$max_ratio" ]; then
  awk -v r="$ratio" -v m="$max_ratio" 'BEGIN {exit !(r <= m)}' \
    || die "the diff took $ratio times the build (more than $max_ratio)"
fi
