#!/usr/bin/env python3
# Tests of analysis/: figures, timeline and reports from a small real run, a synthetic flatten run and a sweep.
"""The plotting and report scripts on real and synthetic run folders.

A real run of tests/data/scenarios/report-small.json goes through `treedoc-sim run --report`, and
so do the false-suspicion scenarios (scenarios/hbase-25274-demote.json passes,
hbase-25274-abort.json fails by design), whose membership steps the timeline marks and whose story
the report tells; a synthetic folder carries what the flatten protocol and membership add (epoch,
commit, membership and rpc-failed events, flatten fields in the metrics) plus an event kind nobody
knows; a tiny sweep goes through sweep_report.py. Each figure must be a non-empty PNG and a well-formed SVG, and each report must
parse as HTML with every image inlined and every link resolving.

usage: TREEDOC_CLI=build/treedoc-sim /usr/bin/python3 tests/analysis/test_analysis.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ANALYSIS = ROOT / "analysis"
CLI = os.environ.get("TREEDOC_CLI", str(ROOT / "build" / "treedoc-sim"))
PYTHON = sys.executable
SMALL_SCENARIO = ROOT / "tests" / "data" / "scenarios" / "report-small.json"
DEMOTE_SCENARIO = ROOT / "scenarios" / "hbase-25274-demote.json"
ABORT_SCENARIO = ROOT / "scenarios" / "hbase-25274-abort.json"
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                 "wbr"}


class ReportChecker(HTMLParser):
    """Checks that tags nest and close, and collects what the page refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open_tags, self.errors, self.references, self.inline_images, self.inline_svgs = [], [], [], 0, 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.note_references(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.open_tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.note_references(tag, dict(attrs))

    def handle_endtag(self, tag):
        if not self.open_tags or self.open_tags[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open_tags[-1] if self.open_tags else 'nothing'}>")
            return
        self.open_tags.pop()

    def handle_data(self, data):
        self.text.append(data)

    def note_references(self, tag, attrs):
        if tag == "svg":
            self.inline_svgs += 1
        for attribute in ("src", "data", "href"):
            value = attrs.get(attribute)
            if value is None or (tag == "a" and value.startswith("#")):
                continue
            if value.startswith("data:image/"):
                self.inline_images += 1
            elif tag in ("img", "object", "embed", "script", "link", "iframe", "a"):
                self.references.append(value)


def check_report(test, report):
    """Parses report.html and requires every reference to be inlined or to exist beside it."""
    test.assertTrue(report.is_file(), report)
    checker = ReportChecker()
    checker.feed(report.read_text())
    checker.close()
    test.assertEqual(checker.errors, [])
    test.assertEqual(checker.open_tags, [], "every element is closed")
    for reference in checker.references:
        test.assertFalse(reference.startswith(("http:", "https:", "//")), f"{reference}: reaches the network")
        test.assertTrue((report.parent / reference).exists(), f"{reference}: missing beside {report}")
    return checker


def check_figures(test, figures_dir, names):
    for name in names:
        png, svg = figures_dir / f"{name}.png", figures_dir / f"{name}.svg"
        test.assertTrue(png.is_file(), png)
        test.assertTrue(png.read_bytes().startswith(PNG_SIGNATURE), png)
        test.assertGreater(png.stat().st_size, 2000, png)
        test.assertGreater(svg.stat().st_size, 2000, svg)
        ElementTree.parse(svg)  # well-formed


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, **kwargs)


