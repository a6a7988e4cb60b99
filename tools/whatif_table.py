#!/usr/bin/env python3
"""docs/HISTORY.md's counterfactual table: B - A (and %) of selected
headline totals, from run folders (same seed and scale):

    corredor run scenarios/mexico-2012-2024.yaml --scale 100 -o out/base
    corredor run scenarios/what-if/no-mpp.yaml --scale 100 --seed <base seed> -o out/no-mpp ...
    tools/whatif_table.py out/base out/no-mpp out/no-title42 ...

Standard library only."""
import json
import os
import sys

KEYS = ["us_encounters", "title42_expulsions", "mpp_returned", "inm_detentions", "deportations_land",
        "comar_applications", "comar_backlog_end", "tvrh_issued", "refoulements", "parole_arrivals", "crimes", "deaths"]


def totals(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)["totals"]


def cell(a, b):
    d = b - a
    if abs(d) < 50:
        return "0"
    if a == 0:
        return "%+,.0f" % d
    return "%s (%+.1f%%)" % (format(round(d, -2), "+,.0f"), 100.0 * d / abs(a))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    base = totals(argv[1])
    print("| what-if | " + " | ".join(KEYS) + " |")
    print("| --- | " + " | ".join("---" for _ in KEYS) + " |")
    for d in argv[2:]:
        t = totals(d)
        print("| %s | %s |" % (os.path.basename(os.path.normpath(d)),
                               " | ".join(cell(base.get(k, 0), t.get(k, 0)) for k in KEYS)))


if __name__ == "__main__":
    main(sys.argv)
