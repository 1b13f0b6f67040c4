#!/usr/bin/env python3
"""Catch-up benchmark: nebula site n0 offline for 10, 30, 60, 120 and 600 s while the core flattens
every 8 s (analysis/data/catch-up-offline.json, default retention and beyond_retention). Per
offline time, over the seeds: catch-up time, n0's messages and bytes sent in the 10 s after heal
(and n1's, a site that stayed online, as the baseline of ordinary traffic), ops n0 translated or
re-based after heal, ops lost, and the runs that failed. The table in docs/BENCHMARKS.md comes
from:

    python3 analysis/catch_up_bench.py --seeds 1..200 [--binary build/treedoc-sim]

Each run is `treedoc-sim run SCENARIO --seed N --quiet --out DIR` on a copy of the template with
the offline time set; the figures come from its summary.json and metrics.jsonl."""

import argparse
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

from seed_runs import ROOT, ops_lost, run_seed, seed_range, violated

TEMPLATE = os.path.join(ROOT, "analysis/data/catch-up-offline.json")
OFFLINE_S = [10, 30, 60, 120, 600]
PARTITION_AT_S = 10
WINDOW_S = 10  # after heal: the catch-up and its sends, well inside


def scenario_for(offline_s, scratch, expect_lost):
    with open(TEMPLATE) as f:
        s = json.load(f)
    if expect_lost:  # a binary that loses ops beyond retention: let its run go on, to measure it
        s["checker"]["expect_lost_by_policy"] = True
    heal = PARTITION_AT_S + offline_s
    s["faults"][1]["at_s"] = heal
    s["phases"]["safety_s"] = heal + 5
    path = os.path.join(scratch, f"offline-{offline_s}.json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path, heal


def cumulative(metrics, site, t_s, field):
    rows = [m for m in metrics if m["site"] == site and m["t_s"] <= t_s + 1e-9]
    return rows[-1][field] if rows else 0


def run_one(binary, path, heal, seed, scratch):
    code, out, summary = run_seed(binary, path, seed, scratch)
    with open(os.path.join(out, "metrics.jsonl")) as f:
        metrics = [json.loads(line) for line in f]
    sent = {}
    for site in ("n0", "n1"):
        sent[site] = {f: cumulative(metrics, site, heal + WINDOW_S, f) -
                      cumulative(metrics, site, heal, f) for f in ("msgs_sent", "bytes_sent")}
    translated = (cumulative(metrics, "n0", 1e9, "ops_translated") -
                  cumulative(metrics, "n0", heal, "ops_translated"))
    return {"exit": code, "lost": ops_lost(summary), "catch_up_ms": summary["flatten"]["catch_up_ms_max"],
            "sent": sent, "translated": translated, "failed": violated(summary)}


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="1..20")
    p.add_argument("--binary", default=os.path.join(ROOT, "build/treedoc-sim"))
    p.add_argument("--offline", default=",".join(map(str, OFFLINE_S)))
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--expect-lost", action="store_true",
                   help="declare LOST_BY_POLICY (to measure a binary from before the re-base)")
    a = p.parse_args()
    seeds = list(seed_range(a.seeds))
    print("| offline s | runs | catch-up ms mean / max | n0 msgs after heal | n0 KiB after heal "
          "| n1 KiB (baseline) | ops translated | lost | failed runs |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(a.jobs) as ex:
        for offline in map(int, a.offline.split(",")):
            path, heal = scenario_for(offline, scratch, a.expect_lost)
            runs = list(ex.map(lambda s: run_one(a.binary, path, heal, s, scratch), seeds))
            failed = [r["failed"] or f"exit {r['exit']}" for r in runs if r["exit"] != 0]
            print(f"| {offline} | {len(runs)} "
                  f"| {mean([r['catch_up_ms'] for r in runs]):.0f} / "
                  f"{max(r['catch_up_ms'] for r in runs):.0f} "
                  f"| {mean([r['sent']['n0']['msgs_sent'] for r in runs]):.0f} "
                  f"| {mean([r['sent']['n0']['bytes_sent'] for r in runs]) / 1024:.1f} "
                  f"| {mean([r['sent']['n1']['bytes_sent'] for r in runs]) / 1024:.1f} "
                  f"| {mean([r['translated'] for r in runs]):.1f} "
                  f"| {sum(r['lost'] for r in runs)} "
                  f"| {len(failed)}{' (' + ', '.join(sorted(set(failed))) + ')' if failed else ''} |",
                  flush=True)


if __name__ == "__main__":
    main()
