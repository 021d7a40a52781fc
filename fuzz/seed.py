#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/seeds/<target>/) from the repository's
fixtures: crates/rustomize/tests/fixtures/*/input and the example trees.
Small on purpose (a file is at most 4 KiB); run it again after adding
fixtures. Usage: python3 fuzz/seed.py"""
import hashlib, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"
MAX = 4096

def trees():
    for base in [ROOT / "crates/rustomize/tests/fixtures", ROOT / "examples"]:
        for case in sorted(base.iterdir()) if base.is_dir() else []:
            top = case / "input" if (case / "input").is_dir() else case
            if not top.is_dir():
                continue
            files = {}
            for p in sorted(top.rglob("*")):
                if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX:
                    try:
                        files[str(p.relative_to(top))] = p.read_text()
                    except UnicodeDecodeError:
                        pass
            if files:
                yield case.name, files

def put(target, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > 4 * MAX:
        return
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

def main():
    for name, files in trees():
        # A whole tree: name SOH content, NUL between files.
        put("build_tree", "\0".join(f"{n}\x01{c}" for n, c in files.items()))
        for n, c in files.items():
            if not n.endswith((".yaml", ".yml")) and n != "Kustomization":
                continue
            put("yaml_roundtrip", c)
            put("yaml_fast_vs_events", c)
            if n.split("/")[-1] in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
                put("kustomization_decode", c)
            else:
                put("check_rules", c)
                put("strategic_merge", c + "\0" + c)
    # Patches: a resource and operations.
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\nlist: [1, 2]\n"
    for ops in [
        "- op: add\n  path: /data/b\n  value: y\n",
        "- op: copy\n  from: /data\n  path: /data2\n",
        "- op: replace\n  path: ''\n  value: {a: 1}\n",
        '[{"op": "move", "from": "/list/0", "path": "/list/-"}]',
        "- op: remove\n  path: /list/-1\n",
    ]:
        put("json6902", cm + "\0" + ops)
    put("strategic_merge", cm + "\0" + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  $patch: replace\n  z: 1\n")
    dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx\n        ports:\n        - containerPort: 80\n"
    put("strategic_merge", dep + "\0" + "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:2\n      - $patch: delete\n        name: b\n")
    put("check_rules", dep)

if __name__ == "__main__":
    main()
