#!/usr/bin/env python3
"""Measure which defects of crates/rustomize/tests/defects each checker catches.

For every NN-*/broken.yaml the script runs each tool on it and on base.yaml
(the same objects without the defect). A tool catches a defect when it
reports something on the broken file that it does not report on the base:
a new finding line (rustomize check, kube-score, kube-linter), or a new
invalid/error resource (kubeconform). It prints the Markdown table that
docs/check.md shows.

Tools (each optional; a missing one is reported as "not run"):
  rustomize     --rustomize PATH (default: target/release/rustomize, else debug)
  kube-score    on PATH or in ~/go/bin (go install github.com/zegl/kube-score/cmd/kube-score)
  kubeconform   on PATH or in ~/go/bin (go install github.com/yannh/kubeconform/cmd/kubeconform),
                run offline in strict mode against standalone schemas made from
                the kubernetes-validate wheel that tools/gen-k8s-schemas.py pins
                (--wheel PATH, or downloaded with pip)
  kube-linter   on PATH or in ~/go/bin

Usage: tools/defects-table.py [--rustomize PATH] [--wheel PATH] [-v]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFECTS = os.path.join(ROOT, "crates", "rustomize", "tests", "defects")
K8S_MINOR = "1.37"

# Findings that appear on a broken file only as a side effect of the edit
# (the replica count changed, so kube-score's replica advice changed), not
# because the tool saw the defect. Reviewed by hand with -v.
SIDE_EFFECTS = {
    "kube-score": [r"podAntiAffinity", r"few replicas", r"NetworkPolicy"],
}

# Defects where what a tool added was read and judged not to be about the
# defect: (defect number, tool) -> why.
JUDGED = {
    ("38", "kube-score"): "reports the autoscaler's apps/v1 target as missing, not the unserved apiVersion",
}


def find_tool(name):
    path = shutil.which(name)
    if path:
        return path
    go_bin = os.path.join(os.path.expanduser("~"), "go", "bin", name)
    return go_bin if os.path.exists(go_bin) else None


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def rustomize_findings(binary, path):
    _, out = run([binary, "check", "--format", "json", "-f", os.path.basename(path)],
                 cwd=os.path.dirname(path))
    doc = json.loads(out[out.index("{"):])
    return {f"{f['rule']} {f['object']['kind']} {f['path']}"
            for t in doc["targets"] for f in t.get("findings", [])}


def kube_score_findings(binary, path):
    _, out = run([binary, "score", "--output-format", "ci", path])
    # "[CRITICAL] apps/v1/Deployment api in shop: ..." lines; a parse error
    # is one finding too (kube-score refuses the whole file).
    lines = {re.sub(r"\(\d+\)", "", l.strip()) for l in out.splitlines()
             if l.startswith("[CRITICAL]") or l.startswith("[WARNING]")}
    if "Failed to" in out:
        lines.add("parse error: " + out.strip().splitlines()[-1][:200])
    return lines


def kube_linter_findings(binary, path):
    _, out = run([binary, "lint", "--format", "plain", path])
    return {re.sub(r"\s+", " ", l.split(")", 1)[-1]).strip()
            for l in out.splitlines() if l.startswith(os.path.dirname(path)) or ": (object:" in l}


def standalone_schemas(wheel, dest):
    """Per-kind schemas with the definitions they reach inlined, in the
    folder layout kubeconform reads (master-standalone-strict/)."""
    prefix = f"kubernetes_validate/kubernetes-json-schema/v{K8S_MINOR}.0-local-strict/"
    out_dir = os.path.join(dest, "master-standalone-strict")
    os.makedirs(out_dir, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        defs = json.loads(z.read(prefix + "_definitions.json"))["$defs"]
        names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
        for name in names:
            base = os.path.basename(name)
            if base.startswith("_") or base == "all.json":
                continue
            schema = json.loads(z.read(name))
            reached = {}

            def walk(node):
                if isinstance(node, dict):
                    ref = node.get("$ref")
                    if isinstance(ref, str) and "#/$defs/" in ref:
                        key = ref.split("#/$defs/", 1)[1]
                        node["$ref"] = "#/$defs/" + key
                        if key not in reached and key in defs:
                            reached[key] = json.loads(json.dumps(defs[key]))
                            walk(reached[key])
                    for v in list(node.values()):
                        walk(v)
                elif isinstance(node, list):
                    for v in node:
                        walk(v)

            walk(schema)
            schema["$defs"] = reached
            with open(os.path.join(out_dir, base), "w") as f:
                json.dump(schema, f)
    return dest


def kubeconform_findings(binary, schemas, path):
    _, out = run([binary, "-strict", "-output", "json", "-schema-location", schemas, path])
    doc = json.loads(out) if out.strip().startswith("{") else {"resources": []}
    return {f"{r['kind']} {r['name']} {r['status']} {r.get('msg', '')}"
            for r in doc.get("resources", []) if r["status"] in ("statusInvalid", "statusError")}


def wheel_path(arg, tmp):
    if arg:
        return arg
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    gen = {}
    with open(os.path.join(ROOT, "tools", "gen-k8s-schemas.py")) as f:
        src = f.read()
    for key in ("PACKAGE", "PACKAGE_VERSION", "WHEEL"):
        gen[key] = re.search(rf'^{key} = "([^"]+)"', src, re.M).group(1)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "-d", tmp, f"{gen['PACKAGE']}=={gen['PACKAGE_VERSION']}"],
                   check=True, stdout=sys.stderr)
    return os.path.join(tmp, gen["WHEEL"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rustomize")
    ap.add_argument("--wheel")
    ap.add_argument("-v", action="store_true", help="print what each tool added per defect")
    args = ap.parse_args()
    binary = args.rustomize
    if not binary:
        for profile in ("release", "debug"):
            candidate = os.path.join(ROOT, "target", profile, "rustomize")
            if os.path.exists(candidate):
                binary = candidate
                break
    tools = {}
    if binary:
        tools["rustomize check"] = lambda p: rustomize_findings(binary, p)
    ks = find_tool("kube-score")
    if ks:
        tools["kube-score"] = lambda p: kube_score_findings(ks, p)
    kl = find_tool("kube-linter")
    if kl:
        tools["kube-linter"] = lambda p: kube_linter_findings(kl, p)
    kc = find_tool("kubeconform")
    tmp = tempfile.mkdtemp()
    if kc:
        schemas = standalone_schemas(wheel_path(args.wheel, tmp), os.path.join(tmp, "schemas"))
        tools["kubeconform"] = lambda p: kubeconform_findings(kc, schemas, p)
    columns = ["rustomize check", "kube-linter", "kube-score", "kubeconform"]
    base = os.path.join(DEFECTS, "base.yaml")
    baseline = {name: tool(base) for name, tool in tools.items()}
    rows, totals = [], {c: 0 for c in columns}
    dirs = sorted(d for d in os.listdir(DEFECTS) if os.path.isdir(os.path.join(DEFECTS, d)))
    for d in dirs:
        meta = open(os.path.join(DEFECTS, d, "defect.yaml")).read()
        about = json.loads(re.search(r"^about: (.*)$", meta, re.M).group(1))
        effect = json.loads(re.search(r"^effect: (.*)$", meta, re.M).group(1))
        cells = []
        for c in columns:
            if c not in tools:
                cells.append("not run")
                continue
            added = tools[c](os.path.join(DEFECTS, d, "broken.yaml")) - baseline[c]
            added = {a for a in added
                     if not any(re.search(p, a) for p in SIDE_EFFECTS.get(c, []))}
            if args.v and added:
                print(f"{d} {c}: {sorted(added)}", file=sys.stderr)
            if (d[:2], c) in JUDGED:
                added = set()
            cells.append("yes" if added else "no")
            totals[c] += bool(added)
        rows.append(f"| {d[:2]} | {about} | {effect} | " + " | ".join(cells) + " |")
    print("| # | defect | effect | " + " | ".join(columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    print("\n".join(rows))
    print("| | **caught** | | " + " | ".join(
        f"**{totals[c]} / {len(dirs)}**" if c in tools else "not run" for c in columns) + " |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
