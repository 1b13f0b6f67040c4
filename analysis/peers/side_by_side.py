#!/usr/bin/env python3
"""Side-by-side benchmark of the Treedoc engine against json-joy's StrNode, Loro and Yjs (issue #19).

One command: installs the pinned peers from the npm registry (`npm ci` here, when node_modules does
not match package-lock.json), then replays every trace in scenarios/traces through ours
(`treedoc-sim replay-trace --json`, with a flatten every 1,000 ops and without flatten) and through
each peer's own API (run_peer.js), interleaved round by round so that a busy machine slows all of
them alike. Every run must end at endContent. Prints a Markdown table: the best of --repeat rounds
per cell, each peer's time over ours, the geometric means, and the memory each holds at the end.

Each peer process replays the trace three times and reports its best (run_peer.js: a warm JIT);
ours replays three times per round too (three processes), so every runner has as many tries. Memory: ours is the replica's own accounting of its structures (`tree.memory_bytes`, capacities
included); a peer's is the JavaScript heap plus external buffers the process holds after garbage
collection, less what it held before the replay. Concurrent traces run one replica per agent; the
memory shown is per replica.

usage: python3 analysis/peers/side_by_side.py [--cli build/treedoc-sim] [--repeat 3]
                                              [--peers json-joy,loro,yjs] [--traces a,b]
"""
import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRACES = ROOT / "scenarios" / "traces"
PEERS = ["json-joy", "loro", "yjs"]
FLATTENS = [1000, 0]  # ours: flatten every 1,000 ops, and never
RUNS_PER_ROUND = 3  # replays per round for every runner: run_peer.js replays three times too


def ensure_peers():
    """npm ci when the installed tree is not the one package-lock.json pins."""
    installed = HERE / "node_modules" / ".package-lock.json"
    lock = json.loads((HERE / "package-lock.json").read_text())
    if installed.exists():
        have = json.loads(installed.read_text()).get("packages", {})
        want = {k: v for k, v in lock.get("packages", {}).items() if k}
        if all(have.get(k, {}).get("version") == v.get("version") for k, v in want.items()):
            return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)


def run_ours(cli, trace, flatten_every):
    """The best of RUNS_PER_ROUND replays, as many as a peer process makes (run_peer.js)."""
    best = None
    for _ in range(RUNS_PER_ROUND):
        out = subprocess.run([cli, "replay-trace", str(trace), "--flatten-every",
                              str(flatten_every), "--json"], check=True, capture_output=True,
                             text=True)
        j = json.loads(out.stdout)
        if not j["matches_end_content"]:
            sys.exit(f"ours, {trace}: replay did not reach endContent")
        r = {"ms": j["replay_ms"], "memory": j["tree"]["memory_bytes"], "ops": j["ops_local"]}
        best = r if best is None or r["ms"] < best["ms"] else best
    return best


def run_peer(peer, trace):
    out = subprocess.run(["node", "--expose-gc", str(HERE / "run_peer.js"), peer, str(trace)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{peer}, {trace}: failed or did not reach endContent:\n{out.stderr}{out.stdout}")
    j = json.loads(out.stdout)
    return {"ms": j["replay_ms"], "memory": j["memory_bytes"] / j["replicas"]}


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def mib(b):
    return f"{b / 2**20:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=str(ROOT / "build" / "treedoc-sim"))
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--traces", default="", help="comma-separated names (default: every trace)")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    traces = sorted(TRACES.glob("*/*.json.gz"))
    if args.traces:
        wanted = set(args.traces.split(","))
        traces = [t for t in traces if t.name.removesuffix(".json.gz") in wanted]
    if peers:
        ensure_peers()
    runners = [(f"ours-f{f}", lambda t, f=f: run_ours(args.cli, t, f)) for f in FLATTENS]
    runners += [(p, lambda t, p=p: run_peer(p, t)) for p in peers]
    best = {}
    for round_ in range(args.repeat):
        for trace in traces:
            for name, run in runners:
                r = run(trace)
                key = (trace, name)
                if key not in best or r["ms"] < best[key]["ms"]:
                    best[key] = {**r, "memory": r["memory"]}
        print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr)
    names = [n for n, _ in runners]
    print(f"Best of {args.repeat}, interleaved; ms of the replay (loading excluded); "
          "x = that peer's time over ours (above 1: ours is faster); memory in MiB.\n")
    for flatten in FLATTENS:
        ours = f"ours-f{flatten}"
        label = f"flatten every {flatten} ops" if flatten else "no flatten"
        print(f"Ours with {label}:\n")
        head = "| trace | ops | ours ms | " + " | ".join(f"{p} ms | x" for p in peers)
        head += " | ours MiB | " + " | ".join(f"{p} MiB" for p in peers) + " |"
        print(head)
        print("|---" * (head.count("|") - 1) + "|")
        ratios = {p: [] for p in peers}
        for trace in traces:
            o = best[(trace, ours)]
            name = f"{trace.parent.name}/{trace.name.removesuffix('.json.gz')}"
            row = f"| {name} | {o['ops']} | {o['ms']:.1f} |"
            for p in peers:
                r = best[(trace, p)]["ms"] / o["ms"]
                ratios[p].append(r)
                row += f" {best[(trace, p)]['ms']:.1f} | {r:.2f} |"
            row += f" {mib(o['memory'])} |" + "".join(
                f" {mib(best[(trace, p)]['memory'])} |" for p in peers)
            print(row)
        gm = "| geometric mean | | |" + "".join(f" | {geomean(ratios[p]):.2f} |" for p in peers)
        print(gm + " |" * (len(peers) + 1) + "\n")


if __name__ == "__main__":
    main()