class RealRun(unittest.TestCase):
    """`treedoc-sim run --report` on a small scenario with a fault of each kind."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="treedoc-analysis-"))
        cls.out = cls.dir / "run"
        cls.done = run([CLI, "run", str(SMALL_SCENARIO), "--out", str(cls.out), "--report"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_the_run_passes_and_points_at_its_report(self):
        self.assertEqual(self.done.returncode, 0, self.done.stdout + self.done.stderr)
        self.assertIn(f"report: {self.out / 'report.html'}\n", self.done.stdout)
        self.assertTrue((self.out / "events.log").stat().st_size > 0)

    def test_the_figures_are_non_empty_png_and_svg(self):
        check_figures(self, self.out / "figures",
                      ("tree-size", "tid-bytes", "traffic", "convergence-lag", "flatten"))
        ElementTree.parse(self.out / "figures" / "timeline.svg")

    def test_the_report_parses_and_is_self_contained(self):
        checker = check_report(self, self.out / "report.html")
        self.assertEqual(checker.inline_images, 5)  # the five figures, as data: URIs
        self.assertEqual(checker.inline_svgs, 1)  # the timeline
        text = " ".join(checker.text)
        summary = json.loads((self.out / "summary.json").read_text())
        for expected in ("report-small.json", summary["event_log_hash"], "PASS", "no-resurrection",
                         "rebuilt-after-crash", "loss_burst", "Timeline"):
            self.assertIn(expected, text)

    def test_report_does_not_change_the_event_log_hash(self):
        plain = run([CLI, "run", str(SMALL_SCENARIO), "--quiet"])
        self.assertIn(json.loads((self.out / "summary.json").read_text())["event_log_hash"], plain.stdout)

    def test_a_timeline_of_a_chosen_window_and_sites(self):
        svg = self.dir / "window.svg"
        done = run([PYTHON, str(ANALYSIS / "timeline.py"), str(self.out), "--window", "0.9", "1.2", "--sites",
                    "c0,n2..n3", "-o", str(svg)])
        self.assertEqual(done.returncode, 0, done.stderr)
        root = ElementTree.parse(svg).getroot()
        labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        self.assertIn("c0", labels)
        self.assertIn("n3", labels)
        self.assertNotIn("c1", labels)
        self.assertIn("✕", labels)  # n2 crashes at 1 s


def tooltips(svg_path):
    """Every tooltip of an SVG, in document order."""
    return [t.text or "" for t in ElementTree.parse(svg_path).getroot().iter(f"{SVG_NS}title")]


def window_tooltips(svg_path):
    """The tooltips of the timeline's window (its clipped group), the overview left out."""
    root = ElementTree.parse(svg_path).getroot()
    window = next(g for g in root.iter(f"{SVG_NS}g") if g.get("clip-path") == "url(#timeline-window)")
    return [t.text or "" for t in window.iter(f"{SVG_NS}title")]


