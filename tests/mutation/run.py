#!/usr/bin/env python3
"""Mutation harness: applies each mutant alone, rebuilds, and runs CI's seed sweeps against it.

Each mutant is a small patch, tests/mutation/mutants/NN-name.patch, of models/ or sim/ (never
sim/check/, the checker it measures), opening with one `Mutant: ...` line that says what real bug
it models. For each one the harness, in a scratch git worktree of the repository's HEAD that keeps
one configured build directory between mutants (so a mutant costs an incremental rebuild of
treedoc-sim, not a full build):

  1. restores the tracked files (`git checkout -- .`) and applies the patch (`git apply`);
  2. rebuilds the CLI only (`cmake --build build --target treedoc-sim`, with -DTREEDOC_WERROR=ON);
  3. runs the sweeps listed in .ci/sweeps, in order, with CI's flags (--jobs, --time-budget 120,
     --failures, --junit; see .ci/run), stopping at the first sweep that fails.

A mutant is caught when a sweep fails (a safety or liveness verdict, an error exit, a
nondeterministic seed, or a sweep that hangs past --sweep-timeout, which would fail CI's job too).
The harness adds `--max-failures 1` to each sweep: the sweep then starts no seed after its first
failure, which saves time and cannot change whether it fails (`--all-seeds` turns it off).

usage:
  python3 tests/mutation/run.py [--only PATTERN] [--jobs 2] [--json OUT] [--markdown OUT]
                                [--scratch DIR] [--resume] [--baseline] [--all-seeds]
  python3 tests/mutation/run.py --check   (each patch has its header and applies to the tree)

Run it under `nice -n 19`. Exit 0 when every mutant ran (whatever the kill rate), 1 when a
`--check` failed, 2 on a usage or setup error.
"""
import argparse
import datetime
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MUTANTS = REPO / "tests" / "mutation" / "mutants"
HEADER = re.compile(r"^Mutant: \S")
# Paths a mutant may touch: the model and the simulator, never the checker or the tests.
ALLOWED = re.compile(r"^(models/|sim/)")
FORBIDDEN = re.compile(r"^(sim/check/|tests/)")
TIME_BUDGET_S = 120  # .ci/run's --time-budget


def git(*args, cwd=REPO, check=True):
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def mutant_files(patterns):
    """The mutants to run, in name order; with comma-separated patterns, in the patterns' order
    (so a run cut short has measured the ones asked for first)."""
    files = sorted(MUTANTS.glob("*.patch"))
    if not patterns:
        return files
    chosen = []
    for pattern in patterns.split(","):
        for f in files:
            if fnmatch.fnmatch(f.stem, f"*{pattern.strip()}*") and f not in chosen:
                chosen.append(f)
    return chosen


def header_of(patch_text):
    """The `Mutant:` line, which comes before the first `---`; None when missing."""
    for line in patch_text.splitlines():
        if line.startswith("--- "):
            return None
        if HEADER.match(line):
            return line[len("Mutant: "):].strip()
    return None


def touched_paths(patch_text):
    return [line[len("+++ b/"):].split("\t")[0] for line in patch_text.splitlines()
            if line.startswith("+++ b/")]


def check_patches(files):
    """Every patch: a header, paths in models/ or sim/ outside sim/check/, applies to the tree."""
    problems = []
    for f in files:
        text = f.read_text()
        if header_of(text) is None:
            problems.append(f"{f.name}: no 'Mutant: ...' line before the first '---'")
        paths = touched_paths(text)
        if not paths:
            problems.append(f"{f.name}: patches no file")
        for p in paths:
            if not ALLOWED.match(p) or FORBIDDEN.match(p):
                problems.append(f"{f.name}: touches {p} (models/ and sim/ only, never sim/check/)")
        r = git("apply", "--check", str(f), check=False)
        if r.returncode != 0:
            problems.append(f"{f.name}: does not apply: {r.stderr.strip()}")
    for p in problems:
        print(p)
    print(f"{len(files)} mutants checked, {len(problems)} problems")
    return 1 if problems or not files else 0


