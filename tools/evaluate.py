#!/usr/bin/env python3
"""`make validate`: regenerate every evaluation figure of corredor from fresh
runs, and write them into docs/MODEL_CARD.md (section "Evaluation") and
docs/VALIDATION.md (section "Results: the calibrated historical scenario").

Steps (each a corredor command; outputs under --work, default out/evaluation):
  1. calibrate the historical scenario on the record up to 2024-11 (scale 100)
     -> scenarios/calibrated/mexico-2012-2024.yaml (+ -demand/ and .json)
  2. validate the scenario as written (prior values) and the calibrated one
     (scale 10), 2013-01..2024-11
  3. an ensemble of the calibrated scenario (40 runs, scale 100) drawing every
     fitted parameter inside its 90% interval: the share of observed months
     of southwest encounters inside the 5-95% band
  4. the five hindcast windows of issue 4 (horizon 6)
Takes about half an hour on the 2-core reference machine; the figures
depend only on the code, the data and the seeds (not on the threads).

usage: tools/evaluate.py [--bin build/corredor] [--work DIR] [--skip-calibrate]
                         [--skip-hindcast] [--threads T]
Standard library only."""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SCENARIO = "scenarios/mexico-2012-2024.yaml"
CALIBRATED = "scenarios/calibrated/mexico-2012-2024.yaml"
UNTIL = "2024-11"
WINDOWS = ["2019-06", "2020-04", "2023-05", "2024-01", "2024-06"]
WINDOW_NAMES = {
    "2019-06": "Mexico's enforcement surge after the tariff threat",
    "2020-04": "Title 42 and the pandemic",
    "2023-05": "end of Title 42",
    "2024-01": "after the December 2023 crackdown",
    "2024-06": "the June 2024 proclamation",
}
ENSEMBLE_RUNS = 40


