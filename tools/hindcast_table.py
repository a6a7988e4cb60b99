#!/usr/bin/env python3
"""Print the table of the five policy-window hindcasts (docs/VALIDATION.md,
"Hindcasts") from their hindcast.json files, running `corredor hindcast` first
for the windows whose file is missing (or all of them with --rerun).

    tools/hindcast_table.py                      # read out/hindcast-<window>/hindcast.json, run missing ones
    tools/hindcast_table.py --no-run             # only read; missing windows are listed as such
    tools/hindcast_table.py --rerun --threads 2  # run all five again
    tools/hindcast_table.py --markdown           # the Markdown tables of docs/VALIDATION.md

Standard library only.  Exit status: 0 when every window has a hindcast.json,
1 otherwise (a run failed or a file is missing with --no-run).
"""
import argparse
import json
import os
import subprocess
import sys

WINDOWS = [
    ("2019-06", "Mexico's enforcement surge after the tariff threat"),
    ("2020-04", "Title 42 and the pandemic"),
    ("2023-05", "end of Title 42"),
    ("2024-01", "after the December 2023 crackdown"),
    ("2024-06", "the June 2024 proclamation"),
]


def fmt_n(v):
    return "n/a" if v is None else f"{v:,.0f}"


def fmt_p(v):
    return "n/a" if v is None else f"{100 * v:.1f}%"


def run_window(args, window, out):
    cmd = [args.binary, "hindcast", args.scenario, "--train-until", window, "--horizon", str(args.horizon),
           "--scale", str(args.scale), "--threads", str(args.threads), "--runs", str(args.runs), "-o", out, "-q"]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    print("running: " + " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="out", help="folder holding hindcast-<window>/ (default out)")
    ap.add_argument("--binary", default=os.environ.get("CORREDOR", "build/corredor"),
                    help="corredor binary (default $CORREDOR or build/corredor)")
    ap.add_argument("--scenario", default="scenarios/mexico-2012-2024.yaml")
    ap.add_argument("--horizon", type=int, default=6)
    ap.add_argument("--scale", type=float, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-run", action="store_true", help="never run corredor")
    ap.add_argument("--rerun", action="store_true", help="run every window again")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = ap.parse_args()

    results, ok = [], True
    for window, label in WINDOWS:
        out = os.path.join(args.dir, "hindcast-" + window)
        path = os.path.join(out, "hindcast.json")
        if not args.no_run and (args.rerun or not os.path.exists(path)):
            if run_window(args, window, out) != 0:
                print(f"hindcast {window}: corredor failed", file=sys.stderr)
        if not os.path.exists(path):
            ok = False
            results.append((window, label, None))
            continue
        with open(path) as f:
            results.append((window, label, json.load(f)))

    beat = sum(1 for _, _, j in results if j and j.get("beats_persistence"))
    have = sum(1 for _, _, j in results if j)
    if args.markdown:
        print("| window | train until | months | MAE model | MAE persistence | MAE seasonal | MAPE model | "
              "MAPE persistence | MAPE seasonal | in 5-95% band | beats persistence | runtime |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for window, label, j in results:
            if not j:
                print(f"| {label} | {window} | | missing | | | | | | | | |")
                continue
            m = j["monthly"]["month"]
            print(f"| {label} | {window} | {m[0]}..{m[-1]} | {fmt_n(j['mae_model'])} | {fmt_n(j['mae_persistence'])} | "
                  f"{fmt_n(j['mae_seasonal'])} | {fmt_p(j['mape_model'])} | {fmt_p(j['mape_persistence'])} | "
                  f"{fmt_p(j['mape_seasonal'])} | {fmt_p(j['coverage_5_95'])} | "
                  f"{'yes' if j['beats_persistence'] else 'no'} | {j['runtime_s']['total']:.0f} s |")
        print()
        for window, label, j in results:
            if not j:
                continue
            mo = j["monthly"]
            print(f"**{window}** ({label}), monthly southwest encounters:\n")
            print("| month | observed | model median | 5% | 95% | persistence | seasonal naive |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for i, mm in enumerate(mo["month"]):
                print(f"| {mm} | {fmt_n(mo['observed'][i])} | {fmt_n(mo['model_median'][i])} | "
                      f"{fmt_n(mo['model_p5'][i])} | {fmt_n(mo['model_p95'][i])} | {fmt_n(mo['persistence'][i])} | "
                      f"{fmt_n(mo['seasonal'][i])} |")
            print()
    else:
        print(f"{'window':8} {'MAE model':>10} {'persist.':>10} {'seasonal':>10} {'MAPE mod':>9} {'persist.':>9} "
              f"{'seasonal':>9} {'band':>7} {'beats':>6} {'time':>6}")
        for window, label, j in results:
            if not j:
                print(f"{window:8} missing")
                continue
            print(f"{window:8} {fmt_n(j['mae_model']):>10} {fmt_n(j['mae_persistence']):>10} "
                  f"{fmt_n(j['mae_seasonal']):>10} {fmt_p(j['mape_model']):>9} {fmt_p(j['mape_persistence']):>9} "
                  f"{fmt_p(j['mape_seasonal']):>9} {fmt_p(j['coverage_5_95']):>7} "
                  f"{'yes' if j['beats_persistence'] else 'no':>6} {j['runtime_s']['total']:>5.0f}s")
    print(f"\nmodel beats persistence in {beat} of {have} windows (goal: at least 3 of 5)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
