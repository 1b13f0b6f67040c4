#!/usr/bin/env python3
# The HTML report of a seed sweep: outcomes, probe coverage, slowest and failing seeds with their reproduce commands.
"""Turns `treedoc-sim sweep FILE --json SWEEP.json` into one self-contained HTML page.

It shows the outcome counts, wall time per seed (a chart, when matplotlib is there), probe coverage
over the ensemble, the slowest seeds and every failing seed with the command that reproduces it
and the one that draws its report. Probe coverage needs the probes in the JSON: either per run
(`runs[].probes`, {probe: times fired}) or for the whole sweep (`probes`, {probe: seeds on which
it fired}); a sweep JSON with neither says so. Fields it does not know are listed as they are.

usage: python3 analysis/sweep_report.py SWEEP.json [OUT.html]   (default: SWEEP.html beside it)
"""
import argparse
import io
import json
import statistics
import sys
from pathlib import Path

from html_page import Markup, escape, key_values, page, png_image, table

SLOWEST_SHOWN = 10
OUTCOME_COLOURS = {"pass": "tab:green", "safety": "tab:red", "liveness": "tab:orange", "error": "tab:purple"}
KNOWN_FIELDS = {"scenario", "seeds", "wall_s", "pass", "safety", "liveness", "error", "runs", "probes", "shard",
                "merged_shards", "shards_missing", "stopped_by"}


def reproduce(scenario, seed):
    return f"treedoc-sim run {scenario} --seed {seed}"


def command_cell(scenario, seed, run=None):
    """The run's reproduce command and the one that draws it; a grid point's run is a sweep of
    one seed (its `reproduce`), which has no --report: its replay file draws it."""
    if run and run.get("reproduce") and not run["reproduce"].startswith("treedoc-sim run "):
        replay = run.get("replay_file")
        drawn = (f"<br><code>treedoc-sim run {escape(replay)} --out out/seed-{escape(seed)} --report</code>"
                 if replay else "")
        return Markup(f"<code>{escape(run['reproduce'])}</code>{drawn}")
    return Markup(f"<code>{escape(reproduce(scenario, seed))}</code><br><code>"
                  f"{escape(reproduce(scenario, seed))} --out out/seed-{escape(seed)} --report</code>")


