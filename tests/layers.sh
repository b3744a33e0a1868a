#!/usr/bin/env bash
# layers.sh: the layers hold (docs/architecture.md, "Layers").
#
# Derives two graphs of src/ and checks both:
#  - the include graph, from the #include "..." lines of src/ and include/;
#  - the call graph, from the built objects: the symbols each object file
#    uses (nm: U) resolved to the object that defines them (nm: T, D, B, R).
# It fails on any edge from a folder to a folder above it in the order
# below (a back-edge between folders), and on any cycle between the files
# of one folder (a header counts as its folder's: include/rahtisim/X.h as
# the folder that implements it, by the table in FOLDER_OF_HEADER).
#
# Usage: tests/layers.sh [BUILD_DIR]   (make check runs it in the build tree)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${RS_BUILD_DIR:-$PWD}}
[ -f "$build/librahtisim.a" ] || { echo "layers.sh: $build/librahtisim.a not built"; exit 1; }
command -v nm >/dev/null || { echo "layers.sh: nm (binutils) is needed"; exit 1; }
exec python3 - "$top" "$build" <<'PY'
import os, re, subprocess, sys
top, build = sys.argv[1], sys.argv[2]
# Bottom to top: a folder may use the folders before it, never those after.
ORDER = ['util', 'engine', 'scenario', 'world', 'net', 'sim', 'traffic', 'check',
         'report', 'plot', 'import', 'teach', 'sweep', 'export', 'cli', 'main']
# The public headers, by the folder that implements them.
HEADER = {'util': 'util', 'cleanup': 'util', 'spawn': 'util', 'engine': 'engine', 'rng': 'engine', 'outcome': 'scenario',
          'scenario': 'scenario', 'lb': 'scenario', 'world': 'world', 'router': 'world', 'policy': 'world',
          'dns': 'net', 'request': 'net', 'sim': 'sim', 'histogram': 'traffic',
          'traffic': 'traffic', 'expect': 'check', 'report': 'report', 'plot': 'plot',
          'teach': 'teach', 'import': 'import', 'sweep': 'sweep', 'export': 'export',
          'cli': 'cli'}
rank = {f: i for i, f in enumerate(ORDER)}
bad = []

def unit(path):
    """(folder, file stem) of a source path relative to top, or None."""
    p = path.split('/')
    if p[0] == 'src' and len(p) == 2:
        return ('main', 'main.c')
    if p[0] == 'src':
        return (p[1], p[2])
    if p[0] == 'include':
        stem = p[2][:-2]
        if stem not in HEADER:
            bad.append(f'{path}: no folder for this header in tests/layers.sh')
            return None
        return (HEADER[stem], 'rahtisim/' + p[2])
    return None

def folder_ok(a, b, what):
    if a[0] != b[0] and a[0] in rank and b[0] in rank and rank[b[0]] > rank[a[0]]:
        bad.append(f'back-edge {a[0]} -> {b[0]}: {what}')

def cycles(edges, what):
    """Reports each cycle among the nodes of one folder (Tarjan's SCCs)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    nodes = set(edges) | {v for vs in edges.values() for v in vs}
    def strong(v):
        index[v] = low[v] = n[0]; n[0] += 1
        stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            strong(v)
    for comp in out:
        bad.append(f'{what} cycle in src/{comp[0][0]}/: ' + ' <-> '.join(f[1] for f in comp))

# ---- the include graph
inc = {}
for root in ('src', 'include'):
    for d, _, files in os.walk(os.path.join(top, root)):
        for f in sorted(files):
            if not f.endswith(('.c', '.h')):
                continue
            rel = os.path.relpath(os.path.join(d, f), top)
            a = unit(rel)
            if a is None:
                continue
            with open(os.path.join(top, rel), encoding='utf-8', errors='replace') as fh:
                for line in fh:
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m or m.group(1) == 'config.h':
                        continue
                    t = m.group(1)
                    tp = 'include/' + t if t.startswith('rahtisim/') else 'src/' + t
                    if not os.path.exists(os.path.join(top, tp)):
                        tp = os.path.relpath(os.path.join(os.path.dirname(rel), t))
                    b = unit(tp)
                    if b is None or a == b:
                        continue
                    folder_ok(a, b, f'{rel} includes {t}')
                    if a[0] == b[0]:
                        inc.setdefault(a, set()).add(b)
cycles(inc, 'include')

# ---- the call graph of the built objects
objs = []
for d, _, files in os.walk(os.path.join(build, 'src')):
    objs += [os.path.join(d, f) for f in files if f.endswith('.o')]
defs, uses = {}, {}
for o in sorted(objs):
    rel = os.path.relpath(o, build)[:-2] + '.c'
    rel = rel if not rel.startswith('src/main') else 'src/main.c'
    if not os.path.exists(os.path.join(top, rel)):
        continue                # a stale object of a removed file
    a = unit(rel)
    out = subprocess.run(['nm', o], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBR':
            defs[p[2]] = a
        elif len(p) == 2 and p[0] == 'U':
            uses.setdefault(a, set()).add(p[1])
calls = {}
for a, syms in uses.items():
    for s in sorted(syms):
        b = defs.get(s)
        if b is None or b == a:
            continue
        folder_ok(a, b, f'{a[0]}/{a[1]} calls {s} ({b[0]}/{b[1]})')
        if a[0] == b[0]:
            calls.setdefault(a, set()).add(b)
cycles(calls, 'call')

for b in bad:
    print('layers.sh:', b)
print(f'layers.sh: {len(inc)} files with includes, {len(calls)} calling within their folder, '
      f'{len(objs)} objects: {len(bad)} problem(s)')
sys.exit(1 if bad else 0)
PY
