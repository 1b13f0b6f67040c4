#!/usr/bin/env python3
"""The paper's section 3 experiment (RR-6956) on a real trace: automerge-paper, flatten vs never.

For char, word and line atoms it runs `treedoc-sim replay-trace --series` twice, flattening every
1,000 ops and never. It keeps the JSON-lines series and each run's --json summary in OUT (default
analysis/out/section3/, not committed), draws three PNG figures (tree size, time per op and mean
TID bytes over ops) into FIGURES (default OUT), and prints two Markdown tables: what we measured,
then the same quantities next to the paper's numbers, which are quoted and not measured here.
docs/SECTION3.md holds its output.

usage: python3 analysis/section3.py [--cli build/treedoc-sim] [--out DIR] [--figures DIR]
                                    [--series-every 1000] [--flatten-every 1000] [--reuse]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

try:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter
except ImportError:
    sys.exit("section3.py: matplotlib is missing; install Debian's python3-matplotlib "
             "(.ci/install-deps does) and run it with that python3")

ROOT = Path(__file__).resolve().parent.parent
TRACE = ROOT / "scenarios" / "traces" / "sequential" / "automerge-paper.json.gz"
ATOMS = ("char", "word", "line")
# Figures small enough to commit (docs/figures/): width x height in inches at this many dots each.
FIGURE_SIZE_IN = (12, 3.8)
FIGURE_DPI = 80
# Per-op times are means over one sample window each and noisy on a shared machine: the figure
# also draws their running median over this many windows.
SMOOTHING_WINDOWS = 25
# The paper's section 3 (RR-6956, "George W. Bush" Wikipedia page, paragraph atoms, 256-ary tree,
# flatten every 1,000 revisions). Quoted, never measured here.
PAPER_TOMBSTONE_SHARE = "95% of nodes"
PAPER_TID_BYTES = "60 → 2"
PAPER_MS_PER_OP_NEVER = "grows up to 3 ms"
PAPER_MS_PER_OP_FLATTEN = "slowest update 0.3 ms"
PAPER_TID_BYTES_BEFORE, PAPER_TID_BYTES_AFTER = 60, 2


def run(cli, atoms, flatten_every, series_every, out_dir, reuse):
    """Replays the trace once (or, with `reuse`, reads what a replay left in out_dir); returns its
    --json summary and its series split by event."""
    name = f"automerge-paper-{atoms}-{'flatten' + str(flatten_every) if flatten_every else 'never'}"
    series_path = out_dir / f"{name}.jsonl"
    summary_path = out_dir / f"{name}.json"
    if not reuse:
        done = subprocess.run(
            [cli, "replay-trace", str(TRACE), "--atoms", atoms, "--flatten-every", str(flatten_every),
             "--series", str(series_path), "--series-every", str(series_every), "--json"],
            capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"section3.py: {name}: treedoc-sim exited {done.returncode}: {done.stderr.strip()}")
        summary_path.write_text(done.stdout)
    elif not summary_path.exists() or not series_path.exists():
        sys.exit(f"section3.py: --reuse: {summary_path} or {series_path} is missing")
    summary = json.loads(summary_path.read_text())
    if not summary["matches_end_content"]:
        sys.exit(f"section3.py: {name}: the replay did not reach endContent")
    lines = [json.loads(line) for line in series_path.read_text().splitlines()]
    return {
        "atoms": atoms,
        "flatten_every": flatten_every,
        "summary": summary,
        "samples": [j for j in lines if j["event"] == "sample"],
        "flattens": [j for j in lines if j["event"] == "flatten"],
    }


def sawtooth(r, key):
    """(ops, value) points of a run: every sample, and each flatten's before and after."""
    points = [(s["ops"], 0, s[key]) for s in r["samples"]]
    for f in r["flattens"]:
        points += [(f["ops"], -2, f["before"][key]), (f["ops"], -1, f["after"][key])]
    points.sort()  # at one op: before, after, then the sample (which follows the flatten)
    return [p[0] for p in points], [p[2] for p in points]


def label(r):
    return f"flatten every {r['flatten_every']:,} ops" if r["flatten_every"] else "never flatten"


