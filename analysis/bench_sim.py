#!/usr/bin/env python3
"""Benchmark of the simulator at scale: deliveries per wall second and peak RSS.

For each site count it writes a scenario (every op broadcast to all sites, 1% loss, anti-entropy
every 2 s, the checker on with all invariants), runs `treedoc-sim run --out DIR` under
`/usr/bin/time -v`, and prints a Markdown table. Op rates are chosen so that every run delivers a
comparable number of messages. The numbers in docs/BENCHMARKS.md come from this script.

usage: python3 analysis/bench_sim.py [--cli build/treedoc-sim] [--sites 100 1000 10000]
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SAFETY_S = 20
# Total ops per run by site count: deliveries are about ops x sites.
OPS_TOTAL = {100: 10_000, 1000: 2_000, 10000: 1_000}


def scenario(sites):
    core = min(10, sites)
    ops_total = OPS_TOTAL.get(sites, max(1000, 2_000_000 // sites))
    return {
        "description": f"Benchmark: {sites} sites, every op broadcast to all, anti-entropy and the checker on",
        "seed": 1,
        "topology": {"core": core, "nebula": sites - core},
        "network": {"loss": 0.01},
        "replication": {"spread": "broadcast", "anti_entropy_period_ms": 2000},
        "workload": {"kind": "synthetic", "sites": "all", "ops_per_s": ops_total / sites / SAFETY_S},
        "phases": {"safety_s": SAFETY_S, "liveness_s": 60},
        "checker": {"check_period_ms": 2000},
        "metrics": {"sample_period_ms": 10000},
    }


def run(cli, sites, workdir):
    path = Path(workdir) / f"bench-{sites}.json"
    path.write_text(json.dumps(scenario(sites), indent=2))
    out = Path(workdir) / f"out-{sites}"
    proc = subprocess.run(["/usr/bin/time", "-v", cli, "run", str(path), "--quiet", "--out", str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"run with {sites} sites failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    summary = json.loads((out / "summary.json").read_text())
    return summary, rss_kb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/treedoc-sim")
    parser.add_argument("--sites", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    print("| sites | ops made | deliveries | wall s | deliveries per wall s | peak RSS MiB | replicas MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as workdir:
        for sites in args.sites:
            s, rss_kb = run(args.cli, sites, workdir)
            print(f"| {sites:,} | {s['ops_made']:,} | {s['msgs_received']:,} | {s['wall_s']:.1f} | "
                  f"{s['deliveries_per_wall_s']:,.0f} | {rss_kb / 1024:,.0f} | "
                  f"{s['replica_memory_bytes'] / 2**20:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
