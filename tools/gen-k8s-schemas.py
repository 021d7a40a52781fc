#!/usr/bin/env python3
"""Generate the Kubernetes schemas bundled in `rustomize check`.

Source: the JSON schemas of the `kubernetes-validate` package on PyPI
(https://github.com/willthames/kubernetes-validate, Apache-2.0), one
`_definitions.json` per Kubernetes minor, made from the official
`api/openapi-spec/swagger.json` of each `vX.Y.0` release by openapi2jsonschema
(the `-local-strict` variant: `additionalProperties: false` on every object
with properties). The wheel is pinned by version and SHA-256 below.

The output keeps only what validation needs (types, formats, properties,
required fields, item and map value schemas, references, the group/version/kind
of each top-level kind), stores each distinct definition once across all
versions, and is compressed with zlib:

    crates/rustomize-check/data/k8s-schemas.json.zz

Usage:
    tools/gen-k8s-schemas.py                 # downloads the pinned wheel with pip
    tools/gen-k8s-schemas.py --wheel PATH    # or reads a wheel already downloaded

Needs only Python 3.8+ (and pip, to download). Reproducible: the same wheel
gives the same bytes.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib

PACKAGE = "kubernetes-validate"
PACKAGE_VERSION = "1.37.0"
WHEEL = "kubernetes_validate-1.37.0-py3-none-any.whl"
WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
# Kubernetes minors to bundle, newest last (the newest is the default).
MINORS = ["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"]
OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "crates", "rustomize-check", "data", "k8s-schemas.json.zz",
)
REF_PREFIX = "#/$defs/"


def fetch_wheel(dest):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "-d", dest, f"{PACKAGE}=={PACKAGE_VERSION}"],
        check=True, stdout=sys.stderr,
    )
    return os.path.join(dest, WHEEL)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def types_of(s):
    t = s.get("type")
    if t is None:
        return []
    if isinstance(t, str):
        t = [t]
    return [x for x in t if x != "null"]


def reduce(s, where):
    """One schema in the compact form `rustomize-check` reads (see
    crates/rustomize-check/src/schema/builtin.rs):

    "#Name" a reference; "s" string, "y" base64 string, "t" date-time,
    "i32"/"i64"/"i" integer, "n" number, "b" boolean, "*" anything,
    "ios" int or string, "q" quantity (string or number);
    {"a": item} array; {"p": {..}, "r": [..], "x": value} object (closed when
    it has "p" and no "x"; any keys when it has neither).
    """
    if "$ref" in s:
        ref = s["$ref"]
        if not ref.startswith(REF_PREFIX):
            raise SystemExit(f"{where}: unexpected $ref {ref}")
        return "#" + ref[len(REF_PREFIX):]
    if "oneOf" in s:
        alts = sorted(t for a in s["oneOf"] for t in types_of(a))
        if alts == ["integer", "string"]:
            return "ios"
        if alts == ["number", "string"]:
            return "q"
        raise SystemExit(f"{where}: unexpected oneOf {alts}")
    ts = types_of(s)
    if not ts:
        return "*"
    if len(ts) != 1:
        raise SystemExit(f"{where}: unexpected types {ts}")
    t, fmt = ts[0], s.get("format")
    if t == "string":
        return {"byte": "y", "date-time": "t"}.get(fmt, "s")
    if t == "integer":
        return {"int32": "i32", "int64": "i64"}.get(fmt, "i")
    if t == "number":
        return "n"
    if t == "boolean":
        return "b"
    if t == "array":
        return {"a": reduce(s.get("items", {}), where + "[]")}
    if t == "object":
        out = {}
        if "properties" in s:
            out["p"] = {k: reduce(v, f"{where}.{k}") for k, v in sorted(s["properties"].items())}
        if s.get("required"):
            out["r"] = sorted(s["required"])
        addl = s.get("additionalProperties")
        if isinstance(addl, dict):
            out["x"] = reduce(addl, where + ".*")
        elif addl is True or (addl is None and "properties" in s):
            out["x"] = "*"
        return out
    raise SystemExit(f"{where}: unexpected type {t}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help=f"path of {WHEEL} (downloaded with pip if not given)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        digest = sha256(wheel)
        if digest != WHEEL_SHA256:
            raise SystemExit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(wheel) as z:
            raw = {
                m: json.loads(z.read(
                    f"kubernetes_validate/kubernetes-json-schema/v{m}.0-local-strict/_definitions.json"
                ))["$defs"]
                for m in MINORS
            }

    schemas, index = [], {}
    versions = []
    for m in MINORS:
        names, kinds = {}, []
        for name in sorted(raw[m]):
            d = raw[m][name]
            reduced = reduce(d, name)
            key = json.dumps(reduced, sort_keys=True, separators=(",", ":"))
            if key not in index:
                index[key] = len(schemas)
                schemas.append(reduced)
            names[name] = index[key]
            for gvk in d.get("x-kubernetes-group-version-kind", []):
                kinds.append([gvk["group"], gvk["version"], gvk["kind"], name])
        kinds.sort()
        versions.append({"minor": m, "release": f"v{m}.0", "defs": names, "kinds": kinds})

    doc = {
        "format": 1,
        "source": f"PyPI {PACKAGE} {PACKAGE_VERSION} ({WHEEL}, sha256 {WHEEL_SHA256}), *-local-strict/_definitions.json",
        "versions": versions,
        "schemas": schemas,
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    packed = zlib.compress(text, 9)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(packed)
    print(f"{args.out}: {len(schemas)} distinct definitions for {', '.join(MINORS)}; "
          f"{len(text)} bytes of JSON, {len(packed)} compressed", file=sys.stderr)


if __name__ == "__main__":
    main()