def run(args, log):
    t = time.time()
    print("evaluate: " + " ".join(args), file=sys.stderr, flush=True)
    with open(log, "w") as f:
        r = subprocess.run(args, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.exit("evaluate: %s failed (exit %d); see %s" % (args[1], r.returncode, log))
    return time.time() - t


def splice(path, begin, end, new):
    with open(path) as f:
        text = f.read()
    i = text.index(begin) + len(begin)
    j = text.index(end, i)
    with open(path + ".tmp", "w") as f:
        f.write(text[:i] + "\n" + new + text[j:])
    os.replace(path + ".tmp", path)


def pct(x, digits=1):
    return ("%+." + str(digits) + "f%%") % (100 * x)


def fnum(x):
    return "{:,}".format(int(round(x)))


def ok(b):
    return "yes" if b else "**no**"


def band_coverage(bands_csv, calib):
    """Observed months of the calibration's fit period inside the 5-95% band
    of the monthly us_encounters total: (inside, months)."""
    band = {}
    with open(bands_csv) as f:
        for r in csv.DictReader(f):
            if r["series"] == "us_encounters" and r["place"] == "*":
                band[r["month"]] = (float(r["q05"]), float(r["q95"]))
    inside = n = 0
    for m in calib["fit"]["monthly"]:
        if m["month"] in band and m.get("observed") is not None:
            n += 1
            lo, hi = band[m["month"]]
            inside += lo <= m["observed"] <= hi
    return (inside, n)


def validation_table(prior, cal):
    t = cal["targets"]
    rows = [
        "| quantity | kind | scenario as written | calibrated | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
        "| monthly SW encounters, MAPE | fit | %.1f%% | %.1f%% | <= 25%% | %s |" % (
            100 * prior["fit"]["encounters_mape"], 100 * cal["fit"]["encounters_mape"],
            ok(t["encounters_mape"]["met"])),
        "| monthly SW encounters, correlation | fit | %.3f | %.3f | >= 0.9 | %s |" % (
            prior["fit"]["encounters_corr"], cal["fit"]["encounters_corr"], ok(t["encounters_corr"]["met"])),
        "| nine sectors, averaged relative difference | held out | %.3f | %.3f | <= 0.25 | %s |" % (
            prior["held_out"]["sector_ard"], cal["held_out"]["sector_ard"], ok(t["sector_ard"]["met"])),
        "| Title 42 share, mean absolute error | held out | %.3f | %.3f | | |" % (
            prior["held_out"]["title42_share_error"], cal["held_out"]["title42_share_error"]),
        "| facts inside tolerance | held out | %d of %d | %d of %d | >= 80%% | %s |" % (
            prior["facts_summary"]["passed"], prior["facts_summary"]["evaluated"],
            cal["facts_summary"]["passed"], cal["facts_summary"]["evaluated"], ok(t["facts_pass_share"]["met"])),
    ]
    out = "\n".join(rows) + "\n\n"
    out += "Sectors, calibrated scenario, 2013-01..2024-11 (encounters):\n\n"
    out += "| sector | model | record | error |\n| --- | --- | --- | --- |\n"
    for name, s in cal["held_out"]["sectors"].items():
        out += "| %s | %s | %s | %s |\n" % (name, fnum(s["sim"]), fnum(s["obs"]), pct(s["rel_error"], 0))
    out += "\nCOMAR applications by year, calibrated scenario:\n\n| year | model | record | error |\n| --- | --- | --- | --- |\n"
    for y, s in cal["held_out"]["comar_by_year"].items():
        out += "| %s | %s | %s | %s |\n" % (y, fnum(s["sim"]), fnum(s["obs"]), pct(s["rel_error"], 0))
    out += "\nFacts (`data/facts.csv`), calibrated scenario:\n\n| fact | model | record | accepted | pass |\n| --- | --- | --- | --- | --- |\n"
    for f in cal["facts"]:
        if f.get("simulated") is None:
            continue
        lo, hi = f.get("lower"), f.get("upper")
        tol = ("%.4g .. %.4g" % (lo, hi) if lo is not None and hi is not None else
               "> %.4g" % lo if lo is not None else "< %.4g" % hi if hi is not None else "")
        out += "| %s | %.4g | %.4g | %s | %s |\n" % (f["name"], f["simulated"], f["observed"], tol,
                                                  "yes" if f["pass"] else "no")
    return out


def calibration_table(c):
    f = c["fit"]
    out = ("Calibration (`corredor calibrate %s --until %s --scale %s`): %s evaluations, %s runs, %.0f s. "
           "Monthly SW encounters 2013-01..%s: MAPE %.1f%%, correlation %.3f at the prior values; "
           "%.1f%% / %.3f with the fitted parameters and the prior demand; %.1f%% / %.3f with the "
           "re-estimated demand.\n\n" % (
               SCENARIO, c["until"], fnum(c["scale"]), c["evaluations"], c["runs"], c["runtime_s"], c["until"],
               f["sw_mape_prior"], f["sw_corr_prior"], f["sw_mape_fitted_params_prior_demand"],
               f["sw_corr_fitted_params_prior_demand"], f["sw_mape"], f["sw_corr"]))
    out += "| parameter | prior | fitted | approx. 90% interval | note |\n| --- | --- | --- | --- | --- |\n"
    for p in c["parameters"]:
        if p["status"] != "fitted":
            continue
        ci = p.get("ci90") or ["", ""]
        out += "| %s | %.4g | %.4g | [%.4g, %.4g] | %s |\n" % (
            p["name"], p["prior"], p["value"], ci[0], ci[1],
            "" if p.get("identified") else "weakly identified")
    kept = [p["name"] for p in c["parameters"] if p["status"] != "fitted"]
    out += "\nKept at their values (no visible effect on the encounters, or fixed): %d parameters.\n" % len(kept)
    return out


def hindcast_table(hc):
    out = ("| window | policy | MAE model | MAE persistence | MAE seasonal naive | months inside 5-95% band | "
           "beats persistence |\n| --- | --- | --- | --- | --- | --- | --- |\n")
    wins = 0
    for w in WINDOWS:
        h = hc.get(w)
        if h is None:
            out += "| %s | %s | not run | | | | |\n" % (w, WINDOW_NAMES[w])
            continue
        beat = h["mae_model"] < h["mae_persistence"]
        wins += beat
        out += "| %s | %s | %s | %s | %s | %.0f%% | %s |\n" % (
            w, WINDOW_NAMES[w], fnum(h["mae_model"]), fnum(h["mae_persistence"]), fnum(h["mae_seasonal"]),
            100 * h["coverage_5_95"], "yes" if beat else "no")
    out += "\nThe model beats persistence in %d of %d windows (goal: at least 3 of 5).\n" % (wins, len(hc))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/corredor")
    ap.add_argument("--work", default="out/evaluation")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--skip-calibrate", action="store_true", help="use the committed calibrated scenario")
    ap.add_argument("--skip-hindcast", action="store_true", help="reuse the hindcast.json files in --work")
    a = ap.parse_args()
    work = os.path.join(ROOT, a.work)
    os.makedirs(work, exist_ok=True)
    times = {}
    if not a.skip_calibrate:
        times["calibrate"] = run([a.bin, "calibrate", SCENARIO, "--until", UNTIL, "--scale", "100", "--threads",
                                  a.threads, "--out", CALIBRATED, "-q"], os.path.join(work, "calibrate.log"))
    with open(os.path.join(ROOT, CALIBRATED.replace(".yaml", ".json"))) as f:
        calib = json.load(f)
    val = {}
    for key, scen in (("prior", SCENARIO), ("calibrated", CALIBRATED)):
        d = os.path.join(work, "validation-" + key)
        times["validate " + key] = run([a.bin, "validate", scen, "--scale", "10", "--threads", a.threads, "-o", d,
                                        "-q"], os.path.join(work, "validate-%s.log" % key))
        with open(os.path.join(d, "validation.json")) as f:
            val[key] = json.load(f)
    # the ensemble: every fitted parameter drawn inside its 90% interval
    db = os.path.join(work, "calibrated-ensemble.sqlite")
    for p in (db, db + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    vary = []
    for p in calib["parameters"]:
        if p["status"] == "fitted" and p.get("ci90"):
            vary += ["--vary", "%s=%.17g:%.17g" % (p["name"], p["ci90"][0], p["ci90"][1])]
    bands = os.path.join(work, "calibrated-bands.csv")
    times["ensemble"] = run([a.bin, "ensemble", CALIBRATED, "-n", str(ENSEMBLE_RUNS), "--scale", "100", "--threads",
                             a.threads, "--db", db, "--bands", bands, "--bands-totals", "-q"] + vary,
                            os.path.join(work, "ensemble.log"))
    cov = band_coverage(bands, calib)
    hc = {}
    for w in WINDOWS:
        d = os.path.join(work, "hindcast-" + w)
        if not a.skip_hindcast:
            times["hindcast " + w] = run([a.bin, "hindcast", SCENARIO, "--train-until", w, "--horizon", "6",
                                          "--threads", a.threads, "-o", d, "-q"],
                                         os.path.join(work, "hindcast-%s.log" % w))
        p = os.path.join(d, "hindcast.json")
        if os.path.exists(p):
            with open(p) as f:
                hc[w] = json.load(f)

    text = "### Calibration\n\n" + calibration_table(calib)
    text += "\n### Validation (`corredor validate`, scale 10, 2013-01..2024-11)\n\n"
    text += validation_table(val["prior"], val["calibrated"])
    if cov:
        text += ("\n### Uncertainty\n\nAn ensemble of %d runs of the calibrated scenario (scale 100), each fitted "
                 "parameter drawn uniformly inside its approximate 90%% interval: %d of %d observed months of "
                 "southwest encounters (%.0f%%) fall inside the 5-95%% band of the monthly total.\n"
                 % (ENSEMBLE_RUNS, cov[0], cov[1], 100.0 * cov[0] / max(cov[1], 1)))
    text += "\n### Hindcasts (`corredor hindcast --horizon 6`, monthly southwest encounters)\n\n" + hindcast_table(hc)
    text += "\nRegenerated by `make validate` (tools/evaluate.py) with corredor %s; step times on the machine " \
            "that ran it: %s.\n" % (val["calibrated"]["run"]["corredor_version"],
                                    ", ".join("%s %.0f s" % (k, v) for k, v in times.items()) or "n/a")
    splice(os.path.join(ROOT, "docs/MODEL_CARD.md"), "<!-- evaluation:begin -->", "<!-- evaluation:end -->", text)
    splice(os.path.join(ROOT, "docs/VALIDATION.md"), "<!-- calibrated:begin -->", "<!-- calibrated:end -->", text)
    with open(os.path.join(work, "evaluation.json"), "w") as f:
        json.dump({"calibration": {k: calib[k] for k in ("until", "scale", "evaluations", "runtime_s", "fit")},
                   "validation": {k: v["targets"] for k, v in val.items()},
                   "band_coverage": cov, "hindcasts": {w: {k: h.get(k) for k in (
                       "mae_model", "mae_persistence", "mae_seasonal", "coverage_5_95")} for w, h in hc.items()},
                   "step_seconds": times}, f, indent=1)
    print("evaluate: docs/MODEL_CARD.md and docs/VALIDATION.md updated; %s" % os.path.join(a.work, "evaluation.json"))


if __name__ == "__main__":
    main()