def read_sweeps(root):
    """.ci/sweeps: one `scenario seeds` a line, '#' comments and blank lines skipped."""
    sweeps = []
    for line in (root / ".ci" / "sweeps").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        scenario, seeds = line.split()[:2]
        sweeps.append((scenario, seeds))
    return sweeps


def prepare_scratch(scratch, commit):
    """A detached worktree at `commit`, reused between runs so its build directory stays warm."""
    if not (scratch / ".git").exists():
        git("worktree", "add", "--detach", "--force", str(scratch), commit)
    git("checkout", "--", ".", cwd=scratch)
    git("checkout", "--detach", "--force", commit, cwd=scratch)
    if not (scratch / "build" / "build.ninja").exists():
        subprocess.run(["cmake", "-S", ".", "-B", "build", "-G", "Ninja", "-DTREEDOC_WERROR=ON"],
                       cwd=scratch, check=True, capture_output=True)


def build(scratch, log):
    started = time.monotonic()
    r = subprocess.run(["cmake", "--build", "build", "--target", "treedoc-sim"], cwd=scratch,
                       capture_output=True, text=True)
    log.write_text(r.stdout + r.stderr)
    return r.returncode == 0, time.monotonic() - started


def first_failure(sweep_json):
    """The lowest failing seed of a sweep's --json output: (seed, outcome, invariant, verdict)."""
    failing = [r for r in sweep_json.get("runs", []) if r.get("outcome") != "pass"]
    if not failing:
        return None
    r = min(failing, key=lambda r: r["seed"])
    return r["seed"], r["outcome"], r.get("invariant") or "", r.get("verdict", "")


