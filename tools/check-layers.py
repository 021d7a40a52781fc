#!/usr/bin/env python3
"""Module dependency check for the workspace: no import loops, and the
engine's layers point one way.

usage: tools/check-layers.py [--verbose] [CRATE_DIR...]
  (default: every crates/*/ with a src/lib.rs or src/main.rs)

For each crate it reads the module tree (following `mod x;` from lib.rs or
main.rs; `#[cfg(test)]` modules and items are left out: tests may reach
anywhere), then every path a module names: `use` trees and inline paths
starting with `crate::`, `super::` or `self::`. A path is resolved to the
module that defines the item, following `pub use`/`pub(crate) use`
re-exports.

An edge from module M to module T counts between the two children of their
nearest common ancestor that lead to them (so `crate::a::x` used in `b::y`
is an edge a -> b among the crate's top-level modules, and `super::c` used
in `a::d` is an edge d -> c among `a`'s children). A parent using its child
(or a child its parent) is containment, not an edge. Any cycle among the
children of one module is reported with the `use` lines that make it.

For rustomize-engine, the top-level modules also have layers (LAYERS
below): a module may only name modules of its own layer or lower ones.

Exit status: 0 when clean, 1 when a cycle or a layer violation is found,
2 on a usage error. Only the standard library is used.
"""

import os
import re
import sys

# Lowest first. Every top-level module of the crate must be listed.
LAYERS = {
    "rustomize-engine": [
        ("support", ["error", "gofmt", "pattern", "stack"]),
        ("model", ["model"]),
        ("steps", ["steps"]),
        ("pipeline", ["pipeline"]),
        # lib.rs's public namespaces, re-exporting the layers.
        ("facade", ["kustomization", "provenance", "fs", "remote"]),
    ],
}


