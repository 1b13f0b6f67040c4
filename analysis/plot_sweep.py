#!/usr/bin/env python3
# A figure across the runs of a sweep: one figure's mean and 95% confidence interval per grid point.
"""Plots `treedoc-sim sweep ... --csv OUT.csv` rows: FIGURE against a grid parameter.

Each (hue, x) group of rows gives one point: the mean of FIGURE over its seeds and a 95%
confidence interval for that mean (Student's t, so 5 seeds give an honest, wide interval). FIGURE
is a column of the CSV (docs/scenarios.md lists them: flatten.aborts, flatten.catch_up_ms_max,
...) or a ratio of two, such as flatten.aborts/flatten.attempts; a row whose denominator is 0 has
no ratio and is left out (the table says how many). The table is printed as Markdown; the figure
is written as PREFIX.png and PREFIX.svg (default: the CSV's name with the figure's).

usage: plot_sweep.py OUT.csv --x PARAM --y FIGURE [--hue PARAM] [--out PREFIX] [--log-x] [--passed-only]
exit: 0 done, 3 a file, column or value that is not what a sweep's CSV holds
"""
import argparse
import csv
import math
import statistics
import sys
from pathlib import Path

EXIT_BAD_INPUT = 3
CONFIDENCE = 0.95
# Two-sided 95% quantiles of Student's t by degrees of freedom; beyond 30, the normal's.
T_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042]
Z_95 = 1.960


class BadInput(Exception):
    pass


def t_quantile(df):
    return T_95[df - 1] if df <= len(T_95) else Z_95


def interval(values):
    """(mean, half-width of the 95% interval); a single value has no interval (0)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))


def read_rows(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}")
    if not rows:
        raise BadInput(f"{path}: no rows: expected the CSV of treedoc-sim sweep --csv")
    return rows


def number(path, row_number, column, text):
    try:
        return float(text)
    except ValueError:
        raise BadInput(f"{path}: row {row_number}, column {column}: expected a number, got {text!r}")


def require_columns(path, rows, columns):
    for column in columns:
        if column not in rows[0]:
            known = ", ".join(c for c in rows[0] if c not in ("event_log_hash", "invariant"))
            raise BadInput(f"{path}: no column {column!r}; the CSV has: {known}")


def figure_of(path, row_number, row, figure):
    """The row's value of FIGURE, or None for a ratio with a zero denominator."""
    if "/" not in figure:
        return number(path, row_number, figure, row[figure])
    top, bottom = figure.split("/", 1)
    denominator = number(path, row_number, bottom, row[bottom])
    return None if denominator == 0 else number(path, row_number, top, row[top]) / denominator


def sort_key(text):
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def grouped(path, rows, args):
    """{(hue, x): [values]} and how many rows had no value (a zero denominator)."""
    groups, undefined = {}, 0
    for k, row in enumerate(rows, start=2):  # row 1 is the header
        if args.passed_only and row.get("outcome") != "pass":
            continue
        value = figure_of(path, k, row, args.y)
        if value is None:
            undefined += 1
            continue
        key = (row[args.hue] if args.hue else "", row[args.x])
        groups.setdefault(key, []).append(value)
    if not groups:
        raise BadInput(f"{path}: no row has a value of {args.y}")
    return groups, undefined


def runs(n):
    return f"{n} run" + ("" if n == 1 else "s")


def table(args, groups, undefined, failed):
    lines = [f"| {args.hue} | {args.x} | runs | mean {args.y} | 95% interval |" if args.hue else
             f"| {args.x} | runs | mean {args.y} | 95% interval |"]
    lines.append("|---" * (5 if args.hue else 4) + "|")
    for (hue, x) in sorted(groups, key=lambda k: (sort_key(k[0]), sort_key(k[1]))):
        mean, half = interval(groups[(hue, x)])
        cells = ([hue] if args.hue else []) + [x, str(len(groups[(hue, x)])), f"{mean:.4g}",
                                                 f"{mean - half:.4g} .. {mean + half:.4g}"]
        lines.append("| " + " | ".join(cells) + " |")
    notes = []
    if undefined:
        notes.append(f"{runs(undefined)} left out: {args.y.split('/', 1)[-1]} was 0")
    if failed:
        notes.append(f"{runs(failed)} did not pass" + (" (left out)" if args.passed_only else ""))
    return "\n".join(lines) + ("\n\n" + "; ".join(notes) + "." if notes else "")


def plot(args, groups, prefix):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    hues = sorted({h for h, _ in groups}, key=sort_key)
    numeric_x = all(sort_key(x)[0] == 0 for _, x in groups)
    for hue in hues:
        xs = sorted((x for h, x in groups if h == hue), key=sort_key)
        stats = [interval(groups[(hue, x)]) for x in xs]
        positions = [float(x) for x in xs] if numeric_x else list(range(len(xs)))
        ax.errorbar(positions, [m for m, _ in stats], yerr=[h for _, h in stats], marker="o", capsize=3,
                    label=f"{args.hue} = {hue}" if args.hue else None)
        if not numeric_x:
            ax.set_xticks(positions, xs)
    ax.set_xlabel(args.x)
    ax.set_ylabel(args.y)
    ax.set_title(args.title or f"{args.y}\nby {args.x} (mean, {int(CONFIDENCE * 100)}% interval)", fontsize=10)
    if args.log_x:
        ax.set_xscale("log")
    if args.hue:
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    for suffix in (".png", ".svg"):
        fig.savefig(str(prefix) + suffix)
    plt.close(fig)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="the rows of treedoc-sim sweep --csv")
    parser.add_argument("--x", required=True, help="the grid parameter on the x axis (a column)")
    parser.add_argument("--y", required=True, help="a figure column, or a ratio of two: A/B")
    parser.add_argument("--hue", help="a second grid parameter: one line per value")
    parser.add_argument("--out", help="PREFIX of PREFIX.png and PREFIX.svg")
    parser.add_argument("--title", help="the figure's title")
    parser.add_argument("--log-x", action="store_true", help="a logarithmic x axis")
    parser.add_argument("--passed-only", action="store_true", help="leave out runs that did not pass")
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.csv)
        require_columns(args.csv, rows, [args.x] + ([args.hue] if args.hue else []) + args.y.split("/", 1))
        groups, undefined = grouped(args.csv, rows, args)
    except BadInput as e:
        print(f"plot_sweep.py: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    failed = sum(1 for r in rows if r.get("outcome") != "pass")
    print(table(args, groups, undefined, failed))
    slug = args.y.replace("/", "_per_").replace(".", "_")
    prefix = Path(args.out) if args.out else Path(args.csv).with_name(Path(args.csv).stem + "-" + slug)
    plot(args, groups, prefix)
    print(f"\nfigure: {prefix}.png, {prefix}.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
