#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# tools/insn-profile: per-function instruction counts of two recorded calls, and their difference.
#   hist.py PCS.json SYMS.txt A B [ROWS]
import bisect, collections, json, re, sys

pcs = json.load(open(sys.argv[1]))
addrs, names = [], []
for line in open(sys.argv[2]):
    a, _, n = line.split()[:3]
    addrs.append(int(a, 16))
    names.append(n)


def sym(pc):
    n = names[bisect.bisect_right(addrs, pc) - 1]
    if n.startswith("_R"):
        parts = [x for x in re.findall(r"\d+([A-Za-z_][A-Za-z0-9_]*)", n) if len(x) > 2]
        return "R:" + "::".join(parts)[-90:]
    return n


a, b = int(sys.argv[3]), int(sys.argv[4])
rows = int(sys.argv[5]) if len(sys.argv) > 5 else 30
ha = collections.Counter(sym(p) for p in pcs[a])
hb = collections.Counter(sym(p) for p in pcs[b])
print(f"call {a}: {len(pcs[a])} instructions, call {b}: {len(pcs[b])} ({len(pcs[b]) - len(pcs[a]):+d})")
for k in sorted(set(ha) | set(hb), key=lambda k: -abs(hb[k] - ha[k]))[:rows]:
    if hb[k] != ha[k]:
        print(f"{ha[k]:7d} {hb[k]:7d} {hb[k] - ha[k]:+7d}  {k}")