def wall_time_chart(runs):
    """An inline PNG: wall time per seed, coloured by outcome; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.2), dpi=90, gridspec_kw={"width_ratios": [3, 2]})
    for outcome, colour in OUTCOME_COLOURS.items():
        chosen = [r for r in runs if r.get("outcome") == outcome]
        if chosen:
            left.scatter([r["seed"] for r in chosen], [r.get("wall_s", 0) for r in chosen], s=10, color=colour,
                         label=f"{outcome} ({len(chosen)})")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel("seed")
    left.set_ylabel("wall s")
    left.set_title("Wall time per seed")
    left.grid(alpha=0.3)
    left.legend(fontsize=8)
    right.hist([r.get("wall_s", 0) for r in runs], bins=30, color="tab:blue")
    right.set_xlabel("wall s")
    right.set_ylabel("seeds")
    right.set_title("Distribution")
    right.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return png_image(buffer.getvalue(), "wall time per seed")


def probe_coverage(sweep):
    """Rows (probe, seeds fired, share, times fired: median, max) or (probe, seeds fired, share),
    and a note on where they come from; no rows when the JSON has no probes."""
    runs = sweep.get("runs", [])
    per_run = [r["probes"] for r in runs if isinstance(r.get("probes"), dict)]
    if per_run:
        names = sorted({name for probes in per_run for name in probes})
        rows = []
        for name in names:
            counts = [p.get(name, 0) for p in per_run]
            fired = sum(1 for c in counts if c)
            rows.append((name, fired, f"{100 * fired / len(per_run):.0f}%", statistics.median(counts), max(counts)))
        header = ("probe", "seeds where it fired", "share", "times fired per seed: median", "max")
        return rows, header, f"from the probes of each of {len(per_run)} runs"
    if isinstance(sweep.get("probes"), dict):
        seeds = len(runs) or sweep.get("seeds") or 1
        rows = [(name, n, f"{100 * n / seeds:.0f}%") for name, n in sorted(sweep["probes"].items())
                if isinstance(n, int)]
        return rows, ("probe", "seeds where it fired", "share"), "from the sweep's probe coverage"
    return [], (), None


def part_of_sweep(sweep):
    """Key-value rows saying when the sweep is one shard, merged shards, or cut short."""
    rows = []
    shard = sweep.get("shard") if isinstance(sweep.get("shard"), dict) else {}
    if shard.get("count", 1) > 1:
        rows.append(("shard", f"{shard.get('number')} of {shard.get('count')}: a part of the sweep; "
                              "`treedoc-sim merge` the shards' --json for the whole"))
    if sweep.get("merged_shards"):
        rows.append(("merged from", f"{len(sweep['merged_shards'])} shards"))
    if sweep.get("shards_missing"):
        rows.append(("shards missing", ", ".join(str(k) for k in sweep["shards_missing"])))
    if sweep.get("stopped_by"):
        rows.append(("stopped by", f"{sweep['stopped_by']}: {len(sweep.get('runs', []))} of "
                                   f"{sweep.get('runs_planned', '?')} runs ran"))
    return rows


def build(sweep):
    scenario = sweep.get("scenario", "?")
    runs = sorted(sweep.get("runs", []), key=lambda r: r.get("seed", 0))
    seeds = [r.get("seed") for r in runs]
    failing = [r for r in runs if r.get("outcome") != "pass"]
    verdict = ('<span class="verdict pass">ALL PASS</span>' if runs and not failing else
               f'<span class="verdict fail">{len(failing)} FAILING</span>' if failing else
               '<span class="verdict warn">NO RUNS</span>')
    wall = sweep.get("wall_s") or 0
    hashes = {r.get("event_log_hash") for r in runs if r.get("event_log_hash")}
    body = [f"<h1>Sweep of {escape(scenario)} {verdict}</h1>"]
    body.append(key_values([
        ("scenario", scenario),
        ("seeds", f"{len(runs)} ({min(seeds)}..{max(seeds)})" if seeds else "none"),
        ("wall time", f"{wall:.1f} s, {60 * len(runs) / wall:.0f} seeds per minute" if wall else "?"),
        ("distinct event-log hashes", f"{len(hashes)} of {len(runs)} runs"),
    ] + part_of_sweep(sweep)))
    body.append("<h2>Outcomes</h2>")
    body.append(table([(name, sweep.get(name, sum(1 for r in runs if r.get("outcome") == name)))
                       for name in OUTCOME_COLOURS], ("outcome", "seeds")))
    chart = wall_time_chart(runs) if runs else None
    body.append(f"<figure>{chart}</figure>" if chart else
                '<p class="note">No chart: matplotlib is missing (Debian\'s python3-matplotlib).</p>')

    body.append("<h2>Probe coverage</h2>")
    rows, header, source = probe_coverage(sweep)
    if rows:
        body += [f'<p class="note">{escape(source)}.</p>', table(rows, header)]
    else:
        body.append('<p class="note">This sweep\'s JSON has no probes (neither <code>runs[].probes</code> nor '
                    "<code>probes</code>); the sweep's own printout lists the coverage.</p>")

    body.append(f"<h2>Failing seeds ({len(failing)})</h2>")
    if failing:
        body.append(table([(r.get("seed"), r.get("outcome"), r.get("exit_code"), r.get("verdict", ""),
                            command_cell(scenario, r.get("seed"), r)) for r in failing],
                          ("seed", "outcome", "exit code", "verdict", "reproduce with; see it with")))
    else:
        body.append("<p>none</p>")

    slowest = sorted(runs, key=lambda r: -r.get("wall_s", 0))[:SLOWEST_SHOWN]
    body.append(f"<h2>Slowest {len(slowest)} seeds</h2>")
    body.append(table([(r.get("seed"), r.get("wall_s", 0), r.get("outcome"), command_cell(scenario, r.get("seed"), r))
                       for r in slowest], ("seed", "wall s", "outcome", "run it alone; see it with")))
    if runs:
        walls = [r.get("wall_s", 0) for r in runs]
        body.append(f'<p class="note">Wall time per seed: median {statistics.median(walls):.2f} s, '
                    f"max {max(walls):.2f} s (host time: it varies with the machine and its load).</p>")

    extra = {k: v for k, v in sweep.items() if k not in KNOWN_FIELDS}
    if extra:
        body.append("<h2>Other fields of the sweep</h2>")
        body.append(key_values([(k, json.dumps(v)[:2000]) for k, v in sorted(extra.items())]))
    body.append("<details><summary>Every seed</summary>")
    body.append(table([(r.get("seed"), r.get("outcome"), r.get("wall_s", 0), r.get("event_log_hash", ""),
                        r.get("verdict", "")) for r in runs], ("seed", "outcome", "wall s", "event-log hash",
                                                                "verdict")))
    body.append("</details>")
    return page(f"sweep of {scenario}", "".join(body))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_json", metavar="SWEEP.json")
    parser.add_argument("out", metavar="OUT.html", nargs="?")
    args = parser.parse_args()
    source = Path(args.sweep_json)
    try:
        sweep = json.loads(source.read_text())
    except (OSError, ValueError) as e:
        print(f"sweep_report.py: {source}: {e}", file=sys.stderr)
        return 3
    out = Path(args.out) if args.out else source.with_suffix(".html")
    out.write_text(build(sweep))
    print(f"sweep report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
