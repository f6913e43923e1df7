#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a short benchmark run against the floors recorded in the repository.

    tools/bench-floor.py RESULTS_DIR FLOORS

RESULTS_DIR is what tools/bench wrote (results.csv); FLOORS is tests/bench/floors.tsv: one line
per row, "group<TAB>operation<TAB>against<TAB>floor", where against is ramfs or tmpfs and floor
the lowest bs2ramfs/against ratio allowed (computed as tools/bench-report.py computes its
ratios). Prints one line per row; fails if a row is below its floor, if a row of the floors did
not run, or if the run has a row without a floor (a new row needs one). Standard library only.
"""

import importlib.util
import os
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    results, floors_path = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("bench_report", os.path.join(here, "bench-report.py"))
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    data, _ = report.load(os.path.join(results, "results.csv"))
    measured = {}
    for (group, op, entries, unit), fss in data.items():
        if entries:
            continue
        for other in (report.RAMFS, report.TMPFS):
            s = report.ratio_summary(unit, fss, other)
            if s is not None:
                measured[(group, op, other)] = s[0]
    bad = 0
    seen = set()
    with open(floors_path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            try:
                group, op, other, floor = line.split("\t")
                floor = float(floor)
            except ValueError:
                print(f"FAIL {floors_path}:{n}: not group<TAB>operation<TAB>against<TAB>floor")
                bad += 1
                continue
            key = (group, op, other)
            seen.add((group, op))
            if key not in measured:
                print(f"FAIL {group}: {op}: not measured against {other} in this run")
                bad += 1
            elif measured[key] < floor:
                print(f"FAIL {group}: {op}: {measured[key]:.3f} x {other}, below the floor {floor:.3f}")
                bad += 1
            else:
                print(f"ok   {group}: {op}: {measured[key]:.3f} x {other} (floor {floor:.3f})")
    for group, op, _ in sorted(measured):
        if (group, op) not in seen:
            print(f"FAIL {group}: {op}: measured, but no floor in {floors_path}")
            seen.add((group, op))
            bad += 1
    print(f"bench-floor: {bad} row(s) failed" if bad else "bench-floor: every row at or above its floor")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