def strip_code(text):
    """The text with comments, string and char literals blanked (newlines
    kept, so offsets map to the same lines)."""
    out = []
    i, n = 0, len(text)

    def blank(s):
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif re.match(r'(b|c)?r#*"', text[i:i + 40]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'(b|c)?r(#*)"', text[i:])
            close = '"' + m.group(2)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append(blank(text[i:j]))
            i = j
        elif c == '"' or (c in "bc" and text.startswith('"', i + 1) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            j = i + (1 if c == '"' else 2)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(blank(text[i:j]))
            i = j
        elif c == "'":
            m = re.match(r"'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'\n])'", text[i:])
            if m:
                out.append(blank(m.group(0)))
                i += m.end()
            else:  # a lifetime or label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text, open_at):
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")
ATTR = re.compile(r"\s*#\s*\[[^\]]*\]")
MOD_DECL = re.compile(r"\b(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(\w+)\s*(;|\{)")


def remove_test_items(code):
    """Blanks `#[cfg(test)]` items; returns (code, names of `#[cfg(test)]
    mod x;` declarations)."""
    test_mods = set()
    while True:
        m = CFG_TEST.search(code)
        if not m:
            return code, test_mods
        j = m.end()
        while True:
            a = ATTR.match(code, j)
            if not a:
                break
            j = a.end()
        semi, brace = code.find(";", j), code.find("{", j)
        md = MOD_DECL.match(code, j) or MOD_DECL.match(code, len(code[j:]) - len(code[j:].lstrip()) + j)
        if md and md.group(2) == ";":
            test_mods.add(md.group(1))
            end = md.end()
        elif brace >= 0 and (semi < 0 or brace < semi):
            end = matching_brace(code, brace) + 1
        else:
            end = semi + 1 if semi >= 0 else len(code)
        code = code[: m.start()] + re.sub(r"[^\n]", " ", code[m.start():end]) + code[end:]


class Module:
    def __init__(self, path, file, code):
        self.path = path  # tuple of segments; () is the crate root
        self.file = file
        self.code = code
        self.children = {}
        self.reexports = {}  # name -> full path tuple it re-exports
        self.uses = []  # (line, path tuple as written, resolved later)


def load_crate(crate_dir):
    src = os.path.join(crate_dir, "src")
    root_file = next(
        (os.path.join(src, f) for f in ("lib.rs", "main.rs") if os.path.exists(os.path.join(src, f))),
        None,
    )
    if root_file is None:
        return None
    modules = {}

    def visit(path, file, code, dir_for_children):
        code, test_mods = remove_test_items(code)
        mod = Module(path, file, code)
        modules[path] = mod
        # Inline modules: their bodies belong to them, not to this file.
        for m in list(MOD_DECL.finditer(code)):
            name, kind = m.group(1), m.group(2)
            if name in test_mods:
                continue
            if kind == ";":
                child_dir = os.path.join(dir_for_children, name)
                cand = [child_dir + ".rs", os.path.join(child_dir, "mod.rs")]
                child_file = next((c for c in cand if os.path.exists(c)), None)
                if child_file is None:
                    continue
                with open(child_file, encoding="utf-8") as f:
                    child_code = strip_code(f.read())
                mod.children[name] = visit(path + (name,), child_file, child_code, child_dir)
        for m in reversed(list(MOD_DECL.finditer(mod.code))):
            if m.group(2) == "{":
                end = matching_brace(mod.code, m.end() - 1)
                body = mod.code[m.end():end]
                name = m.group(1)
                mod.children[name] = visit(
                    path + (name,), file, body, os.path.join(dir_for_children, name)
                )
                mod.code = mod.code[: m.end()] + re.sub(r"[^\n]", " ", body) + mod.code[end:]
        return mod

    with open(root_file, encoding="utf-8") as f:
        visit((), root_file, strip_code(f.read()), src)
    for mod in modules.values():
        parse_paths(mod)
    return modules


USE_STMT = re.compile(r"\b(pub(?:\s*\([^)]*\))?\s+)?use\s+([^;]*);")
INLINE = re.compile(r"(?<![\w:])((?:crate|super|self)(?:\s*::\s*\w+)+)")


def expand_use_tree(tree):
    """`a::{b, c::{d as e, *}}` -> [(['a','b'], 'b'), (['a','c','d'], 'e'), ...]."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, s):
        # split s at top-level commas
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        for p in parts:
            if "{" in p:
                head, rest = p.split("{", 1)
                head = [x for x in head.split("::") if x]
                walk(prefix + head, rest[:-1])
            else:
                alias = None
                if "as" in p and re.search(r"\bas\b", p.replace("::", " :: ")):
                    p, alias = re.split(r"(?<=\w)as(?=\w)", p, maxsplit=1) if "as" in p else (p, None)
                segs = [x for x in p.split("::") if x]
                if segs == ["self"]:
                    segs = []
                full = prefix + segs
                if full:
                    out.append((full, alias or full[-1]))

    walk([], tree)
    return out


def line_of(code, offset):
    return code.count("\n", 0, offset) + 1


def parse_paths(mod):
    spans = []
    for m in USE_STMT.finditer(mod.code):
        spans.append((m.start(), m.end()))
        line = line_of(mod.code, m.start())
        public = bool(m.group(1))
        for full, alias in expand_use_tree(m.group(2)):
            mod.uses.append((line, tuple(full)))
            if public and full[-1] != "*":
                mod.reexports[alias] = tuple(full)
    for m in INLINE.finditer(mod.code):
        if any(a <= m.start() < b for a, b in spans):
            continue
        segs = tuple(s.strip() for s in m.group(1).split("::"))
        mod.uses.append((line_of(mod.code, m.start()), segs))


def absolute(mod, segs):
    """The path from the crate root that `segs`, written in `mod`, means;
    None for paths into other crates or the prelude."""
    cur = list(mod.path)
    segs = list(segs)
    if not segs:
        return None
    if segs[0] == "crate":
        cur, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                if not cur:
                    return None
                cur.pop()
            segs = segs[1:]
    elif segs[0] in mod.children:
        pass  # relative to this module (2018 paths)
    else:
        return None
    return tuple(cur) + tuple(segs)


def resolve(modules, full, depth=0):
    """The module that defines the item `full` names (through re-exports)."""
    cur = ()
    i = 0
    while i < len(full) and full[i] in modules[cur].children:
        cur = cur + (full[i],)
        i += 1
    if i < len(full) and depth < 16:
        name = full[i]
        target = modules[cur].reexports.get(name)
        if target is not None:
            absolute_target = absolute(modules[cur], target)
            if absolute_target is not None:
                return resolve(modules, absolute_target + tuple(full[i + 1:]), depth + 1)
    return cur


def edges_of(modules):
    """(parent, from_child, to_child) -> [(file, line, written path, target)]."""
    edges = {}
    for mod in modules.values():
        for line, segs in mod.uses:
            full = absolute(mod, segs)
            if full is None:
                continue
            target = resolve(modules, full)
            a, b = mod.path, target
            k = 0
            while k < len(a) and k < len(b) and a[k] == b[k]:
                k += 1
            if k == len(a) or k == len(b):
                continue  # the same module, or containment
            key = (a[:k], a[k], b[k])
            edges.setdefault(key, []).append((mod.file, line, "::".join(segs), "::".join(target)))
    return edges


def cycles(nodes, adj):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(adj.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return out


def one_loop(comp, adj):
    """A shortest cycle through the component's first node, as a list."""
    start = comp[0]
    members = set(comp)
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(adj.get(v, ())):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def check_crate(crate_dir, root, verbose):
    name = os.path.basename(os.path.normpath(crate_dir))
    modules = load_crate(crate_dir)
    if modules is None:
        return []
    problems = []
    edges = edges_of(modules)
    by_parent = {}
    for (parent, a, b), sites in edges.items():
        by_parent.setdefault(parent, {}).setdefault(a, {})[b] = sites
    for parent, adj in sorted(by_parent.items()):
        nodes = set(adj) | {b for bs in adj.values() for b in bs}
        for comp in cycles(nodes, adj):
            loop = one_loop(comp, adj)
            where = "::".join(("crate",) + parent)
            lines = [f"{name}: import loop among the modules of {where}: " + " -> ".join(loop)]
            if len(comp) > len(loop) - 1:
                lines.append(f"    (one of the loops in: {', '.join(comp)})")
            for a, b in zip(loop, loop[1:]):
                for file, line, written, _ in adj[a][b][: (None if verbose else 2)]:
                    lines.append(f"    {a} -> {b}: {os.path.relpath(file, root)}:{line}: {written}")
            problems.append("\n".join(lines))
    layers = LAYERS.get(name)
    if layers:
        rank = {m: i for i, (_, ms) in enumerate(layers) for m in ms}
        label = {m: lname for lname, ms in layers for m in ms}
        for top in sorted(modules[()].children):
            if top not in rank:
                problems.append(
                    f"{name}: top-level module '{top}' has no layer (add it to LAYERS in tools/check-layers.py)"
                )
        for (parent, a, b), sites in sorted(edges.items()):
            if parent != () or a not in rank or b not in rank:
                continue
            if rank[a] < rank[b]:
                lines = [f"{name}: layer violation: {a} ({label[a]}) uses {b} ({label[b]}), a higher layer"]
                for file, line, written, _ in sites[: (None if verbose else 3)]:
                    lines.append(f"    {os.path.relpath(file, root)}:{line}: {written}")
                if not verbose and len(sites) > 3:
                    lines.append(f"    ... and {len(sites) - 3} more")
                problems.append("\n".join(lines))
    return problems


def main():
    args = sys.argv[1:]
    verbose = "--verbose" in args or "-v" in args
    dirs = [a for a in args if not a.startswith("-")]
    if any(a.startswith("-") and a not in ("--verbose", "-v") for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not dirs:
        crates = os.path.join(root, "crates")
        dirs = [os.path.join(crates, d) for d in sorted(os.listdir(crates))]
    problems = []
    checked = 0
    for d in dirs:
        if os.path.isdir(os.path.join(d, "src")):
            checked += 1
            problems.extend(check_crate(d, root, verbose))
    for p in problems:
        print(p)
    if problems:
        print(f"\n{len(problems)} problem(s) in {checked} crate(s)")
        return 1
    print(f"module layers: {checked} crate(s), no import loops, engine layers one-way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