def figure(runs, title, draw, path):
    fig, axes = plt.subplots(1, len(ATOMS), figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    for ax, atoms in zip(axes, ATOMS):
        for r in (r for r in runs if r["atoms"] == atoms):
            draw(ax, r)
        ax.set_title(f"{atoms} atoms", fontsize=10)
        ax.set_xlabel("ops")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:.0f}k"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def colour(r):
    return "tab:blue" if r["flatten_every"] else "tab:red"


def draw_tree_size(ax, r):
    ops, nodes = sawtooth(r, "nodes")
    ax.plot(ops, nodes, color=colour(r), linewidth=0.8, label=f"tree nodes, {label(r)}")
    if not r["flatten_every"]:
        ax.plot([s["ops"] for s in r["samples"]], [s["live"] for s in r["samples"]], color="grey",
                linestyle="--", linewidth=0.8, label="live atoms (the document)")
    ax.set_yscale("log")
    ax.set_ylabel("tree nodes (majors + minis), log")


def running_median(values, width):
    half = width // 2
    return [statistics.median(values[max(0, i - half):i + half + 1]) for i in range(len(values))]


def draw_time(ax, r):
    ops = [s["ops"] for s in r["samples"]]
    ns = [s["wall_ns_per_op"] for s in r["samples"]]
    ax.plot(ops, ns, color=colour(r), linewidth=0.5, alpha=0.35)
    ax.plot(ops, running_median(ns, SMOOTHING_WINDOWS), color=colour(r), linewidth=1.4,
            label=f"{label(r)} (running median of {SMOOTHING_WINDOWS})")
    ax.set_yscale("log")
    ax.set_ylabel("wall ns per op, log")


def draw_tid_bytes(ax, r):
    ops, tid = sawtooth(r, "tid_bytes_mean")
    ax.plot(ops, tid, color=colour(r), linewidth=0.8, label=label(r))
    if r["flatten_every"]:
        for y, what in ((PAPER_TID_BYTES_BEFORE, "before"), (PAPER_TID_BYTES_AFTER, "after")):
            ax.axhline(y, color="black", linestyle=":", linewidth=0.8)
            ax.text(0, y, f" paper, {what} flatten: {y} B", fontsize=7, va="bottom")
    ax.set_yscale("log")
    ax.set_ylabel("mean TID bytes, log")


def measures(r):
    """The numbers the tables show, from one run."""
    s, t, f = r["summary"], r["summary"]["tree"], r["summary"]["flatten_sizes"]
    ns = [x["wall_ns_per_op"] for x in r["samples"]]
    nodes = [x["nodes"] for x in r["samples"]] + [x["before"]["nodes"] for x in r["flattens"]]
    return {
        "ops": s["ops_local"],
        "flattens": s["flattens"],
        "final_nodes": t["nodes"],
        "peak_nodes": max(nodes + [t["nodes"]]),
        "final_live": t["live"],
        "tombstones_final": t["tombstone_ratio"],
        "tombstones_peak": max([x["tombstone_ratio"] for x in r["samples"]] +
                               [x["before"]["tombstone_ratio"] for x in r["flattens"]] +
                               [t["tombstone_ratio"]]),
        "tombstones_before_flatten": f["tombstone_ratio_before"],
        "tid_final": t["tid_bytes_mean"],
        "tid_before_after": (f"{f['tid_bytes_mean_before']:.1f} → {f['tid_bytes_mean_after']:.1f}"
                             if s["flattens"] else "–"),
        "tid_max_before_after": (f"{f['tid_bytes_max_before']} → {f['tid_bytes_max_after']}"
                                 if s["flattens"] else "–"),
        "ns_median": statistics.median(ns),
        "ns_max": max(ns),
        "replay_ms": s["replay_ms"],
    }


