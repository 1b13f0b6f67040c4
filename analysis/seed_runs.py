"""Running one scenario seed into a folder and reading what it says, for the table scripts
(false_suspicion_table.py, fence_table.py, catch_up_bench.py)."""

import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seed_range(text):
    """`A..B` (or `A`) as the seeds it names."""
    low, _, high = text.partition("..")
    return range(int(low), int(high or low) + 1)


def run_seed(binary, scenario, seed, scratch):
    """`treedoc-sim run SCENARIO --seed N --quiet --out DIR`: its exit code, DIR and summary.json."""
    # The run's cwd is the repository: a binary or scenario given relative to the caller's cwd
    # is made absolute first; a scenario found only under the repository stays as given.
    binary = os.path.abspath(binary)
    if os.path.exists(scenario):
        scenario = os.path.abspath(scenario)
    out = os.path.join(os.path.abspath(scratch), f"{os.path.basename(scenario)}-{seed}")
    code = subprocess.run([binary, "run", scenario, "--seed", str(seed), "--quiet", "--out", out],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    with open(os.path.join(out, "summary.json")) as f:
        return code, out, json.load(f)


def violation_ops_lost(summary):
    """The ops the run lost for good, by any path (summary.json's ops_lost); for a summary from
    before that figure, the ops a no-lost-update violation names (a lower bound)."""
    if "ops_lost" in summary:
        return summary["ops_lost"]
    violation = summary.get("violation")
    return len(violation["ops"]) if violation and violation["invariant"] == "no-lost-update" else 0


def ops_lost(summary):
    """Ops lost whatever the path: declared LOST_BY_POLICY, or those a violation names."""
    return max(summary["flatten"].get("lost_by_policy", 0), violation_ops_lost(summary))


def violated(summary):
    """The violated invariant's name, or ""."""
    violation = summary.get("violation")
    return violation["invariant"] if violation else ""
