#!/usr/bin/env python3
"""Demoted members fenced for longer: scenarios/hbase-25274-demote.json with the core's default
retention (4 epochs), its failed RPC lasting 5, 20 or 60 s, or instead of it a loss burst of 30%
on c2's links for 5, 20 or 60 s with suspect_after_ms 600 (the failure detector wrongly suspects
a member that is up, and failed RPCs only abort).
Per variant, over the seeds: runs with an expulsion, runs where the expelled member alone held
edits when fenced, ops lost, state transfers beyond retention that re-based, exit codes. The table
in docs/FALSE-SUSPICION.md comes from:

    python3 analysis/fence_table.py --seeds 1..200 [--binary build/treedoc-sim]"""

import argparse
import copy
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

from seed_runs import ROOT, ops_lost, run_seed, seed_range, violated

BASE = os.path.join(ROOT, "scenarios/hbase-25274-demote.json")
FENCE_S = [5, 20, 60]
FAULT_AT_S = 10
LOSS = 0.3
SUSPECT_AFTER_MS = 600


def variant(base, kind, fence_s):
    s = copy.deepcopy(base)
    s.pop("epochs", None)  # the default retention: a long fence falls beyond it
    heal = max(24, FAULT_AT_S + fence_s + 4)
    faults = [f for f in s["faults"] if "rpc_failure" not in f and "heal" not in f]
    if kind == "rpc":
        faults.append({"at_s": FAULT_AT_S, "rpc_failure": {"from": "c0", "to": "c2",
                                                           "error": "auth", "for_s": fence_s}})
    else:
        s["membership"]["on_dispatch_failure"] = "abort-and-retry"
        # Three heartbeats lost in a row suspect c2: 30% loss then expels it in most seeds.
        s["membership"]["failure_detector"]["suspect_after_ms"] = SUSPECT_AFTER_MS
        faults.append({"at_s": FAULT_AT_S, "loss_burst": {"for_s": fence_s, "loss": LOSS,
                                                          "sites": "c2"}})
    faults.append({"at_s": heal, "heal": {}})
    s["faults"] = faults
    s["phases"]["safety_s"] = heal + 1
    s["checker"].pop("require_probes", None)  # a loss burst need not fire the RPC probes
    if kind != "rpc":
        # Nor need it expel anyone: keep only the bounds on what must not happen.
        expect = s["checker"].get("expect", {})
        for figure in ("membership.expulsions", "membership.demotions"):
            expect.pop(figure, None)
    return s


def run_one(binary, path, seed, scratch):
    code, _, summary = run_seed(binary, path, seed, scratch)
    membership = summary.get("membership", {})
    return {"exit": code, "expelled": membership.get("expulsions", 0) > 0,
            "held": membership.get("held_alone_when_fenced", 0) > 0, "lost": ops_lost(summary),
            "rebased": summary.get("probes", {}).get("rebased-beyond-retention", 0) > 0,
            "failed": violated(summary)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="1..20")
    p.add_argument("--binary", default=os.path.join(ROOT, "build/treedoc-sim"))
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    seeds = list(seed_range(a.seeds))
    with open(BASE) as f:
        base = json.load(f)
    print("| fault | fence s | seeds | with an expulsion | expelled alone held edits | "
          "re-based beyond retention | ops lost | exit codes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(a.jobs) as ex:
        for kind in ("rpc", "loss"):
            for fence in FENCE_S:
                path = os.path.join(scratch, f"{kind}-{fence}.json")
                with open(path, "w") as f:
                    json.dump(variant(base, kind, fence), f)
                runs = list(ex.map(lambda s: run_one(a.binary, path, s, scratch), seeds))
                codes = {}
                for r in runs:
                    key = str(r["exit"]) + (f" ({r['failed']})" if r["failed"] else "")
                    codes[key] = codes.get(key, 0) + 1
                name = "auth RPC failure c0→c2" if kind == "rpc" else f"{int(LOSS * 100)}% loss burst"
                print(f"| {name} | {fence} | {len(runs)} | {sum(r['expelled'] for r in runs)} "
                      f"| {sum(r['held'] for r in runs)} | {sum(r['rebased'] for r in runs)} "
                      f"| {sum(r['lost'] for r in runs)} "
                      f"| {', '.join(f'{k}: {v}' for k, v in sorted(codes.items()))} |", flush=True)


if __name__ == "__main__":
    main()
