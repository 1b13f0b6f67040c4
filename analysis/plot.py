#!/usr/bin/env python3
# The figures, the space-time timeline and the HTML report of one run directory.
"""Draws a run's figures into RUN_DIR/figures/ (PNG and SVG), its timeline, and RUN_DIR/report.html.

A simulation run (`treedoc-sim run FILE --out RUN_DIR [--event-log RUN_DIR/events.log]`, or
`--report`, which does both and then calls this script) gets:
  tree-size        tree nodes, tombstones and atoms per live site over ops, flatten marks (Figure 4)
  tid-bytes        mean TID bytes over time, the spread across sites, flatten marks
  traffic          messages and bytes per second, faults shaded
  convergence-lag  per site: ops made anywhere that the site has not applied yet, and time behind
  flatten          flatten commits and aborts over time (only when a flatten committed or aborted)
  timeline         the space-time diagram of a window (analysis/timeline.py; needs events.log)
A trace replay (`treedoc-sim replay-trace TRACE --series RUN_DIR/series.jsonl --json >
RUN_DIR/replay.json`) gets tree-size, tid-bytes and time-per-op (Figure 5) over ops.

usage: python3 analysis/plot.py RUN_DIR [--events FILE] [--scenario FILE]
                                [--window FROM_S TO_S] [--sites SELECTOR] [--no-report] [--quiet]
Exit codes: 0 written; 3 RUN_DIR is not a run, or a bad --sites; 4 matplotlib is missing; 5 its event
log cannot be read by name (no events.schema.json beside it, or one that lacks what analysis/ reads).
"""
import argparse
import bisect
import json
import statistics
import sys
from pathlib import Path

import run_data
from event_log import EventLogError

try:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    import numpy  # comes with matplotlib
    from matplotlib.colors import LinearSegmentedColormap
except ImportError:
    print("plot.py: matplotlib is missing; install Debian's python3-matplotlib (.ci/install-deps does) "
          "and run this with /usr/bin/python3", file=sys.stderr)
    sys.exit(4)

EXIT_NOT_A_RUN = 3  # or a bad flag
EXIT_UNREADABLE_EVENT_LOG = 5
FIGURE_SIZE_IN = (11, 3.6)
FIGURE_DPI = 90
# Same inputs, same files: no dates in the SVGs and fixed ids, so figures committed to docs/ only
# change when the data does.
matplotlib.rcParams.update({"svg.hashsalt": "treedoc-sim", "svg.fonttype": "none"})
SAVE_METADATA = {"svg": {"Date": None}, "png": {"Software": None}}
FAULT_COLOURS = {"partition": "tab:blue", "cut": "tab:purple", "crash": "tab:grey",
                 "pause": "gold", "loss_burst": "tab:orange", "rpc_failure": "tab:pink"}


def legend(ax, right_axis=False):
    """A legend to the right of the axes, off the data (and off the labels of a right-hand axis)."""
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.09 if right_axis else 1.01, 1), borderaxespad=0)


