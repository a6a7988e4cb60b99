#!/usr/bin/env python3
"""Markdown table of a `corredor sensitivity -o FILE.csv` run: for each
parameter end, the change of selected headlines against the base run;
parameters that move no selected headline by at least --min percent are
listed after the table.  Standard library only.

usage: tools/sensitivity_table.py FILE.csv [--min 1.0]
"""
import csv
import sys

KEYS = ["us_encounters", "title42_expulsions", "inm_detentions", "deportations_land", "comar_applications",
        "comar_backlog_end", "refoulements", "crimes", "deaths", "mpp_returned"]


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    path, least = argv[1], 1.0
    if len(argv) == 4 and argv[2] == "--min":
        least = float(argv[3])
    rows = {}
    order = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            k = (r["parameter"], r["end"], r["value"])
            if k not in rows:
                rows[k] = {}
                order.append(k)
            rows[k][r["key"]] = r["change_pct"]
    print("| parameter | end (value) | " + " | ".join(KEYS) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in KEYS) + " |")
    quiet = []
    for name in dict.fromkeys(p for p, _, _ in order):
        ends = [k for k in order if k[0] == name]
        moves = any(abs(float(rows[k].get(key) or 0)) >= least for k in ends for key in KEYS)
        if not moves:
            quiet.append(name)
            continue
        for k in ends:
            cells = []
            for key in KEYS:
                v = rows[k].get(key, "")
                cells.append("n/a" if v == "" else "%+.1f%%" % float(v))
            print("| `%s` | %s (%.6g) | %s |" % (name, k[1], float(k[2]), " | ".join(cells)))
    if quiet:
        print("\nParameters that move no listed headline by %g%% or more at either end: %s." %
              (least, ", ".join("`%s`" % q for q in quiet)))


if __name__ == "__main__":
    main(sys.argv)
