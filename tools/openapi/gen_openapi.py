#!/usr/bin/env python3
"""Generates the OpenAPI data rustomize's strategic merge needs.

kustomize v5.5.0 embeds the Kubernetes v1.21.2 OpenAPI v2 document as a
gnostic protobuf file, and adds a small JSON document describing its own
generator argument types. kyaml reads from them only what strategic merge
and resource typing need. This script extracts exactly that and writes it as
a compact OpenAPI v2 JSON document that `Schema::from_document` reads:

    {"definitions": {NAME: SCHEMA, ...}}

where every SCHEMA keeps only
  - "$ref"
  - "type": "array"        (other types never matter to kyaml's merge)
  - "items"                (a single schema)
  - "properties"           (every property, even untyped ones: kyaml treats
                            a known field with an empty schema differently
                            from an unknown field)
  - "additionalProperties" (only when it is a schema, not a boolean)
  - x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key,
    x-kubernetes-list-map-keys, x-kubernetes-group-version-kind.

Pinned upstream sources (kubernetes-sigs/kustomize, tag kustomize/v5.5.0,
commit afe77936761f8f7ee735a67f167a8382c8406f74):
  kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb   (git blob 910436fc5885fc58fe2eff6ebd3c0bc946e8ec26)
  kyaml/openapi/kustomizationapi/swagger.json      (git blob 7441a5ee64ce6d6eccfd1b619cfbb8522e2c9576)
The protobuf schema is gnostic's openapiv2/OpenAPIv2.proto (google/gnostic-models
v0.6.8); the few field numbers used are written out below, so only the
Python 3 standard library is needed.

It writes two files into the output directory, one per source, because
kyaml always adds kustomize's own definitions, also on top of a user's
custom schema (`openapi: {path: ...}`) which replaces the Kubernetes one:
  kubernetes-v1.21.2.json
  kustomization-api.json

Regenerate (from the repository root, with a clone of kustomize at $KUSTOMIZE):

    python3 tools/openapi/gen_openapi.py --kustomize-repo "$KUSTOMIZE" \
        --out-dir crates/rustomize-engine/src/data/openapi

or from the two files themselves:

    python3 tools/openapi/gen_openapi.py --swagger-pb swagger.pb \
        --kustomization-json swagger.json \
        --out-dir crates/rustomize-engine/src/data/openapi

The inputs are checked against the pinned git blob ids. The output is
deterministic (sorted keys, one definition per line). The script is not
needed to build rustomize.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys

TAG = "kustomize/v5.5.0"
PB_PATH = "kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb"
KUSTOMIZATION_PATH = "kyaml/openapi/kustomizationapi/swagger.json"
PB_BLOB = "910436fc5885fc58fe2eff6ebd3c0bc946e8ec26"
KUSTOMIZATION_BLOB = "7441a5ee64ce6d6eccfd1b619cfbb8522e2c9576"

KEPT_EXTENSIONS = (
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-group-version-kind",
)

# Field numbers from gnostic's OpenAPIv2.proto.
DOCUMENT_DEFINITIONS = 9
DEFINITIONS_ITEMS = 1  # Definitions.additional_properties (NamedSchema)
NAMED_NAME = 1
NAMED_VALUE = 2
SCHEMA_REF = 1
SCHEMA_ADDITIONAL_PROPERTIES = 21  # AdditionalPropertiesItem
SCHEMA_TYPE = 22  # TypeItem
SCHEMA_ITEMS = 23  # ItemsItem
SCHEMA_PROPERTIES = 25  # Properties
SCHEMA_VENDOR_EXTENSION = 31  # NamedAny
ADDITIONAL_PROPERTIES_SCHEMA = 1
TYPE_ITEM_VALUE = 1
ITEMS_ITEM_SCHEMA = 1
PROPERTIES_ITEMS = 1
ANY_YAML = 2


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# --- protobuf wire format -------------------------------------------------


def varint(buf, i):
    result = 0
    shift = 0
    while True:
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def fields(buf):
    """Yields (field number, value) for each field of a message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        elif wire == 2:
            length, i = varint(buf, i)
            value, i = buf[i : i + length], i + length
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, value


def named(buf):
    name, value = None, b""
    for number, v in fields(buf):
        if number == NAMED_NAME:
            name = v.decode()
        elif number == NAMED_VALUE:
            value = v
    return name, value


# --- the YAML text gnostic keeps for vendor extensions ---------------------


def yaml_scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse_extension(name, text):
    """Parses the few YAML shapes the kept extensions take."""
    lines = [l for l in text.splitlines() if l.strip()]
    if name in ("x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key"):
        if len(lines) != 1 or lines[0].startswith("- "):
            raise ValueError("%s: unexpected value %r" % (name, text))
        return yaml_scalar(lines[0])
    if name == "x-kubernetes-list-map-keys":
        if not all(l.startswith("- ") for l in lines):
            raise ValueError("%s: unexpected value %r" % (name, text))
        return [yaml_scalar(l[2:]) for l in lines]
    if name == "x-kubernetes-group-version-kind":
        result = []
        for line in lines:
            if line.startswith("- "):
                result.append({})
                line = line[2:]
            elif line.startswith("  "):
                line = line[2:]
            else:
                raise ValueError("%s: unexpected value %r" % (name, text))
            key, _, value = line.partition(":")
            result[-1][key.strip()] = yaml_scalar(value)
        return result
    raise ValueError(name)


