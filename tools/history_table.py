#!/usr/bin/env python3
"""The model's side of docs/HISTORY.md's table "The coarse run against the
record", by calendar year, from a run's output folder:

    corredor run scenarios/mexico-2012-2024.yaml --scale 100 -o out/hist100
    tools/history_table.py out/hist100

Prints one line per year: year, us_encounters, title42_expulsions, INM
handovers (inm_detentions + inm_alternatives + inm_exit_orders),
deportations_land, comar_applications, comar_backlog in December,
mpp_returned, cbp_one_entries, parole_arrivals, tvrh_issued, deaths,
crimes, crimes_by_officials.  Standard library only."""
import csv
import json
import os
import sys
from collections import defaultdict

COLS = ["us_encounters", "title42_expulsions", "handovers", "deportations_land", "comar_applications",
        "comar_backlog_dec", "mpp_returned", "cbp_one_entries", "parole_arrivals", "tvrh_issued", "deaths", "crimes",
        "crimes_by_officials"]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    out = argv[1]
    flows = defaultdict(float)  # (series, year) -> value
    backlog = defaultdict(float)  # year -> December backlog
    with open(os.path.join(out, "series.csv"), newline="") as f:
        for r in csv.DictReader(f):
            y = int(r["month"][:4])
            v = float(r["value"])
            flows[(r["series"], y)] += v
            if r["series"] == "comar_backlog" and r["month"].endswith("-12"):
                backlog[y] += v
    with open(os.path.join(out, "summary.json")) as f:
        years = sorted(int(y) for y in json.load(f)["by_year"])
    print("year," + ",".join(COLS))
    for y in years:
        row = {
            "handovers": flows[("inm_detentions", y)] + flows[("inm_alternatives", y)] + flows[("inm_exit_orders", y)],
            "comar_backlog_dec": backlog[y],
            "title42_expulsions": flows[("title42_expulsions", y)] + flows[("title42_expulsions_air", y)],
        }
        for c in COLS:
            row.setdefault(c, flows[(c, y)])
        print("%d,%s" % (y, ",".join("%.0f" % row[c] for c in COLS)))


if __name__ == "__main__":
    main(sys.argv)