def save(fig, figures_dir, name):
    fig.tight_layout()
    paths = []
    for ext in ("png", "svg"):
        path = figures_dir / f"{name}.{ext}"
        fig.savefig(path, dpi=FIGURE_DPI, metadata=SAVE_METADATA[ext], bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def finish(fig, ax, figures_dir, name, title, xlabel, ylabel=None, right_axis=False):
    """Labels, grid and legend of a one-axis figure, then saves it; returns its files."""
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    legend(ax, right_axis)
    return save(fig, figures_dir, name)


def flatten_marks(run, scan):
    """(commit times, abort times, where they come from): exact from the event log's `commit`
    events, else the samples at which the cumulative `flatten_commits` / `flatten_aborts` rose."""
    if scan and scan.counts.get("commit"):
        commits, aborts = run_data.flatten_commit_times(scan)
        return commits, aborts, "commit events"
    totals = run.totals()
    if not any("flatten_commits" in s for s in totals):
        return [], [], None

    def rises(key):
        times, before = [], 0
        for s in totals:
            now = s.get(key, before)
            times += [s["t_s"]] * max(0, now - before)
            before = now
        return times
    return rises("flatten_commits"), rises("flatten_aborts"), "metrics samples"


def draw_time_marks(ax, run, scan, commits):
    """Faults shaded, the end of the safety phase, and flatten commits, on an axis over time."""
    spans = run.fault_spans(run_data.crash_spans(scan, run.topology, run.end_s) if scan else None)
    seen = set()
    for span in spans:
        if span.verb == "crash" and run.topology.count > 1:
            continue  # one site down is too thin to shade a whole axis; the timeline shows it
        ax.axvspan(span.start_s, span.end_s, color=FAULT_COLOURS.get(span.verb, "grey"), alpha=0.08,
                   label=None if span.verb in seen else span.verb.replace("_", " "))
        seen.add(span.verb)
    if run.safety_end_s is not None:
        ax.axvline(run.safety_end_s, color="black", linestyle="--", linewidth=0.8, label="liveness phase")
    for k, t in enumerate(commits):
        ax.axvline(t, color="tab:green", linestyle=":", linewidth=0.8, label=None if k else "flatten")


def sim_tree_size(run, scan, figures_dir):
    totals = run.totals()
    ops = [s["ops_made"] for s in totals]

    def per_site(key):
        return [s.get(key, 0) / s["up"] if s.get("up") else float("nan") for s in totals]
    fig, ax = plt.subplots(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    ax.plot(ops, per_site("tree_nodes"), color="tab:blue", label="tree nodes (majors + minis)")
    ax.plot(ops, per_site("tombstones"), color="tab:red", label="tombstones")
    ax.plot(ops, [s.get("atoms_mean", 0) for s in totals], color="grey", linestyle="--",
            label="live atoms (the document)")
    commits, _, _ = flatten_marks(run, scan)
    times = [s["t_s"] for s in totals]
    for k, t in enumerate(commits):
        ax.axvline(numpy.interp(t, times, ops), color="tab:green", linestyle=":", linewidth=0.8,
                   label=None if k else "flatten")
    return finish(fig, ax, figures_dir, "tree-size", "Tree size and tombstones over ops (as the paper's Figure 4)",
                  "ops made (all sites)", "per live site (mean)")


def sim_tid_bytes(run, scan, figures_dir):
    totals = run.totals()
    times = [s["t_s"] for s in totals]
    lows, highs = [], []
    by_time = {}
    for s in run.samples:
        if s.get("site") != "total" and s.get("up") and s.get("atoms", 0) > 0:
            by_time.setdefault(s["t_s"], []).append(s["tid_bytes_mean"])
    for t in times:
        values = by_time.get(t) or [float("nan")]
        lows.append(min(values))
        highs.append(max(values))
    fig, ax = plt.subplots(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    ax.fill_between(times, lows, highs, color="tab:blue", alpha=0.2, label="lowest to highest site")
    ax.plot(times, [s.get("tid_bytes_mean", 0) for s in totals], color="tab:blue", label="mean over live sites")
    commits, _, _ = flatten_marks(run, scan)
    draw_time_marks(ax, run, scan, commits)
    return finish(fig, ax, figures_dir, "tid-bytes", "Mean TID bytes over time", "simulated time (s)",
                  "mean TID bytes")


def rates(totals, key):
    """Per-second rates of a cumulative total between consecutive samples, at each interval's end."""
    out = []
    for a, b in zip(totals, totals[1:]):
        dt = b["t_s"] - a["t_s"]
        out.append((b.get(key, 0) - a.get(key, 0)) / dt if dt > 0 else 0.0)
    return out


def sim_traffic(run, scan, figures_dir):
    totals = run.totals()
    times = [s["t_s"] for s in totals][1:]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(FIGURE_SIZE_IN[0], 5.4), dpi=FIGURE_DPI, sharex=True)
    for key, colour, label in (("msgs_sent", "tab:blue", "sent"), ("msgs_received", "tab:green", "delivered"),
                               ("msgs_dropped", "tab:red", "dropped"),
                               ("msgs_duplicated", "tab:purple", "duplicated")):
        top.step(times, rates(totals, key), where="pre", color=colour, label=label)
    bottom.step(times, [r / 1024 for r in rates(totals, "bytes_sent")], where="pre", color="tab:blue",
                label="sent")
    commits, _, _ = flatten_marks(run, scan)
    for ax in (top, bottom):
        draw_time_marks(ax, run, scan, commits)
        ax.grid(alpha=0.3)
    top.set_ylabel("messages per s")
    bottom.set_ylabel("KiB per s")
    bottom.set_xlabel("simulated time (s)")
    top.set_title("Messages and bytes over time (rates between samples; one message per recipient)")
    legend(top)
    legend(bottom)
    return save(fig, figures_dir, "traffic")


def ops_held(samples):
    """A site's ops held at each sample, or None while it is down. Its ops_applied counter counts
    everything it applies, so after a crash it counts again what it rebuilds and relearns: what it
    holds is the counter minus its value at the crash (frozen while the site is down). A crash and
    a restart between two samples go unseen, and such a site looks ahead of the others instead."""
    held, base = [], 0
    was_down = False
    for s in samples:
        if not s.get("up"):
            if not was_down:
                base = s.get("ops_applied", 0)
            was_down = True
            held.append(None)
            continue
        was_down = False
        held.append(s.get("ops_applied", 0) - base)
    return held


def sim_convergence_lag(run, scan, figures_dir):
    totals = run.totals()
    times = [s["t_s"] for s in totals]
    made = [s["ops_made"] for s in totals]
    series = run.site_series()
    names = sorted(series, key=run.topology.index)
    matrix, behind_s = [], {t: [] for t in times}
    for name in names:
        held_at = dict(zip([s["t_s"] for s in series[name]], ops_held(series[name])))
        row = []
        for t, m in zip(times, made):
            held = held_at.get(t)
            if held is None:
                row.append(float("nan"))
                continue
            row.append(max(0, m - held))
            # How far behind in time: since when has the system as a whole made more ops than the
            # site holds?
            first_beyond = bisect.bisect_right(made, held)
            behind_s[t].append(max(0.0, t - times[first_beyond]) if first_beyond < len(times) else 0.0)
        matrix.append(row)
    fig = plt.figure(figsize=(FIGURE_SIZE_IN[0], 6.2), dpi=FIGURE_DPI)
    grid = fig.add_gridspec(2, 2, width_ratios=[60, 1], height_ratios=[3, 2])
    top, bottom = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    cmap = LinearSegmentedColormap.from_list("lag", ["#f7fbff", "#6baed6", "#08306b"])
    cmap.set_bad("#d9d9d9")  # down
    step = times[1] - times[0] if len(times) > 1 else 1.0
    image = top.imshow(matrix, aspect="auto", interpolation="nearest", cmap=cmap,
                       extent=(times[0] - step / 2, times[-1] + step / 2, len(names) - 0.5, -0.5))
    fig.colorbar(image, cax=fig.add_subplot(grid[0, 1]), label="ops not applied")
    if len(names) <= 40:
        top.set_yticks(range(len(names)))
        top.set_yticklabels(names, fontsize=6)
    else:
        top.set_ylabel(f"{len(names)} sites (c0 at the top)")
    top.set_title("Convergence lag per site: ops made anywhere that the site has not applied (grey: down)")
    for label, pick, colour in (("most behind", max, "tab:red"), ("median", statistics.median, "tab:blue")):
        bottom.step(times, [pick(behind_s[t]) if behind_s[t] else float("nan") for t in times], where="mid",
                    color=colour, label=label)
    commits, _, _ = flatten_marks(run, scan)
    draw_time_marks(bottom, run, scan, commits)
    bottom.set_xlim(top.get_xlim())
    bottom.set_ylabel("time behind (s)")
    bottom.set_xlabel("simulated time (s)")
    bottom.grid(alpha=0.3)
    bottom.legend(fontsize=7, loc="upper right", ncol=3)  # inside: the colour bar holds the right margin
    return save(fig, figures_dir, "convergence-lag")


def sim_flatten(run, scan, figures_dir):
    commits, aborts, source = flatten_marks(run, scan)
    if source is None or not (commits or aborts):
        return []  # no flatten decided: an empty figure would say nothing (the report says so in a line)
    fig, ax = plt.subplots(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    end = max([run.end_s] + commits + aborts)
    for times, colour, label in ((commits, "tab:green", "commits"), (aborts, "tab:red", "aborts")):
        ax.step([0.0] + sorted(times) + [end], list(range(len(times) + 1)) + [len(times)], where="post",
                color=colour, label=f"{label} ({len(times)})")
    draw_time_marks(ax, run, scan, [])
    return finish(fig, ax, figures_dir, "flatten", f"Flatten commits and aborts over time (from {source})",
                  "simulated time (s)", "flattens, cumulative")


def simulation_figures(run, scan, figures_dir):
    """{figure name: [png, svg]} for a simulation run."""
    out = {}
    if run.totals():
        for name, draw in (("tree-size", sim_tree_size), ("tid-bytes", sim_tid_bytes),
                           ("traffic", sim_traffic), ("convergence-lag", sim_convergence_lag)):
            out[name] = draw(run, scan, figures_dir)
    flatten = sim_flatten(run, scan, figures_dir)
    if flatten:
        out["flatten"] = flatten
    return out


def replay_figures(run_dir, figures_dir):
    """{figure name: [png, svg]} for a trace replay's series (section3.py draws the same)."""
    import section3
    lines = [json.loads(line) for line in (run_dir / "series.jsonl").read_text().splitlines() if line]
    start = next((j for j in lines if j.get("event") == "start"), {})
    replay = {"atoms": start.get("atoms", "?"), "flatten_every": start.get("flatten_every_ops", 0),
              "samples": [j for j in lines if j.get("event") == "sample"],
              "flattens": [j for j in lines if j.get("event") == "flatten"]}
    out = {}

    def figure(name, title, draw, right_axis=False):
        fig, ax = plt.subplots(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
        draw(ax, replay)  # section3.py's drawing sets the y label
        out[name] = finish(fig, ax, figures_dir, name, title, "ops", right_axis=right_axis)

    def tree_and_tombstones(ax, r):
        section3.draw_tree_size(ax, r)
        # The share, on its own linear axis: at each flatten the count falls to 0, which a log axis cannot show.
        share = ax.twinx()
        ops, ratio = section3.sawtooth(r, "tombstone_ratio")
        share.plot(ops, [100 * x for x in ratio], color="tab:red", linewidth=0.6, alpha=0.7)
        share.set_ylim(0, 100)
        share.set_ylabel("tombstones, % of atoms", color="tab:red")
        ax.plot([], [], color="tab:red", linewidth=0.6, label="tombstones, % of atoms (right axis)")

    figure("tree-size", "Tree size and tombstones over ops (the paper's Figure 4)", tree_and_tombstones,
           right_axis=True)
    figure("time-per-op", "Host wall time per op (the paper's Figure 5)", section3.draw_time)
    figure("tid-bytes", "Mean TID bytes over ops", section3.draw_tid_bytes)
    return out, replay


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", metavar="RUN_DIR")
    parser.add_argument("--events", help="the run's event log (default RUN_DIR/events.log)")
    parser.add_argument("--scenario", help="the scenario file (default: the path in summary.json)")
    parser.add_argument("--window", nargs=2, type=float, metavar=("FROM_S", "TO_S"),
                        help="the timeline's window in simulated seconds (default: chosen around the "
                             "first crash, fault or the violation)")
    parser.add_argument("--sites", help="the timeline's lanes, a site selector such as c0..c2,n0..n9 "
                                        "(default: every site up to 40, else a choice)")
    parser.add_argument("--no-report", action="store_true", help="figures only, no report.html")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args()
    say = (lambda *_: None) if args.quiet else print
    run_dir = Path(args.run_dir)
    figures_dir = run_dir / "figures"

    if (run_dir / "series.jsonl").exists() and not (run_dir / "summary.json").exists():
        figures_dir.mkdir(parents=True, exist_ok=True)
        figures, replay = replay_figures(run_dir, figures_dir)
        if not args.no_report:
            import report
            report.write_replay_report(run_dir, replay, figures)
            say(f"report: {run_dir / 'report.html'}")
        return 0
    try:
        run = run_data.load_run(run_dir, args.events, args.scenario)
    except FileNotFoundError:
        print(f"plot.py: {run_dir}: not a run directory (no summary.json, and no series.jsonl of a "
              "replay)", file=sys.stderr)
        return EXIT_NOT_A_RUN
    except EventLogError as e:
        print(f"plot.py: {e}", file=sys.stderr)
        return EXIT_UNREADABLE_EVENT_LOG
    except ValueError as e:
        print(f"plot.py: {run_dir}/summary.json: {e}", file=sys.stderr)
        return EXIT_NOT_A_RUN
    figures_dir.mkdir(parents=True, exist_ok=True)
    scan = run_data.scan_events(run.event_log) if run.event_log else None
    figures = simulation_figures(run, scan, figures_dir)
    timeline_svg = None
    if scan:
        import timeline
        try:
            timeline_svg = timeline.draw(run, scan, window=args.window, sites=args.sites)
        except ValueError as e:
            print(f"plot.py: --sites {args.sites}: {e}", file=sys.stderr)
            return EXIT_NOT_A_RUN
        (figures_dir / "timeline.svg").write_text(timeline_svg.svg)
    say(f"figures: {figures_dir}")
    if not args.no_report:
        import report
        report.write_run_report(run, scan, figures, timeline_svg)
        say(f"report: {run_dir / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
