#!/usr/bin/env python3
"""Benchmark of the Treedoc engine on the bundled editing traces.

Runs `treedoc-sim replay-trace --json` for each configuration REPEAT times and prints a Markdown
table with the median replay time (trace loading excluded), ns per op and tree statistics. The
numbers in docs/BENCHMARKS.md come from this script.

usage: python3 analysis/bench_replay.py [--cli build/treedoc-sim] [--repeat 3] [--quick]
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACES = ROOT / "scenarios" / "traces"

# (trace, atoms, flatten_every): the paper's section 3 comparison on automerge-paper first.
CONFIGS = [
    ("sequential/automerge-paper", "char", 1000),
    ("sequential/automerge-paper", "char", 0),
    ("sequential/automerge-paper", "word", 1000),
    ("sequential/automerge-paper", "word", 0),
    ("sequential/automerge-paper", "line", 1000),
    ("sequential/automerge-paper", "line", 0),
    ("sequential/rustcode", "char", 1000),
    ("sequential/rustcode", "char", 0),
    ("sequential/sveltecomponent", "char", 1000),
    ("sequential/sveltecomponent", "char", 0),
    ("sequential/friendsforever_flat", "char", 1000),
    ("sequential/friendsforever_flat", "char", 0),
    ("concurrent/friendsforever", "char", 1000),
    ("concurrent/friendsforever", "char", 0),
]


def run(cli, trace, atoms, flatten_every):
    path = TRACES / f"{trace}.json.gz"
    out = subprocess.run(
        [cli, "replay-trace", str(path), "--atoms", atoms, "--flatten-every", str(flatten_every), "--json"],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=str(ROOT / "build" / "treedoc-sim"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="automerge-paper char only")
    args = parser.parse_args()
    configs = CONFIGS[:2] if args.quick else CONFIGS
    print("| trace | atoms | flatten every | ops | replay ms (median) | ns/op | flattens | "
          "TID B mean before -> after | TID B max before -> after | tombstones before flatten | "
          "final depth | final TID B mean | memory MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for trace, atoms, every in configs:
        runs = [run(args.cli, trace, atoms, every) for _ in range(args.repeat)]
        if not all(r["matches_end_content"] for r in runs):
            sys.exit(f"{trace}: replay did not reach endContent")
        ms = statistics.median(r["replay_ms"] for r in runs)
        r = runs[0]
        ops = r["ops_local"] + r["ops_remote"] + r["ops_translated"]
        f, t = r["flatten_sizes"], r["tree"]
        sizes = (f"{f['tid_bytes_mean_before']:.1f} -> {f['tid_bytes_mean_after']:.1f}" if r["flattens"] else "-")
        maxes = (f"{f['tid_bytes_max_before']} -> {f['tid_bytes_max_after']}" if r["flattens"] else "-")
        tomb = (f"{100 * f['tombstone_ratio_before']:.1f}%" if r["flattens"] else f"{100 * t['tombstone_ratio']:.1f}% (final)")
        print(f"| {trace} | {atoms} | {every or 'never'} | {ops} | {ms:.0f} | {ms * 1e6 / ops:.0f} | "
              f"{r['flattens']} | {sizes} | {maxes} | {tomb} | {t['depth_max']} | {t['tid_bytes_mean']:.1f} | "
              f"{t['memory_bytes'] / 2**20:.1f} |")


if __name__ == "__main__":
    main()