def tables(runs, series_every):
    out = []
    out.append(f"| atoms | flatten | ops | flattens | final tree nodes | peak tree nodes | final live atoms | "
               f"tombstone share, end (peak) | mean TID B, end | mean TID B before → after flatten | "
               f"median ns/op | slowest {series_every:,}-op window, ns/op | replay ms |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    m = {}
    for r in runs:
        x = m[(r["atoms"], r["flatten_every"])] = measures(r)
        out.append(
            f"| {r['atoms']} | {r['flatten_every'] or 'never'} | {x['ops']:,} | {x['flattens']} | "
            f"{x['final_nodes']:,} | {x['peak_nodes']:,} | {x['final_live']:,} | "
            f"{100 * x['tombstones_final']:.1f}% ({100 * x['tombstones_peak']:.1f}%) | {x['tid_final']:.1f} | "
            f"{x['tid_before_after']} | {x['ns_median']:.0f} | {x['ns_max']:.0f} | {x['replay_ms']:.0f} |")
    every = next(r["flatten_every"] for r in runs if r["flatten_every"])
    out.append("")
    out.append("| quantity | paper (quoted: GWB page, paragraph atoms, 256-ary tree, flatten every "
               "1,000 revisions) | ours, char atoms | ours, word atoms | ours, line atoms |")
    out.append("|---|---|---|---|---|")

    def row(quantity, paper, cell):
        out.append(f"| {quantity} | {paper} | " + " | ".join(cell(a) for a in ATOMS) + " |")

    row("tombstone share without flatten, end of trace (peak)", PAPER_TOMBSTONE_SHARE,
        lambda a: f"{100 * m[(a, 0)]['tombstones_final']:.1f}% ({100 * m[(a, 0)]['tombstones_peak']:.1f}%)")
    row("tombstone share with flatten, just before a flatten: mean (peak)", "–",
        lambda a: f"{100 * m[(a, every)]['tombstones_before_flatten']:.1f}% "
                  f"({100 * m[(a, every)]['tombstones_peak']:.1f}%)")
    row(f"mean TID bytes before → after flatten (mean over flattens, every {every:,} ops)",
        PAPER_TID_BYTES, lambda a: m[(a, every)]["tid_before_after"])
    row("largest TID bytes before → after flatten (over all flattens)", "–",
        lambda a: m[(a, every)]["tid_max_before_after"])
    row("mean TID bytes at the end without flatten", "–", lambda a: f"{m[(a, 0)]['tid_final']:.1f}")
    row(f"time per op without flatten: median (slowest {series_every:,}-op window)",
        PAPER_MS_PER_OP_NEVER,
        lambda a: f"{m[(a, 0)]['ns_median'] / 1e3:.2f} µs ({m[(a, 0)]['ns_max'] / 1e3:.2f} µs)")
    row(f"time per op with flatten: median (slowest {series_every:,}-op window)",
        PAPER_MS_PER_OP_FLATTEN,
        lambda a: f"{m[(a, every)]['ns_median'] / 1e3:.2f} µs ({m[(a, every)]['ns_max'] / 1e3:.2f} µs)")
    row("tree nodes at the end, flatten vs never", "–",
        lambda a: f"{m[(a, every)]['final_nodes']:,} vs {m[(a, 0)]['final_nodes']:,}")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=str(ROOT / "build" / "treedoc-sim"))
    parser.add_argument("--out", default=str(ROOT / "analysis" / "out" / "section3"))
    parser.add_argument("--figures", help="where the PNGs go (default: --out)")
    parser.add_argument("--series-every", type=int, default=1000)
    parser.add_argument("--flatten-every", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true",
                        help="replay nothing: tabulate and draw the series already in --out")
    args = parser.parse_args()
    if args.series_every < 1 or args.flatten_every < 1:
        sys.exit("section3.py: --series-every and --flatten-every must be at least 1")
    out_dir = Path(args.out)
    figures = Path(args.figures) if args.figures else out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)

    runs = [run(args.cli, atoms, every, args.series_every, out_dir, args.reuse)
            for atoms in ATOMS for every in (args.flatten_every, 0)]
    figure(runs, "automerge-paper: tree size over ops (at each flatten: before and after)",
           draw_tree_size,
           figures / "section3-tree-size.png")
    figure(runs, f"automerge-paper: host wall time per op, mean of each {args.series_every:,}-op window "
           "(flattens included)",
           draw_time, figures / "section3-time-per-op.png")
    figure(runs, "automerge-paper: mean TID bytes over ops (at each flatten: before and after)", draw_tid_bytes,
           figures / "section3-tid-bytes.png")

    if args.reuse:
        when = f"Tabulated from the series already in {out_dir}"
    else:
        when = (f"Measured {datetime.date.today().isoformat()} on {platform.machine()} with "
                f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end)")
    text = f"{when}; times are host wall time.\n\n" + tables(runs, args.series_every)
    (out_dir / "table.md").write_text(text + "\n")
    print(text)
    print(f"\nseries and summaries in {out_dir}; figures in {figures}", file=sys.stderr)


if __name__ == "__main__":
    main()
