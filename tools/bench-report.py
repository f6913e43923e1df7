#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw numbers of tools/bench into RESULTS_DIR/table.md and RESULTS_DIR/scaling.svg.

    tools/bench-report.py RESULTS_DIR

Reads RESULTS_DIR/results.csv (one row per batch, written by tests/bench in the guest),
guest-info.txt and host-info.txt. Standard library only.

Method: each operation runs, in every repetition, several short batches on every fs,
alternating between the fs batch by batch. A repetition's value for a fs is its best batch
(lowest time, highest throughput): on a shared TCG host the noise is time stolen from the
guest, so it only ever adds. The table gives, per fs, the median of those values over the
repetitions and their range; a ratio is the median of the per-repetition ratios (the fs of a
repetition ran side by side, so the ratio cancels the host's slow phases) and their range.
"""

import csv
import html
import math
import os
import statistics
import sys
from collections import defaultdict

BS2, RAMFS, TMPFS = "bs2ramfs", "ramfs", "tmpfs"
COLOURS = {BS2: "#d62728", RAMFS: "#1f77b4", TMPFS: "#2ca02c"}
FLAG = 0.98
LOWER_IS_BETTER = {"ns/op", "ns/entry", "B/file"}


def load(path):
    """{(group, op, entries, unit): {fs: {rep: [values of its batches]}}} in file order, and
    {(group, op, entries, unit): a batch's (count, bytes)}."""
    data, batch = {}, {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["group"], r["op"], int(r["entries"]), r["unit"])
            data.setdefault(key, defaultdict(lambda: defaultdict(list)))
            data[key][r["fs"]][int(r["rep"])].append(float(r["value"]))
            batch.setdefault(key, (int(r["count"]), int(r["bytes"])))
    return data, batch


def fmt_batch(unit, count_bytes):
    count, nbytes = count_bytes
    if unit == "MiB/s":
        big = nbytes >= 2**20
        v = nbytes / (2**20 if big else 1024)
        return (f"{v:.0f}" if v == int(v) else f"{v:.3g}") + (" MiB" if big else " KiB")
    return f"{count} entries" if unit == "ns/entry" else f"{count} ops"


def best(unit, values):
    return min(values) if unit in LOWER_IS_BETTER else max(values)


def per_rep(unit, reps):
    """{rep: the repetition's value}: its best batch."""
    return {rep: best(unit, v) for rep, v in reps.items()}


def speedup(unit, bs2, other):
    """bs2ramfs's throughput relative to `other`: > 1 means bs2ramfs is faster."""
    if unit in LOWER_IS_BETTER:
        return other / bs2 if bs2 > 0 else math.nan
    return bs2 / other if other > 0 else math.nan


def summary(values):
    """(median, min, max) of a list, or None."""
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt_num(x, unit):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if unit == "ns/op":
        return f"{x / 1000:.2f}"
    if unit == "B/file":
        return f"{x:.0f}"
    if unit == "ns/entry" or x >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}"


def fmt_cell(s, unit):
    if s is None:
        return "–"
    med, lo, hi = s
    return f"{fmt_num(med, unit)} ({fmt_num(lo, unit)}–{fmt_num(hi, unit)})"


def fmt_ratio(s):
    if s is None:
        return "–"
    med, lo, hi = s
    return f"{med:.3f} ({lo:.2f}–{hi:.2f})"


def shown_unit(unit):
    return "µs/op" if unit == "ns/op" else unit


def ratio_summary(unit, fss, other):
    """Per-repetition ratios bs2ramfs vs `other` over the repetitions both have."""
    if BS2 not in fss or other not in fss:
        return None
    a, b = per_rep(unit, fss[BS2]), per_rep(unit, fss[other])
    return summary([speedup(unit, a[r], b[r]) for r in sorted(a) if r in b])


def flag(s):
    if s is None or s[0] >= FLAG:
        return ""
    return "**< 0.98 ×**" + (" (every rep < 1)" if s[2] < 1 else " (range includes 1)")


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def op_table(out, data, batch, fs_list, groups):
    keys = [k for k in data if k[0] in groups]
    if not keys:
        out.append("Not measured in this run.")
        return []
    out.append("| group | operation | batch | unit | " + " | ".join(fs_list)
               + " | bs2ramfs/ramfs | bs2ramfs/tmpfs | flag |")
    out.append("| --- | --- | --- | --- |" + " --- |" * len(fs_list) + " --- | --- | --- |")
    flagged = []
    for key in keys:
        (group, op, entries, unit), fss = key, data[key]
        name = op if not entries else f"{op} ({entries} entries)"
        cells = [fmt_cell(summary(list(per_rep(unit, fss[fs]).values())) if fs in fss else None,
                          unit) for fs in fs_list]
        r_ramfs = ratio_summary(unit, fss, RAMFS)
        r_tmpfs = ratio_summary(unit, fss, TMPFS)
        f = flag(r_ramfs)
        if f:
            flagged.append((group, name, r_ramfs))
        out.append(f"| {group} | {name} | {fmt_batch(unit, batch[key])} | {shown_unit(unit)} | "
                   + " | ".join(cells)
                   + f" | {fmt_ratio(r_ramfs)} | {fmt_ratio(r_tmpfs)} | {f} |")
    return flagged


def memory_table(out, data, fs_list):
    rows = {k[1]: v for k, v in data.items() if k[0] == "memory"}
    if not rows:
        out.append("Not measured in this run.")
        return
    out.append("| per new name | " + " | ".join(f"{fs} (B)" for fs in fs_list)
               + " | bs2ramfs − ramfs | bs2ramfs − tmpfs |")
    out.append("| --- |" + " --- |" * len(fs_list) + " --- | --- |")

    def med(op, fs):
        fss = rows.get(op)
        if not fss or fs not in fss:
            return None
        return summary(list(per_rep("B/file", fss[fs]).values()))

    def line(label, cells, meds):
        def diff(other):
            if meds.get(BS2) is not None and meds.get(other) is not None:
                return f"{meds[BS2] - meds[other]:+.0f}"
            return "–"
        out.append(f"| {label} | " + " | ".join(cells) + f" | {diff(RAMFS)} | {diff(TMPFS)} |")

    for op in rows:
        s = {fs: med(op, fs) for fs in fs_list}
        line(op, [fmt_cell(s[fs], "B/file") for fs in fs_list],
             {fs: v[0] for fs, v in s.items() if v})
    # Derived: what an inode alone costs (an empty file is an inode and a dentry, a hard link
    # a dentry alone), and what the page of a 4 KiB file costs.
    for label, a, b in (("≈ inode alone: empty file − hard link (Slab)",
                         "empty file: Slab", "hard link: Slab"),
                        ("≈ data of a 4 KiB file: 4 KiB file − empty file (MemFree drop)",
                         "4 KiB file: MemFree drop", "empty file: MemFree drop")):
        meds = {}
        for fs in fs_list:
            x, y = med(a, fs), med(b, fs)
            if x and y:
                meds[fs] = x[0] - y[0]
        if meds:
            line(f"*{label}*", [f"{meds[fs]:.0f}" if fs in meds else "–" for fs in fs_list], meds)


def scaling(data, fs_list):
    """{op: {fs: [(entries, (median, min, max))]}} of the per-entry/per-op scaling costs."""
    curves = {}
    for (group, op, entries, unit), fss in data.items():
        if group != "scaling":
            continue
        for fs in fs_list:
            if fs in fss:
                s = summary(list(per_rep(unit, fss[fs]).values()))
                curves.setdefault((op, unit), {}).setdefault(fs, []).append((entries, s))
    return curves


def scaling_table(out, curves, fs_list):
    out.append("| operation | " + " | ".join(f"{fs}: largest/smallest" for fs in fs_list) + " |")
    out.append("| --- |" + " --- |" * len(fs_list))
    for (op, unit), per_fs in curves.items():
        cells = []
        for fs in fs_list:
            pts = sorted(per_fs.get(fs, []))
            if len(pts) < 2:
                cells.append("–")
                continue
            (n0, s0), (n1, s1) = pts[0], pts[-1]
            cells.append(f"{s1[0] / s0[0]:.2f} ({n0} → {n1})")
        out.append(f"| {op} ({shown_unit(unit)}) | " + " | ".join(cells) + " |")


def svg_plot(path, curves, fs_list):
    """One panel per operation, per-op (or per-entry) cost against entries, log x."""
    panels = list(curves.items())
    if not panels:
        return
    cols = 2
    rows = math.ceil(len(panels) / cols)
    pw, ph = 440, 300
    ml, mr, mt, mb = 70, 20, 40, 50
    width, height = cols * pw, rows * ph + 70
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15">'
         'Cost per operation as a folder grows (median over repetitions, bars: range; '
         'QEMU TCG guest)</text>']
    all_n = sorted({n for _, per_fs in panels for pts in per_fs.values() for n, _ in pts})
    lx0, lx1 = math.log10(min(all_n)), math.log10(max(all_n))
    if lx1 == lx0:
        lx0, lx1 = lx0 - 0.5, lx1 + 0.5
    for i, ((op, unit), per_fs) in enumerate(panels):
        ox, oy = (i % cols) * pw, 30 + (i // cols) * ph
        x0, x1, y0, y1 = ox + ml, ox + pw - mr, oy + ph - mb, oy + mt
        top = max(st[2] for pts in per_fs.values() for _, st in pts) * 1.1 or 1
        scale = 1000 if unit == "ns/op" else 1
        label = shown_unit(unit)
        # A round step for the y axis.
        raw = top / scale / 5
        mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
        step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw) * scale

        def X(n):
            return x0 + (math.log10(n) - lx0) / (lx1 - lx0) * (x1 - x0)

        def Y(v):
            return y0 - v / top * (y0 - y1)
        s.append(f'<text x="{(x0 + x1) / 2}" y="{oy + 22}" text-anchor="middle" '
                 f'font-weight="bold">{html.escape(op)} ({label})</text>')
        v = 0.0
        while v <= top:
            s.append(f'<line x1="{x0}" y1="{Y(v):.1f}" x2="{x1}" y2="{Y(v):.1f}" stroke="#ddd"/>')
            s.append(f'<text x="{x0 - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">'
                     f'{v / scale:g}</text>')
            v += step
        for n in all_n:
            s.append(f'<line x1="{X(n):.1f}" y1="{y0}" x2="{X(n):.1f}" y2="{y1}" stroke="#eee"/>')
            s.append(f'<text x="{X(n):.1f}" y="{y0 + 16}" text-anchor="middle">{n:,}</text>')
        s.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="black"/>')
        s.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="black"/>')
        s.append(f'<text x="{(x0 + x1) / 2}" y="{y0 + 34}" text-anchor="middle">'
                 'entries in the folder (log scale)</text>')
        s.append(f'<text transform="translate({ox + 16},{(y0 + y1) / 2}) rotate(-90)" '
                 f'text-anchor="middle">{label}</text>')
        for j, fs in enumerate(f for f in fs_list if f in per_fs):
            pts = sorted(per_fs[fs])
            c = COLOURS.get(fs, "#555")
            dx = (j - 1) * 4  # keep the range bars apart
            s.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="'
                     + " ".join(f"{X(n) + dx:.1f},{Y(st[0]):.1f}" for n, st in pts) + '"/>')
            for n, (med, lo, hi) in pts:
                s.append(f'<line x1="{X(n) + dx:.1f}" y1="{Y(lo):.1f}" x2="{X(n) + dx:.1f}" '
                         f'y2="{Y(hi):.1f}" stroke="{c}" stroke-width="1"/>')
                s.append(f'<circle cx="{X(n) + dx:.1f}" cy="{Y(med):.1f}" r="3.5" fill="{c}">'
                         f'<title>{fs}, {n} entries: {med:.0f} {unit}</title></circle>')
    ly = height - 22
    for j, fs in enumerate(fs_list):
        lx = width / 2 - 150 + j * 110
        s.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" '
                 f'stroke="{COLOURS.get(fs, "#555")}" stroke-width="3"/>')
        s.append(f'<text x="{lx + 30}" y="{ly + 4}">{html.escape(fs)}</text>')
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tools/bench-report.py RESULTS_DIR")
    res = sys.argv[1]
    data, batch = load(os.path.join(res, "results.csv"))
    fs_seen = {fs for fss in data.values() for fs in fss}
    fs_list = [fs for fs in (BS2, RAMFS, TMPFS) if fs in fs_seen] + sorted(
        fs_seen - {BS2, RAMFS, TMPFS})
    reps = max((r for fss in data.values() for v in fss.values() for r in v), default=0)

    out = ["# bs2ramfs benchmark: bs2ramfs, C ramfs and tmpfs", ""]
    out.append("**The guest runs under QEMU TCG (emulated CPU, no KVM) on a shared 2-core host, "
               "so absolute numbers mean little: compare the fs within this run (the ratios), "
               "not with other machines or runs.**")
    out.append("")
    out.append(f"Method: {reps} repetitions; in each, every operation runs several short batches "
               "per fs, alternating between the fs batch by batch in a rotating order. A "
               "repetition's value is the fs's best batch (host noise only ever adds time). "
               "Cells: median over the repetitions (min–max). Ratios are throughput ratios "
               "(> 1: bs2ramfs faster; for times, the other fs's time over bs2ramfs's), the "
               "median of the per-repetition ratios (min–max). Rows where bs2ramfs is below "
               f"{FLAG} × ramfs are flagged. Raw numbers (every batch): `results.csv`.")
    out.append("")
    for name in ("host-info.txt", "guest-info.txt"):
        text = read(os.path.join(res, name))
        if text:
            out.append("```")
            out.extend(line for line in text.splitlines() if not line.startswith("batch: "))
            out.append("```")
            out.append("")

    out.append("## Metadata and data operations")
    out.append("")
    flagged = op_table(out, data, batch, fs_list, ("metadata", "data"))
    out.append("")
    out.append("## Scaling: cost per operation as a folder grows")
    out.append("")
    out.append("Each size: the folder holds that many empty files; `create` and `unlink` add "
               "and remove further names, `lookup` stats existing names spread over the "
               "folder, `readdir` reads all of it (cost per entry). Plot: `scaling.svg`.")
    out.append("")
    flagged += op_table(out, data, batch, fs_list, ("scaling",))
    out.append("")
    curves = scaling(data, fs_list)
    if curves:
        out.append("Flatness (median cost at the largest size over the smallest; 1.00 is flat):")
        out.append("")
        scaling_table(out, curves, fs_list)
        out.append("")
    out.append("## Memory per file")
    out.append("")
    out.append("Deltas of /proc/meminfo (and of /proc/slabinfo's caches if the kernel has it) "
               "around making N new names in a new folder (empty files, files of 4 KiB, hard "
               "links to one file), divided by N, after a pause for RCU-deferred frees. An "
               "empty file costs an inode and a dentry (for tmpfs also an entry of the folder's "
               "offset map), a hard link a dentry (and that entry); MemFree's drop includes "
               "everything (page tables, per-CPU lists), so it is the noisiest.")
    out.append("")
    memory_table(out, data, fs_list)
    out.append("")
    out.append(f"## Rows where bs2ramfs is below {FLAG} × ramfs")
    out.append("")
    if flagged:
        for group, name, r in flagged:
            out.append(f"- {group}: {name}: {fmt_ratio(r)}")
    else:
        out.append("None.")
    out.append("")
    with open(os.path.join(res, "table.md"), "w") as f:
        f.write("\n".join(out))
    svg_plot(os.path.join(res, "scaling.svg"), curves, fs_list)


if __name__ == "__main__":
    main()