# --- gnostic Schema -> pruned OpenAPI v2 JSON ------------------------------


def schema_from_proto(buf):
    out = {}
    properties = {}
    for number, v in fields(buf):
        if number == SCHEMA_REF:
            out["$ref"] = v.decode()
        elif number == SCHEMA_TYPE:
            types = [t.decode() for n, t in fields(v) if n == TYPE_ITEM_VALUE]
            if types == ["array"]:
                out["type"] = "array"
        elif number == SCHEMA_ITEMS:
            items = [schema_from_proto(s) for n, s in fields(v) if n == ITEMS_ITEM_SCHEMA]
            # kyaml only follows a single items schema.
            if len(items) == 1:
                out["items"] = items[0]
        elif number == SCHEMA_ADDITIONAL_PROPERTIES:
            for n, s in fields(v):
                if n == ADDITIONAL_PROPERTIES_SCHEMA:
                    out["additionalProperties"] = schema_from_proto(s)
        elif number == SCHEMA_PROPERTIES:
            for n, s in fields(v):
                if n == PROPERTIES_ITEMS:
                    name, value = named(s)
                    properties[name] = schema_from_proto(value)
        elif number == SCHEMA_VENDOR_EXTENSION:
            name, value = named(v)
            if name in KEPT_EXTENSIONS:
                text = b"".join(a for n, a in fields(value) if n == ANY_YAML).decode()
                out[name] = parse_extension(name, text)
    if properties:
        out["properties"] = properties
    return out


def schema_from_json(s):
    out = {}
    if "$ref" in s:
        out["$ref"] = s["$ref"]
    t = s.get("type")
    if t == "array" or t == ["array"]:
        out["type"] = "array"
    items = s.get("items")
    if isinstance(items, dict):
        out["items"] = schema_from_json(items)
    elif isinstance(items, list) and len(items) == 1:
        out["items"] = schema_from_json(items[0])
    additional = s.get("additionalProperties")
    if isinstance(additional, dict):
        out["additionalProperties"] = schema_from_json(additional)
    for name in KEPT_EXTENSIONS:
        if name in s:
            out[name] = s[name]
    if s.get("properties"):
        out["properties"] = {k: schema_from_json(v) for k, v in s["properties"].items()}
    return out


def definitions_from_proto(buf):
    definitions = {}
    for number, v in fields(buf):
        if number != DOCUMENT_DEFINITIONS:
            continue
        for n, s in fields(v):
            if n == DEFINITIONS_ITEMS:
                name, value = named(s)
                definitions[name] = schema_from_proto(value)
    return definitions


def read_inputs(args):
    if args.kustomize_repo:

        def show(path):
            return subprocess.run(
                ["git", "-C", args.kustomize_repo, "show", "%s:%s" % (TAG, path)],
                check=True,
                stdout=subprocess.PIPE,
            ).stdout

        return show(PB_PATH), show(KUSTOMIZATION_PATH)
    with open(args.swagger_pb, "rb") as f:
        pb = f.read()
    with open(args.kustomization_json, "rb") as f:
        kj = f.read()
    return pb, kj


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kustomize-repo", help="a git clone of kubernetes-sigs/kustomize")
    p.add_argument("--swagger-pb", help=PB_PATH + " at " + TAG)
    p.add_argument("--kustomization-json", help=KUSTOMIZATION_PATH + " at " + TAG)
    p.add_argument("--out-dir", required=True, help="where to write the data files")
    args = p.parse_args()
    if not args.kustomize_repo and not (args.swagger_pb and args.kustomization_json):
        p.error("give --kustomize-repo, or --swagger-pb and --kustomization-json")
    pb, kj = read_inputs(args)
    for data, blob, path in ((pb, PB_BLOB, PB_PATH), (kj, KUSTOMIZATION_BLOB, KUSTOMIZATION_PATH)):
        if git_blob_id(data) != blob:
            sys.exit("%s is not the pinned version (git blob %s)" % (path, blob))

    write(os.path.join(args.out_dir, "kubernetes-v1.21.2.json"), definitions_from_proto(pb))
    kustomization = json.loads(kj)["definitions"]
    write(
        os.path.join(args.out_dir, "kustomization-api.json"),
        {name: schema_from_json(s) for name, s in kustomization.items()},
    )


def write(path, definitions):
    with open(path, "w") as out:
        out.write('{"definitions":{\n')
        names = sorted(definitions)
        for i, name in enumerate(names):
            body = json.dumps(definitions[name], sort_keys=True, separators=(",", ":"))
            out.write("%s:%s%s\n" % (json.dumps(name), body, "," if i + 1 < len(names) else ""))
        out.write("}}\n")


if __name__ == "__main__":
    main()
