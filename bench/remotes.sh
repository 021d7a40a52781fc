#!/usr/bin/env bash
# Times a build of a tree with N remote bases at tags: kubectl kustomize
# (clones each base on every build) against rustomize with a warm cache.
# Nothing touches the network: github.com/org/appN is redirected to local
# repositories with url.<file URL>.insteadOf (GIT_CONFIG_COUNT/KEY/VALUE), and
# HTTP(S)_PROXY points at a closed local port so kustomize's HTTP probe of
# https URLs fails at once.
#
# usage: bench-remotes.sh RUSTOMIZE_BINARY [N=10] [RUNS=5]
set -euo pipefail
RZ=${1:?usage: $0 RUSTOMIZE_BINARY [N] [RUNS]}
N=${2:-10}
RUNS=${3:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$W/tree"
printf 'resources:\n' > "$W/tree/kustomization.yaml"
for i in $(seq 0 $((N - 1))); do
  r="$W/app$i"
  mkdir -p "$r/deploy/base"
  git -C "$r" init -q -b main
  printf 'resources:\n- deployment.yaml\n' > "$r/deploy/base/kustomization.yaml"
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app%s\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/org/app%s:v1.0.0\n' "$i" "$i" \
    > "$r/deploy/base/deployment.yaml"
  git -C "$r" add -A && git -C "$r" commit -qm init && git -C "$r" tag v1.0.0
  export "GIT_CONFIG_KEY_$i=url.file://$r.insteadOf" "GIT_CONFIG_VALUE_$i=https://github.com/org/app$i"
  printf -- '- github.com/org/app%s//deploy/base?ref=v1.0.0\n' "$i" >> "$W/tree/kustomization.yaml"
done
export GIT_CONFIG_COUNT=$N
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
export RUSTOMIZE_CACHE_DIR="$W/cache"

ms() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
kubectl kustomize "$W/tree" > "$W/kubectl.yaml"
"$RZ" build "$W/tree" > "$W/rustomize.yaml"
cmp "$W/kubectl.yaml" "$W/rustomize.yaml" && echo "outputs identical"
echo "first rustomize build (cold cache) fetched $N bases: $(rm -rf "$W/cache"; ms "$RZ" build "$W/tree") ms"
k=0; z=0
for _ in $(seq "$RUNS"); do
  k=$((k + $(ms kubectl kustomize "$W/tree")))
  z=$((z + $(ms "$RZ" build "$W/tree")))
done
echo "kubectl kustomize: $((k / RUNS)) ms per build"
echo "rustomize (warm):  $((z / RUNS)) ms per build"
awk -v k="$k" -v z="$z" 'BEGIN { if (z > 0) printf "speed-up: %.1fx\n", k / z }'
