#!/usr/bin/env python3
"""HBASE-25274 over many seeds: runs the false-suspicion scenarios seed by seed and tabulates, per
scenario, in how many seeds the expelled site alone held edits when it was fenced, and in how many
ops were lost. The table in docs/FALSE-SUSPICION.md comes from:

    python3 analysis/false_suspicion_table.py --seeds 1..200

Each run is `treedoc-sim run SCENARIO --seed N --quiet --out DIR`; the numbers come from its
summary.json (membership.held_alone_when_fenced, the violation's ops)."""

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from seed_runs import ROOT, run_seed, seed_range, violated, violation_ops_lost

SCENARIOS = ["scenarios/hbase-25274-abort.json", "scenarios/hbase-25274-demote.json",
             "scenarios/hbase-25274-retry.json"]


def run_one(binary, scenario, seed, scratch):
    code, _, summary = run_seed(binary, scenario, seed, scratch)
    membership = summary.get("membership", {})
    return {"seed": seed, "exit": code, "held_alone": membership.get("held_alone_when_fenced", 0),
            "expelled": membership.get("expulsions", 0), "lost": violation_ops_lost(summary),
            "invariant": violated(summary)}


def tabulate(scenario, runs):
    held = [r for r in runs if r["held_alone"] > 0]
    lost = [r for r in runs if r["lost"] > 0]
    return {
        "scenario": scenario,
        "seeds": len(runs),
        "expelled": sum(1 for r in runs if r["expelled"] > 0),
        "held_alone": len(held),
        "lost": len(lost),
        "lost_when_held": sum(1 for r in held if r["lost"] > 0),
        "lost_ops": sum(r["lost"] for r in runs),
        "exit_codes": {str(c): sum(1 for r in runs if r["exit"] == c)
                       for c in sorted({r["exit"] for r in runs})},
        "other_failures": sorted({r["invariant"] for r in runs
                                  if r["invariant"] not in ("", "no-lost-update")}),
    }


def markdown(rows):
    lines = ["| scenario | seeds | seeds with an expulsion | seeds where the expelled site alone "
             "held edits when fenced | seeds that lost ops | of those that held edits, lost | ops "
             "lost in all | exit codes |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        codes = ", ".join(f"{k}: {v}" for k, v in r["exit_codes"].items())
        lines.append(f"| {os.path.basename(r['scenario'])} | {r['seeds']} | {r['expelled']} | "
                     f"{r['held_alone']} | {r['lost']} | {r['lost_when_held']} | {r['lost_ops']} | "
                     f"{codes} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1..200", help="inclusive range, e.g. 1..200")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "treedoc-sim"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="also write the per-seed results here")
    parser.add_argument("scenarios", nargs="*", default=SCENARIOS)
    args = parser.parse_args()
    seeds = seed_range(args.seeds)
    rows, per_seed = [], {}
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(args.jobs) as pool:
        for scenario in args.scenarios:
            runs = list(pool.map(lambda s: run_one(args.binary, scenario, s, scratch), seeds))
            per_seed[scenario] = runs
            rows.append(tabulate(scenario, runs))
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "runs": per_seed}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