class MembershipRuns(unittest.TestCase):
    """The false-suspicion scenarios through `run --report`: the rpc_failure fault is shaded, the
    failed RPCs and the membership steps are marked on the timeline, and the report tells the
    summary's story with the membership counts, also for the run that fails by design."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="treedoc-analysis-membership-"))
        cls.demote, cls.abort = cls.dir / "demote", cls.dir / "abort"
        cls.demote_done = run([CLI, "run", str(DEMOTE_SCENARIO), "--out", str(cls.demote), "--report"])
        cls.abort_done = run([CLI, "run", str(ABORT_SCENARIO), "--out", str(cls.abort), "--report"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def steps(self, run_dir):
        return json.loads((run_dir / "summary.json").read_text())["membership"]["timeline"]

    def test_demote_passes_and_its_timeline_marks_the_false_suspicion(self):
        self.assertEqual(self.demote_done.returncode, 0, self.demote_done.stdout + self.demote_done.stderr)
        self.assertIn(f"report: {self.demote / 'report.html'}\n", self.demote_done.stdout)
        # The default window starts at the first failed RPC and reaches the fencing.
        marks = window_tooltips(self.demote / "figures" / "timeline.svg")
        for expected in ("failed (auth); c0 is told", "c0: suspected c2", "c0: expelled c2", "c2: fenced",
                         "c2: demoted"):
            self.assertTrue(any(expected in m for m in marks), f"{expected!r} not in the window")
        everything = tooltips(self.demote / "figures" / "timeline.svg")
        self.assertIn("rpc_failure c0 → c2: auth: 10 to 16 s", everything)
        joined = next(s for s in self.steps(self.demote) if s["step"] == "joined")
        svg = self.dir / "joined.svg"
        done = run([PYTHON, str(ANALYSIS / "timeline.py"), str(self.demote), "--window",
                    str(joined["at_s"] - 0.05), str(joined["at_s"] + 0.05), "-o", str(svg)])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(any(m.startswith("c2: joined (epoch ") for m in window_tooltips(svg)))
        labels = [t.text for t in ElementTree.parse(svg).getroot().iter(f"{SVG_NS}text")]
        for legend in ("expelled", "fenced", "demoted", "halted", "joined", "rpc failure"):
            self.assertIn(legend, labels)

    def test_demote_report_tells_the_story_and_counts(self):
        checker = check_report(self, self.demote / "report.html")
        text = " ".join(checker.text)
        membership = json.loads((self.demote / "summary.json").read_text())["membership"]
        self.assertIn(membership["story"], text)
        for expected in ("Membership", "members expelled by a view change (expulsions)",
                         "sites that joined the core (joins)", "on_expelled", "demote",
                         "host time to apply ops messages"):
            self.assertIn(expected, text)
        self.assertRegex(text, r"Events logged, by kind: .*membership [\d,]+, .*rpc-failed [\d,]+")
        self.assertGreaterEqual(membership["expulsions"], 1)
        self.assertGreaterEqual(membership["joins"], 1)

    def test_abort_fails_by_design_and_still_gets_its_report(self):
        self.assertEqual(self.abort_done.returncode, 1, self.abort_done.stdout + self.abort_done.stderr)
        self.assertIn("VIOLATION no-lost-update", self.abort_done.stdout)
        self.assertIn(f"report: {self.abort / 'report.html'}\n", self.abort_done.stdout)
        text = " ".join(check_report(self, self.abort / "report.html").text)
        self.assertIn("SAFETY-VIOLATION", text)
        self.assertIn("stopped for good", text)  # the story
        self.assertIn("fenced members that stopped for good (on_expelled abort) (halts)", text)
        # The violation is found at the end of the run; the window ends at the halt that lost the op.
        marks = window_tooltips(self.abort / "figures" / "timeline.svg")
        for expected in ("c0: expelled c2", "c2: fenced", "c2: halted", "c2 crashes"):
            self.assertTrue(any(expected in m for m in marks), f"{expected!r} not in the window")


class ReportWithoutPython(unittest.TestCase):
    def test_a_missing_python_is_reported_and_the_verdict_stands(self):
        with tempfile.TemporaryDirectory() as d:
            done = run([CLI, "run", str(SMALL_SCENARIO), "--out", d, "--report", "--quiet"],
                       env={**os.environ, "TREEDOC_PYTHON": "/nonexistent/python3"})
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn("result    PASS", done.stdout)
            self.assertIn("report: not written: cannot run /nonexistent/python3", done.stdout)

    def test_report_needs_out(self):
        done = run([CLI, "run", str(SMALL_SCENARIO), "--report"])
        self.assertEqual(done.returncode, 3)
        self.assertIn("--report requires --out", done.stderr)


def write_flatten_fixture(run_dir):
    """A synthetic 3-site run with what the flatten protocol adds: epoch and commit events,
    epoch and flatten counters in the metrics, flatten stats in the summary; what membership adds:
    membership and rpc-failed events, an rpc_failure drop, heartbeat timers, the rpc_failure fault
    verb, a membership object in the summary; a membership step, an event kind and a summary
    field nobody knows, and a line that is no event at all."""
    run_dir.mkdir(parents=True)
    summary = {"scenario": "synthetic-flatten.json", "description": "synthetic", "seed": 7, "sites": 3, "core": 2,
               "nebula": 1, "result": "pass", "event_log_hash": "0123456789abcdef", "events": 15, "end_s": 2.0,
               "converged_at_s": 2.0, "ops_made": 6, "ops_applied": 18, "probes": {"duplicate-op": 1},
               "flatten": {"commits": 1, "aborts": 1},
               "membership": {"on_dispatch_failure": "expire", "on_expelled": "demote", "expulsions": 1,
                              "future_count": 3, "story": "At 1.650 s, c0's flatten request to c1 failed.",
                              "timeline": [{"at_s": 1.66, "step": "expelled", "by": "c0", "site": "c1", "epoch": 2,
                                            "view": 1},
                                           {"at_s": 1.67, "step": "fenced", "by": "c1", "site": "c1", "epoch": 1,
                                            "view": 0, "detail": "2 ops held by no other up site"}]}}
    (run_dir / "summary.json").write_text(json.dumps(summary))
    lines = []
    for k in range(5):
        t = k * 0.5
        commits, aborts = (1 if t >= 1.5 else 0), (1 if t >= 1.0 else 0)
        for site in ("c0", "c1", "n0"):
            lines.append({"site": site, "t_s": t, "up": True, "ops_made": 2 * k // 2, "ops_applied": 6 * k // 2,
                          "msgs_sent": 3 * k, "bytes_sent": 90 * k, "msgs_received": 3 * k, "msgs_dropped": 0,
                          "msgs_duplicated": 0, "atoms": k, "tree_nodes": 2 * k + 3, "tombstones": k // 2,
                          "tid_bytes_mean": 4.0 + k, "epoch": 1 if t >= 1.5 else 0})
        lines.append({"site": "total", "t_s": t, "up": 3, "ops_made": 3 * k // 2 * 2, "ops_applied": 9 * k,
                      "msgs_sent": 9 * k, "bytes_sent": 270 * k, "msgs_received": 9 * k, "msgs_dropped": k,
                      "msgs_duplicated": 0, "atoms_mean": float(k), "tree_nodes": 6 * k + 9, "tombstones": k,
                      "tid_bytes_mean": 4.0 + k, "flatten_commits": commits, "flatten_aborts": aborts,
                      "future_field": [1, 2]})
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(j) + "\n" for j in lines))
    events = [
        "t=100000us local-op 0 1 0 0 11", "t=100000us send 0 1 1 103000 0", "t=100000us send 0 2 1 140000 0",
        "t=103000us deliver 0 1 1 0 0", "t=140000us deliver 0 2 1 0 0",
        "t=200000us send 1 2 1 260000 0", "t=200000us drop 1 0 1 2 0",
        "t=900000us commit 0 0 0 0 0", "t=950000us commit 1 1 0 0 0", "t=960000us commit 2 2 0 0 0",
        "t=1000000us commit 0 4 0 0 0",
        "t=1200000us commit 0 0 0 0 0", "t=1300000us commit 1 1 0 0 0", "t=1300000us commit 2 1 0 0 0",
        "t=1500000us commit 0 3 0 0 0", "t=1500000us epoch 0 1 0 0 0", "t=1550000us epoch 1 1 0 0 0",
        "t=1600000us epoch 2 1 0 0 0", "t=1650000us rpc-failed 0 1 9 2 0", "t=1650000us membership 0 0 1 1 0",
        "t=1660000us membership 0 1 1 2 1", "t=1670000us membership 1 3 1 1 0", "t=1670000us membership 1 4 1 1 0",
        "t=1680000us membership 1 42 1 1 0", "t=1690000us timer 0 4 0 0 0", "t=1690000us drop 0 1 10 5 0",
        "t=1690000us fault 2 7 0 0 0", "t=1700000us frobnicate 1 2 3 4 5", "not an event at all",
        "t=2000000.5us phase 1 0 0 0 0",
    ]
    (run_dir / "events.log").write_text("".join(f"{n + 1} {e}\n" for n, e in enumerate(events)))


class FlattenFixture(unittest.TestCase):
    """What the flatten protocol adds is drawn; what nobody knows is skipped."""

    def test_flatten_figures_epoch_bands_and_commit_phases(self):
        with tempfile.TemporaryDirectory() as d:
            run_dir = Path(d) / "run"
            write_flatten_fixture(run_dir)
            done = run([PYTHON, str(ANALYSIS / "plot.py"), str(run_dir), "--window", "0", "2"])
            self.assertEqual(done.returncode, 0, done.stderr)
            check_figures(self, run_dir / "figures", ("tree-size", "tid-bytes", "traffic", "convergence-lag",
                                                      "flatten"))
            timeline = (run_dir / "figures" / "timeline.svg").read_text()
            ElementTree.fromstring(timeline)
            for expected in ("epoch 1", "c0: prepare sent (flatten of epoch 0)", "c1: voted yes",
                             "n0: voted no", "c0: committed", "c0: aborted", "dropped"):
                self.assertIn(expected, timeline)
            self.assertNotIn("frobnicate", timeline)
            for expected in ("c0: suspected c1 (epoch 1, view 0)", "c0: expelled c1 (epoch 2, view 1)",
                             "c1: fenced (epoch 1, view 0); 2 ops held by no other up site", "c1: demoted",
                             "c1: step 42", "c0&#x27;s flatten RPC to c1 #9 failed (timeout)", "heartbeat timer",
                             "(rpc failure)"):
                self.assertIn(expected, timeline)
            checker = check_report(self, run_dir / "report.html")
            text = " ".join(checker.text)
            self.assertIn("Flatten", text)
            self.assertIn("frobnicate 1", text)  # counted among the kinds logged, nothing more
            self.assertIn("At 1.650 s, c0's flatten request to c1 failed.", text)
            self.assertIn("members expelled by a view change (expulsions)", text)
            self.assertIn("future_count", text)
            self.assertEqual(checker.inline_images, 5)

    def test_a_folder_that_is_not_a_run(self):
        with tempfile.TemporaryDirectory() as d:
            done = run([PYTHON, str(ANALYSIS / "plot.py"), d])
            self.assertEqual(done.returncode, 3)
            self.assertIn("not a run directory", done.stderr)


class Replay(unittest.TestCase):
    def test_a_replay_folder_gets_the_papers_figures_4_and_5(self):
        with tempfile.TemporaryDirectory() as d:
            run_dir = Path(d)
            trace = ROOT / "scenarios" / "traces" / "sequential" / "sveltecomponent.json.gz"
            done = run([CLI, "replay-trace", str(trace), "--flatten-every", "1000", "--series",
                        str(run_dir / "series.jsonl"), "--series-every", "2000", "--json"])
            self.assertEqual(done.returncode, 0, done.stderr)
            (run_dir / "replay.json").write_text(done.stdout)
            done = run([PYTHON, str(ANALYSIS / "plot.py"), str(run_dir)])
            self.assertEqual(done.returncode, 0, done.stderr)
            check_figures(self, run_dir / "figures", ("tree-size", "time-per-op", "tid-bytes"))
            self.assertEqual(check_report(self, run_dir / "report.html").inline_images, 3)


class SweepReport(unittest.TestCase):
    def test_failing_seeds_come_with_their_reproduce_commands(self):
        with tempfile.TemporaryDirectory() as d:
            sweep_json = Path(d) / "sweep.json"
            scenario = "tests/data/scenarios/sabotage-drop-remote-ops.json"
            done = run([CLI, "sweep", scenario, "--seeds", "1..2", "--json", str(sweep_json)])
            self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
            out = Path(d) / "sweep.html"
            done = run([PYTHON, str(ANALYSIS / "sweep_report.py"), str(sweep_json), str(out)])
            self.assertEqual(done.returncode, 0, done.stderr)
            text = " ".join(check_report(self, out).text)
            self.assertIn("2 FAILING", text)
            self.assertIn(f"treedoc-sim run {scenario} --seed 2", text)
            # The sweep's JSON carries each seed's probes: the report shows their coverage.
            self.assertIn("Probe coverage from the probes of each of 2 runs", text)
            self.assertIn("delete-before-insert", text)

    def test_probe_coverage_from_per_run_probes(self):
        sweep = {"scenario": "s.json", "seeds": 3, "wall_s": 1.5, "pass": 3, "safety": 0, "liveness": 0, "error": 0,
                 "shrink": {"future": True},
                 "runs": [{"seed": s, "outcome": "pass", "exit_code": 0, "wall_s": 0.5, "verdict": "PASS",
                           "event_log_hash": f"{s:016x}", "probes": {"duplicate-op": s - 1, "held-by-pause": 0}}
                          for s in (1, 2, 3)]}
        with tempfile.TemporaryDirectory() as d:
            source = Path(d) / "sweep.json"
            source.write_text(json.dumps(sweep))
            done = run([PYTHON, str(ANALYSIS / "sweep_report.py"), str(source)])
            self.assertEqual(done.returncode, 0, done.stderr)
            text = " ".join(check_report(self, Path(d) / "sweep.html").text)
            self.assertIn("ALL PASS", text)
            self.assertIn("67%", text)  # duplicate-op fired on 2 of 3 seeds
            self.assertIn("shrink", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
