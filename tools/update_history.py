#!/usr/bin/env python3
"""Regenerate the model's figures in docs/HISTORY.md from fresh runs:
the model columns of "The coarse run against the record" (record columns
are kept), the totals line, the counterfactual table and the sensitivity
table.  Needs a built binary (default build/corredor).  Takes ~1 minute.

usage: tools/update_history.py [--bin build/corredor] [--work DIR]
Standard library only."""
import argparse
import csv
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOOLS = os.path.join(ROOT, "tools")
WHATIFS = ["no-mpp", "no-title42", "comar-budget-tripled", "no-national-guard", "visas-kept-open",
           "us-parole-doubled"]
SEED = "20121001"
SCALE = "100"


def run(args):
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.PIPE)


def out(args):
    return subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True).stdout


def fmt(v):
    return "{:,}".format(int(round(float(v))))


def splice(text, start_marker, end_marker, new):
    i = text.index(start_marker)
    j = text.index(end_marker, i)
    return text[:i] + new + text[j:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/corredor")
    ap.add_argument("--work", default="out/history-docs")
    a = ap.parse_args()
    work = os.path.join(ROOT, a.work)
    base = os.path.join(work, "base")
    run([a.bin, "run", "scenarios/mexico-2012-2024.yaml", "--scale", SCALE, "--seed", SEED, "-o", base, "-q"])
    for w in WHATIFS:
        run([a.bin, "run", "scenarios/what-if/%s.yaml" % w, "--scale", SCALE, "--seed", SEED, "-o",
             os.path.join(work, w), "-q"])
    sens = os.path.join(work, "sens.csv")
    run([a.bin, "sensitivity", "scenarios/mexico-2012-2024.yaml", "--scale", SCALE, "--threads", "2", "-q", "-o",
         sens])
    model = {int(r["year"]): r for r in csv.DictReader(
        out([sys.executable, os.path.join(TOOLS, "history_table.py"), base]).splitlines())}
    whatif = out([sys.executable, os.path.join(TOOLS, "whatif_table.py"), base] +
                 [os.path.join(work, w) for w in WHATIFS])
    sensitivity = out([sys.executable, os.path.join(TOOLS, "sensitivity_table.py"), sens])

    path = os.path.join(ROOT, "docs", "HISTORY.md")
    with open(path) as f:
        text = f.read()
    # the run against the record: model parts of each cell
    start = text.index("| year | USBP encounters model / record")
    end = text.index("\n\n", start)
    lines = text[start:end].split("\n")
    cols = ["us_encounters", "title42_expulsions", "handovers", "deportations_land", "comar_applications",
            "comar_backlog_dec", "mpp_returned", "cbp_one_entries", "parole_arrivals", "tvrh_issued", "deaths", None]
    rows = lines[:2]
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        r = model[int(cells[0])]
        for i, key in enumerate(cols, start=1):
            if key is None:
                cells[i] = "%s (%s)" % (fmt(r["crimes"]), fmt(r["crimes_by_officials"]))
            elif " / " in cells[i]:
                cells[i] = "%s / %s" % (fmt(r[key]), cells[i].split(" / ", 1)[1])
            else:
                cells[i] = fmt(r[key])
        rows.append("| " + " | ".join(cells) + " |")
    text = text[:start] + "\n".join(rows) + text[end:]
    import json
    with open(os.path.join(base, "summary.json")) as f:
        totals = json.load(f)["totals"]
    keys = ["us_encounters", "title42_expulsions", "mpp_returned", "mpp_stranded_peak", "cbp_one_entries",
            "parole_arrivals", "inm_detentions", "deportations_land", "deportations_air", "comar_applications",
            "comar_backlog_end", "tvrh_issued", "refoulements", "crimes", "crimes_by_officials", "deaths",
            "closure_cost_usd"]
    line = "Totals, October 2012 – December 2024 (model, people): " + "; ".join(
        "%s %s" % (k, fmt(totals[k])) for k in keys) + "."
    text = splice(text, "Totals, October 2012 – December 2024 (model, people):", "\n\n", line)
    text = splice(text, "| what-if | us_encounters |", "\n\nWhat they say", whatif.rstrip("\n"))
    i = text.index("| parameter | end (value) | us_encounters |")
    j = text.index("\n", text.index("Parameters that move no listed headline", i)) + 1
    text = text[:i] + sensitivity + text[j:]
    with open(path, "w") as f:
        f.write(text)
    print("docs/HISTORY.md updated from", work)


if __name__ == "__main__":
    main()
