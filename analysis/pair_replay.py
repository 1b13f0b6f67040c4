#!/usr/bin/env python3
"""Paired replay of two treedoc-sim binaries on every trace in scenarios/traces.

For each trace, runs `replay-trace --flatten-every N --json` with the old and the new binary in
turn, --repeat times each, and prints the best replay_ms of each, their ratio (new over old: below
1 is faster) and each binary's tree.memory_bytes. Alternating the two in one loop gives both the
same machine: on a shared machine absolute times drift, ratios within one run do not. Every replay
must end at the trace's endContent. The step-by-step pairings in docs/BENCHMARKS.md come from this.

usage: python3 analysis/pair_replay.py OLD_CLI NEW_CLI [--flatten-every 1000] [--repeat 3]
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACES = ROOT / "scenarios" / "traces"


def replay(cli, trace, flatten_every):
    out = subprocess.run([cli, "replay-trace", str(trace), "--flatten-every", str(flatten_every),
                          "--json"], check=True, capture_output=True, text=True)
    j = json.loads(out.stdout)
    if not j["matches_end_content"]:
        sys.exit(f"{cli}, {trace}: replay did not reach endContent")
    return j["replay_ms"], j["tree"]["memory_bytes"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old_cli")
    p.add_argument("new_cli")
    p.add_argument("--flatten-every", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    if args.repeat < 1:
        sys.exit("--repeat: expected at least 1")
    traces = sorted(TRACES.glob("*/*.json.gz"))
    print(f"flatten every {args.flatten_every} ops; best of {args.repeat} alternating runs\n")
    print("| trace | old ms | new ms | new / old | old memory bytes | new memory bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for trace in traces:
        best = {}
        memory = {}
        for _ in range(args.repeat):
            for name, cli in (("old", args.old_cli), ("new", args.new_cli)):
                ms, mem = replay(cli, trace, args.flatten_every)
                best[name] = min(best.get(name, ms), ms)
                memory[name] = mem
        name = str(trace.relative_to(TRACES)).removesuffix(".json.gz")
        print(f"| {name} | {best['old']:.1f} | {best['new']:.1f} | "
              f"{best['new'] / best['old']:.3f} | {memory['old']} | {memory['new']} |")


if __name__ == "__main__":
    main()
