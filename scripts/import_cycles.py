#!/usr/bin/env python3
"""Module import graph of a Rust crate's src/ (one node per file), its cycles,
and the coding service's layering rules (code sets never import encounters or
edits; edit findings are a leaf; the encounter store never imports the
service layer). Exits 1 on a cycle or a broken rule; scripts/test runs it on
every service.

An edge A -> B means file A names an item of file B: in a `use` (including
`pub use` re-exports and grouped `use a::{b, c::d}`), or in a path written in
the code (`crate::x::y::Z`, `super::x::f()`, or `alias::f()` where `alias`
is a module imported by a `use`). A `mod b;` declaration is not an import.
Test-only code (`#[cfg(test)] mod tests { ... }`, `#[cfg(test)] mod x;`) is
left out unless --with-tests is given.
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "src"
WITH_TESTS = "--with-tests" in sys.argv


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3]
    if rel == "lib":
        return ("crate",)
    return ("crate",) + tuple(rel.split(os.sep))


files = {}
for root, _, names in os.walk(SRC):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(root, n)
            files[module_of(p)] = p


def strip(text):
    # Comments and string/char literals out (so doc links and messages do
    # not count as imports).
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i)
            i = n if j < 0 else j + 2
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            out.append('""')
            i = n if j < 0 else j + len(end)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


test_modules = set()


def drop_tests(text, module):
    pos = 0
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+(\w+)\s*([;{])", text[pos:])
        if not m:
            return text
        m = re.search(re.escape(m.group(0)), text[pos:])
        start, mend = pos + m.start(), pos + m.end()
        if m.group(0).endswith(";"):
            if not WITH_TESTS:
                test_modules.add(module + (re.search(r"mod\s+(\w+)", m.group(0)).group(1),))
                text = text[:start] + text[mend:]
            else:
                pos = mend
            continue
        depth = 0
        j = mend - 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if WITH_TESTS:
            # Inside an inline test module `super` is the file's module.
            body = text[mend:j].replace("super::", "self::")
            text = text[:mend] + body + text[j:]
            pos = mend + len(body)
        else:
            text = text[:start] + text[j + 1:]


def expand_use(tree):
    """`a::{b, c::{d, self}}` -> ['a::b', 'a::c::d', 'a::c']."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    out = []

    def rec(prefix, t):
        if "{" not in t:
            for part in split_top(t):
                if part == "self":
                    out.append(prefix.rstrip(":"))
                elif part:
                    out.append(prefix + part)
            return
        k = t.index("{")
        head = t[:k]
        body = t[k + 1 : t.rindex("}")]
        for part in split_top(body):
            rec(prefix + head, part)

    rec("", tree)
    return [o.replace("::*", "") for o in out]


def split_top(t):
    parts, depth, cur = [], 0, ""
    for ch in t:
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
    return parts


def children(module):
    return {m[-1] for m in files if len(m) == len(module) + 1 and m[:-1] == module}


def resolve(module, path, aliases):
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        base, rest = ("crate",), segs[1:]
    elif segs[0] in ("super", "self"):
        base = module
        rest = segs
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    elif segs[0] in aliases:
        base, rest = aliases[segs[0]], segs[1:]
    elif segs[0] in children(module):
        base, rest = module, segs
    else:
        return None  # another crate
    target = base
    for s in rest:
        if target + (s,) in files:
            target = target + (s,)
        else:
            break
    return target if target in files else None


edges = {}
for module, path in files.items():
    text = drop_tests(strip(open(path).read()), module)
    targets = set()
    aliases = {}
    uses = re.findall(r"\buse\s+([^;]+);", text)
    for u in uses:
        for p in expand_use(u):
            t = resolve(module, p, {})
            if t is not None:
                targets.add(t)
                name = p.split("::")[-1]
                if t[-1] == name or (name == "self"):
                    aliases[t[-1]] = t
    code = re.sub(r"\buse\s+[^;]+;", "", text)
    for p in re.findall(r"\b(?:crate|super|self|[a-z_][a-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)+", code):
        t = resolve(module, p, aliases)
        if t is not None:
            targets.add(t)
    targets.discard(module)
    edges[module] = targets

for m in test_modules:
    edges.pop(m, None)
for m in edges:
    edges[m] -= test_modules


def name(m):
    return "::".join(m)


# Tarjan's strongly connected components.
index, low, on, stack, sccs = {}, {}, set(), [], []
counter = [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in edges:
            continue
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
        sccs.append(comp)


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)

cycles = [sorted(c) for c in sccs if len(c) > 1]
print(f"{SRC}: {len(edges)} files, {sum(len(t) for t in edges.values())} import edges"
      f"{' (tests included)' if WITH_TESTS else ' (test-only code left out)'}")
if cycles:
    for c in cycles:
        print("CYCLE among:", ", ".join(name(m) for m in c))
        for m in c:
            for t in sorted(edges[m]):
                if t in c:
                    print(f"    {name(m)} -> {name(t)}")
else:
    print(f"{SRC}: no import cycle")

# Layering rules.
problems = []
for m, ts in edges.items():
    for t in ts:
        if m[:2] == ("crate", "codesets") and t[:2] in {("crate", "encounters"), ("crate", "edits")}:
            problems.append(f"{name(m)} -> {name(t)} (codesets must not import encounters/edits)")
        if m == ("crate", "encounters", "domain") and t[:2] == ("crate", "edits") and t != ("crate", "edits", "finding"):
            problems.append(f"{name(m)} -> {name(t)} (the encounter domain may only use edits::finding)")
        if m[:2] == ("crate", "edits") and t[:2] == ("crate", "encounters") and t != ("crate", "encounters", "domain"):
            problems.append(f"{name(m)} -> {name(t)} (edits may only use encounters::domain)")
        if m[:2] == ("crate", "edits") and t[:2] == ("crate", "codesets") and t[2:3] not in {("domain",), ("facts",), ("store",)}:
            problems.append(f"{name(m)} -> {name(t)} (edits may use the code-set domain, facts and store)")
        if m == ("crate", "encounters", "store") and t == ("crate", "encounters", "service"):
            problems.append(f"{name(m)} -> {name(t)} (the store must not import the service layer)")
finding = ("crate", "edits", "finding")
if finding in edges and any(t[0] == "crate" for t in edges[finding]):
    problems.append(f"edits::finding imports {sorted(edges[finding])} (must be a leaf)")
for p in sorted(problems):
    print("LAYERING:", p)
if not problems:
    print("layering rules hold")
sys.exit(1 if cycles or problems else 0)
