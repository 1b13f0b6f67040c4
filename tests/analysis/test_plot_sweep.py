#!/usr/bin/env python3
# Tests of analysis/plot_sweep.py: its means and intervals on known rows, its figures, its refusals, a real sweep's CSV.
"""plot_sweep.py on a hand-made CSV whose means and 95% intervals are known, on a ratio with a zero
denominator, on bad input (exit 3, naming the file and column), and on the CSV of a real
two-point sweep of scenarios/flatten-race.json, whose figure columns it must find.

usage: TREEDOC_CLI=build/treedoc-sim /usr/bin/python3 tests/analysis/test_plot_sweep.py
"""
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "analysis" / "plot_sweep.py"
CLI = str(Path(os.environ.get("TREEDOC_CLI", str(ROOT / "build" / "treedoc-sim"))).resolve())
sys.path.insert(0, str(ROOT / "analysis"))
import plot_sweep  # noqa: E402

HEADER = "point,lat,rate,seed,outcome,flatten.aborts,flatten.attempts\n"


def run_script(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


class KnownRows(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.csv = Path(self.dir.name) / "rows.csv"
        # lat 10: aborts 2, 4, 6 of 10 (mean 0.4, sd 0.2); lat 20: one run with 0 attempts.
        self.csv.write_text(HEADER + "0,10,1,1,pass,2,10\n0,10,1,2,pass,4,10\n0,10,1,3,safety,6,10\n"
                            "1,20,1,1,pass,5,10\n1,20,1,2,pass,0,0\n")

    def tearDown(self):
        self.dir.cleanup()

    def test_mean_and_student_interval_per_point(self):
        mean, half = plot_sweep.interval([0.2, 0.4, 0.6])
        self.assertAlmostEqual(mean, 0.4)
        self.assertAlmostEqual(half, 4.303 * 0.2 / 3 ** 0.5, places=6)  # t(0.975, 2 df)
        self.assertEqual(plot_sweep.interval([0.5]), (0.5, 0.0))

    def test_table_and_figures(self):
        out = Path(self.dir.name) / "fig"
        r = run_script(str(self.csv), "--x", "lat", "--y", "flatten.aborts/flatten.attempts", "--out", str(out))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("| 10 | 3 | 0.4 | -0.09687 .. 0.8969 |", r.stdout)
        self.assertIn("| 20 | 1 | 0.5 | 0.5 .. 0.5 |", r.stdout)
        self.assertIn("1 run left out: flatten.attempts was 0", r.stdout)
        self.assertIn("1 run did not pass", r.stdout)
        png = out.with_suffix(".png").read_bytes()
        self.assertTrue(png.startswith(b"\x89PNG") and len(png) > 1000)
        ElementTree.parse(out.with_suffix(".svg"))  # well-formed

    def test_passed_only_leaves_failures_out(self):
        r = run_script(str(self.csv), "--x", "lat", "--y", "flatten.aborts", "--passed-only",
                       "--out", str(Path(self.dir.name) / "p"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("| 10 | 2 | 3 |", r.stdout)

    def test_bad_input_names_file_and_column(self):
        r = run_script(str(self.csv), "--x", "latency", "--y", "flatten.aborts")
        self.assertEqual(r.returncode, plot_sweep.EXIT_BAD_INPUT)
        self.assertIn(str(self.csv), r.stderr)
        self.assertIn("'latency'", r.stderr)
        bad = Path(self.dir.name) / "bad.csv"
        bad.write_text(HEADER + "0,10,1,1,pass,two,10\n")
        r = run_script(str(bad), "--x", "lat", "--y", "flatten.aborts")
        self.assertEqual(r.returncode, plot_sweep.EXIT_BAD_INPUT)
        self.assertIn("row 2, column flatten.aborts", r.stderr)
        r = run_script(str(Path(self.dir.name) / "missing.csv"), "--x", "lat", "--y", "flatten.aborts")
        self.assertEqual(r.returncode, plot_sweep.EXIT_BAD_INPUT)


class RealSweep(unittest.TestCase):
    def test_a_sweeps_csv_plots_by_reason_and_hue(self):
        with tempfile.TemporaryDirectory() as d:
            csv = Path(d) / "sweep.csv"
            sweep = subprocess.run([CLI, "sweep", str(ROOT / "scenarios" / "flatten-race.json"),
                                    "--set", "topology.latency.core-core.base_ms=2,50", "--seeds", "1..2",
                                    "--csv", str(csv), "--failures", str(Path(d) / "failures")],
                                   capture_output=True, text=True, cwd=d)
            self.assertEqual(sweep.returncode, 0, sweep.stdout + sweep.stderr)
            r = run_script(str(csv), "--x", "topology.latency.core-core.base_ms",
                           "--y", "flatten.aborts_late_update/flatten.attempts", "--hue", "seed", "--log-x")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.count("\n| "), 4)  # a row per (seed, latency) below the header
            self.assertTrue((Path(d) / "sweep-flatten_aborts_late_update_per_flatten_attempts.png").exists())


if __name__ == "__main__":
    unittest.main()