def run_sweep(scratch, out, scenario, seeds, args):
    """One sweep with CI's flags; returns a dict: failed, seed, outcome, invariant, wall_s."""
    json_path = out / f"sweep-{scenario}.json"
    cmd = ["build/treedoc-sim", "sweep", f"scenarios/{scenario}.json", "--seeds", seeds,
           "--jobs", str(args.jobs), "--time-budget", str(TIME_BUDGET_S), "--budget-ok",
           "--failures", str(out / "sweep-failures"), "--junit", str(out / f"sweep-{scenario}.xml"),
           "--json", str(json_path)]
    if not args.all_seeds:
        cmd += ["--max-failures", "1"]
    started = time.monotonic()
    with open(out / f"sweep-{scenario}.log", "w") as log:
        # Its own session, so a hung sweep and the seeds it spawned go with one signal.
        proc = subprocess.Popen(cmd, cwd=scratch, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = proc.wait(timeout=args.sweep_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"failed": True, "seed": None, "outcome": "hang", "wall_s": args.sweep_timeout,
                    "invariant": f"sweep still running after {args.sweep_timeout} s", "ran": None}
    result = {"failed": code != 0, "seed": None, "outcome": "pass" if code == 0 else f"exit {code}",
              "invariant": "", "verdict": "", "wall_s": round(time.monotonic() - started, 1),
              "ran": None}
    if json_path.exists():
        data = json.loads(json_path.read_text())
        result["ran"] = len(data.get("runs", []))
        failure = first_failure(data)
        if failure:
            result["seed"], result["outcome"], result["invariant"], result["verdict"] = failure
            result["failed"] = True
    return result


def run_mutant(scratch, patch, sweeps, args):
    """Applies one mutant (None: the unmutated tree), builds, sweeps; returns its record."""
    name = patch.stem if patch else "baseline"
    text = patch.read_text() if patch else ""
    rec = {"mutant": name, "models": header_of(text) if patch else "the unmutated HEAD",
           "caught": "no", "sweep": "", "seed": None, "outcome": "", "invariant": "",
           "verdict": "", "build_s": 0.0, "sweeps_s": 0.0, "sweeps": []}
    out = scratch / "build" / "mutation-out" / name
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    git("checkout", "--", ".", cwd=scratch)
    if patch:
        r = git("apply", str(patch), cwd=scratch, check=False)
        if r.returncode != 0:
            rec["caught"] = "apply-failed"
            rec["verdict"] = r.stderr.strip()
            return rec
    ok, rec["build_s"] = build(scratch, out / "build.log")
    rec["build_s"] = round(rec["build_s"], 1)
    if not ok:
        rec["caught"] = "build-failed"
        rec["verdict"] = f"see {out / 'build.log'}"
        return rec
    for scenario, seeds in sweeps:
        s = run_sweep(scratch, out, scenario, seeds, args)
        rec["sweeps"].append({"sweep": f"{scenario} {seeds}", "wall_s": s["wall_s"],
                              "seeds_run": s["ran"], "outcome": s["outcome"]})
        rec["sweeps_s"] = round(rec["sweeps_s"] + s["wall_s"], 1)
        print(f"  {scenario:<30} {s['outcome']:<16} {s['wall_s']:>6} s", flush=True)
        if s["failed"]:
            rec.update(caught="yes", sweep=f"{scenario} {seeds}", seed=s["seed"],
                       outcome=s["outcome"], invariant=s["invariant"], verdict=s.get("verdict", ""))
            break
    return rec


def summary(records):
    measured = [r for r in records if r["caught"] in ("yes", "no") and r["mutant"] != "baseline"]
    caught = sum(1 for r in measured if r["caught"] == "yes")
    return {"measured": len(measured), "caught": caught,
            "survived": [r["mutant"] for r in measured if r["caught"] == "no"],
            "not_built": [r["mutant"] for r in records if r["caught"] in ("build-failed",
                                                                       "apply-failed")]}


def markdown(records, meta):
    s = summary(records)
    rate = f"{s['caught']}/{s['measured']}" if s["measured"] else "0/0"
    lines = [f"Commit {meta['commit']}, {meta['started']} to {meta['finished']}: "
             f"{rate} mutants caught by CI's sweeps.", "",
             "| mutant | the bug it models | caught | sweep | seed | outcome | invariant | "
             "build s | sweeps s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        inv = (r["invariant"] or "").replace("|", "\\|")
        seed = "" if r["seed"] is None else str(r["seed"])
        lines.append(f"| {r['mutant']} | {r['models']} | {r['caught']} | {r['sweep']} | {seed} "
                     f"| {r['outcome']} | {inv} | {r['build_s']} | {r['sweeps_s']} |")
    return "\n".join(lines) + "\n"


def print_table(records):
    print(f"\n{'mutant':<44} {'caught':<12} {'sweep':<34} {'seed':>5}  invariant")
    for r in records:
        seed = "" if r["seed"] is None else str(r["seed"])
        print(f"{r['mutant']:<44} {r['caught']:<12} {r['sweep']:<34} {seed:>5}  "
              f"{r['invariant'] or r['outcome']}")
    s = summary(records)
    print(f"\ncaught {s['caught']} of {s['measured']} mutants by CI's sweeps; "
          f"survivors: {', '.join(s['survived']) or 'none'}")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help="only mutants whose name contains PATTERN (a glob; several, "
                   "comma-separated, run in that order)")
    p.add_argument("--jobs", type=int, default=2, help="each sweep's --jobs (CI: 2)")
    p.add_argument("--json", type=Path, help="write every mutant's record to OUT (after each one)")
    p.add_argument("--markdown", type=Path, help="write the table as Markdown to OUT")
    p.add_argument("--scratch", type=Path,
                   default=Path(tempfile.gettempdir()) / "treedoc-mutation-scratch",
                   help="the scratch worktree, kept between runs for its warm build")
    p.add_argument("--resume", action="store_true",
                   help="keep the records already in --json OUT for the same code and patch "
                   "(also of mutants this run does not select); run the rest")
    p.add_argument("--baseline", action="store_true",
                   help="first run the sweeps on the unmutated tree (each must pass)")
    p.add_argument("--all-seeds", action="store_true",
                   help="do not add --max-failures 1: every sweep runs all its seeds")
    p.add_argument("--sweep-timeout", type=int, default=900,
                   help="seconds after which a sweep counts as hung and is killed")
    p.add_argument("--report-only", action="store_true",
                   help="run nothing: print the table of --json OUT (and write --markdown)")
    p.add_argument("--check", action="store_true",
                   help="only check that each patch has its header and applies to the tree")
    return p.parse_args(argv)


def code_fingerprint(commit):
    """What a mutant's verdict depends on: the code, the scenarios and the sweep list at `commit`
    (a commit that changes only docs or tests keeps earlier records valid for --resume)."""
    return {p: git("rev-parse", f"{commit}:{p}").stdout.strip()
            for p in ("models", "sim", "scenarios", ".ci/sweeps", "CMakeLists.txt")}


def earlier_records(args, fingerprint):
    """Records of an earlier run on the same code, for mutants whose patch is unchanged."""
    if not (args.resume and args.json and args.json.exists()):
        return {}
    data = json.loads(args.json.read_text())
    if data.get("fingerprint") != fingerprint:
        return {}
    return {r["mutant"]: r for r in data.get("mutants", []) if "patch_sha" in r}


def write_outputs(args, records, meta):
    meta = dict(meta, finished=now_text())
    if args.json:
        args.json.write_text(json.dumps(dict(meta, summary=summary(records), mutants=records),
                                        indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(records, meta))


def patch_sha(patch):
    if patch is None:
        return ""
    return git("hash-object", str(patch)).stdout.strip()


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def main(argv):
    args = parse_args(argv)
    files = mutant_files(args.only)
    if args.check:
        return check_patches(files)
    if args.report_only:
        return report_only(args)
    if not files and not args.baseline:
        print(f"no mutant matches {args.only!r}", file=sys.stderr)
        return 2
    commit = git("rev-parse", "HEAD").stdout.strip()
    prepare_scratch(args.scratch.resolve(), commit)
    scratch = args.scratch.resolve()
    sweeps = read_sweeps(scratch)
    meta = {"commit": commit, "started": now_text(), "jobs": args.jobs,
            "sweeps": [f"{s} {seeds}" for s, seeds in sweeps],
            "max_failures_1": not args.all_seeds}
    meta["fingerprint"] = code_fingerprint(commit)
    done = earlier_records(args, meta["fingerprint"])
    records = []
    for patch in ([None] if args.baseline else []) + files:
        name = patch.stem if patch else "baseline"
        sha = patch_sha(patch)
        if name in done and done[name]["patch_sha"] == sha:
            records.append(done[name])
            continue
        print(f"{name}", flush=True)
        records.append(dict(run_mutant(scratch, patch, sweeps, args), patch_sha=sha))
        write_outputs(args, merged(records, done), meta)
    git("checkout", "--", ".", cwd=scratch)
    records = merged(records, done)
    write_outputs(args, records, meta)
    print_table(records)
    return 0


def report_only(args):
    if not (args.json and args.json.exists()):
        print("--report-only needs --json OUT from an earlier run", file=sys.stderr)
        return 2
    data = json.loads(args.json.read_text())
    if args.markdown:
        args.markdown.write_text(markdown(data["mutants"], data))
    print_table(data["mutants"])
    return 0


def merged(records, done):
    """This run's records and the earlier ones it did not redo, baseline first, then by name."""
    names = {r["mutant"] for r in records}
    everything = records + [r for name, r in done.items() if name not in names]
    return sorted(everything, key=lambda r: (r["mutant"] != "baseline", r["mutant"]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
