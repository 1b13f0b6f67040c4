#!/usr/bin/env python3
# Tests of analysis/: figures, timeline and reports from real and synthetic runs, and its agreement with the binary.
"""The plotting and report scripts on real and synthetic run folders.

A real run of tests/data/scenarios/report-small.json goes through `treedoc-sim run --report`, and
so do the false-suspicion scenarios (scenarios/hbase-25274-demote.json passes,
hbase-25274-abort.json fails by design), whose membership steps the timeline marks and whose story
the report tells; a synthetic folder carries what the flatten protocol and membership add (epoch,
commit, membership and rpc-failed events, flatten fields in the metrics) plus an event kind nobody
knows; a tiny sweep goes through sweep_report.py. Each figure must be a non-empty PNG and a
well-formed SVG, and each report must parse as HTML with every image inlined and every link
resolving. The event-log schema the binary writes must hold every kind, field and enum name
analysis/event_log.py declares it reads (runs of scenarios/flatten-race.json and
hbase-25274-abort.json), a schema that drifts must be refused, and so must a log without one.

usage: TREEDOC_CLI=build/treedoc-sim /usr/bin/python3 tests/analysis/test_analysis.py
"""
import ast
import functools
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
sys.path.insert(0, str(ANALYSIS))  # analysis/ is scripts, not a package: they import each other by name
import event_log  # noqa: E402
import report  # noqa: E402
import run_data  # noqa: E402
import timeline  # noqa: E402

CLI = os.environ.get("TREEDOC_CLI", str(ROOT / "build" / "treedoc-sim"))
PYTHON = sys.executable
SMALL_SCENARIO = ROOT / "tests" / "data" / "scenarios" / "report-small.json"
DEMOTE_SCENARIO = ROOT / "scenarios" / "hbase-25274-demote.json"
ABORT_SCENARIO = ROOT / "scenarios" / "hbase-25274-abort.json"
FLATTEN_SCENARIO = ROOT / "scenarios" / "flatten-race.json"
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The longest a function of analysis/ or tests/analysis/ may be: a longer one does several things,
# each of which deserves a name.
FUNCTION_LINES_MAX = 70
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
        for beside in ("summary.json", "metrics.jsonl", "events.log", "events.schema.json"):
            self.assertIn(beside, checker.references)
        text = " ".join(checker.text)
        summary = json.loads((self.out / "summary.json").read_text())
        for expected in ("report-small.json", summary["event_log_hash"], "PASS", "no-resurrection",
                         "rebuilt-after-crash", "loss_burst", "Timeline"):
            self.assertIn(expected, text)

    def test_an_event_log_elsewhere_is_named_by_its_path_not_linked(self):
        folder, logs = self.dir / "log-elsewhere", self.dir / "logs"
        folder.mkdir()
        logs.mkdir()
        for name in ("summary.json", "metrics.jsonl"):
            shutil.copy(self.out / name, folder)
        shutil.copy(self.out / "events.log", logs / "run.log")
        shutil.copy(self.out / "events.schema.json", logs / "run.schema.json")
        # The Files section alone, in this process: drawing the whole report again takes seconds.
        section = report.files_section(run_data.load_run(folder, events=logs / "run.log"))
        checker = ReportChecker()
        checker.feed(section)
        self.assertEqual(checker.references, ["summary.json", "metrics.jsonl"])
        self.assertIn(f"Elsewhere: <code>{logs / 'run.log'}</code>, <code>{logs / 'run.schema.json'}</code>.",
                      section)

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


class NoFlattenRun(unittest.TestCase):
    """A run whose scenario never flattens: one line says so, with no table of zeros and no empty figure."""

    def test_no_flatten_is_one_line_not_zeros(self):
        with tempfile.TemporaryDirectory() as d:
            scenario = Path(d) / "no-flatten.json"
            scenario.write_text(json.dumps({
                "description": "no flatten", "topology": {"core": 2, "nebula": 1},
                "workload": {"ops_per_s": 3}, "phases": {"safety_s": 2, "liveness_s": 5}}))
            out = Path(d) / "run"
            done = run([CLI, "run", str(scenario), "--out", str(out), "--report", "--quiet"])
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertFalse((out / "figures" / "flatten.png").exists())
            check_figures(self, out / "figures", ("tree-size", "tid-bytes", "traffic", "convergence-lag"))
            page = (out / "report.html").read_text()
            checker = check_report(self, out / "report.html")
            self.assertEqual(checker.inline_images, 4)
            self.assertIn("No flatten was attempted in this run (flatten policy <code>never</code>)", page)
            section = page[page.index("<h2>Flatten</h2>"):page.index("<h2>Scenario</h2>")]
            self.assertNotIn("<table>", section)
            self.assertNotIn("so no flatten figure.</p>", page.replace(section, ""))  # said once


def hue_lightness_saturation(colour):
    """(hue in degrees, lightness, saturation) of "#rrggbb"."""
    import colorsys
    h, lightness, saturation = colorsys.rgb_to_hls(*(int(colour[k:k + 2], 16) / 255 for k in (1, 3, 5)))
    return h * 360, lightness, saturation


class TimelineColours(unittest.TestCase):
    # Hues closer than this look alike at the timeline's pale fills.
    HUE_APART_MIN_DEGREES = 40

    def test_epoch_lanes_have_a_palette_of_their_own(self):
        faults = [colour for colour, _ in list(timeline.SHADES.values()) + [timeline.PARTITION_SHADE]]
        self.assertGreater(len(set(timeline.EPOCH_FILLS)), 2)
        for fill in timeline.EPOCH_FILLS:
            self.assertNotIn(fill, faults)
            hue, lightness, saturation = hue_lightness_saturation(fill)
            if saturation == 0:  # white: no hue to mistake, and lighter than every fault shade
                self.assertEqual(lightness, 1.0, fill)
                continue
            for fault in faults:
                fault_hue, _, fault_saturation = hue_lightness_saturation(fault)
                apart = abs(hue - fault_hue) % 360
                if fault_saturation > 0:
                    self.assertGreaterEqual(min(apart, 360 - apart), self.HUE_APART_MIN_DEGREES,
                                            f"epoch fill {fill} looks like fault shade {fault}")


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


class TableScripts(unittest.TestCase):
    """The table scripts run from any folder, with the binary named relative to it."""

    def test_false_suspicion_table_takes_a_relative_binary(self):
        with tempfile.TemporaryDirectory() as elsewhere:
            binary = os.path.relpath(CLI, elsewhere)
            done = subprocess.run(
                [sys.executable, str(ANALYSIS / "false_suspicion_table.py"), "--seeds", "121",
                 "--binary", binary, "--jobs", "1"],
                capture_output=True, text=True, cwd=elsewhere)
            self.assertEqual(done.returncode, 0, done.stderr)
            # Seed 121 is the one where abort loses an edit: counted whatever the path.
            abort_row = [line for line in done.stdout.splitlines() if "abort" in line][0]
            self.assertIn("| 1: 1 |", abort_row)


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


def disagreements(schema):
    """What analysis/ declares it reads (event_log.USES, event_log.NAMES_USED) and a schema the
    binary wrote (its JSON) lacks or types otherwise, one line each. Written apart from
    event_log.py's own check, so that one cannot hide a mistake of the other."""
    out = []
    kinds, enums = schema.get("kinds", {}), schema.get("enums", {})
    for kind, fields in event_log.USES.items():
        if kind not in kinds:
            out.append(f"kind {kind}: missing")
            continue
        types = {f["name"]: f["type"] for f in kinds[kind]["fields"]}
        for field, wanted in fields.items():
            if types.get(field) != wanted:
                out.append(f"{kind}.{field}: {types.get(field)}, analysis/ reads {wanted}")
            if wanted not in schema.get("field_types", {}):
                out.append(f"{kind}.{field}: type {wanted} is not among the field types")
            if wanted in enums and wanted not in event_log.NAMES_USED:
                out.append(f"{kind}.{field}: enum {wanted} is read without a NAMES_USED entry")
    for field_type, names in event_log.NAMES_USED.items():
        if field_type not in enums:
            out.append(f"enum {field_type}: missing")
        out += [f"enum {field_type}: no {name!r}" for name in names if name not in enums.get(field_type, [])]
    return out


class SchemaAgreement(unittest.TestCase):
    """analysis/ and the binary agree on the event log: every kind, field and enum name analysis/
    reads is in the schema a run writes, with the type analysis/ reads it as; real logs parse with
    every enum value named; and a schema that drifts from analysis/ is refused with a message that
    says what drifted."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="treedoc-analysis-schema-"))
        # Flattens that commit and abort; and membership steps, failed RPCs and a halt (a crash).
        cls.runs = {name: cls.dir / name for name in ("flatten-race", "abort")}
        for out in cls.runs.values():
            out.mkdir()  # the binary opens its event log there before it makes the --out folder
        started = [subprocess.Popen([CLI, "run", str(scenario), "--out", str(out), "--event-log",
                                     str(out / "events.log"), "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL)
                   for scenario, out in ((FLATTEN_SCENARIO, cls.runs["flatten-race"]),
                                         (ABORT_SCENARIO, cls.runs["abort"]))]
        cls.exit_codes = [p.wait() for p in started]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def schema(self, name):
        return json.loads((self.runs[name] / "events.schema.json").read_text())

    def drifted_copy(self, name, drift):
        """A copy of run `name`'s folder (its summary, the first 2,000 lines of its log) whose schema
        `drift` changed."""
        copy = self.dir / f"{name}-drifted"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        shutil.copy(self.runs[name] / "summary.json", copy)
        with open(self.runs[name] / "events.log") as log:
            (copy / "events.log").write_text("".join(line for _, line in zip(range(2000), log)))
        schema = self.schema(name)
        drift(schema)
        (copy / "events.schema.json").write_text(json.dumps(schema))
        return copy

    def test_the_runs_end_as_their_scenarios_say(self):
        self.assertEqual(self.exit_codes, [0, 1])  # hbase-25274-abort fails by design

    def test_every_kind_field_and_name_analysis_reads_is_in_the_schema(self):
        for name in self.runs:
            self.assertEqual(disagreements(self.schema(name)), [], name)
            event_log.EventLog.open(self.runs[name] / "events.log")  # and event_log.py's own check agrees

    def test_the_timelines_styles_are_keyed_by_declared_names(self):
        self.assertLessEqual(set(timeline.COMMIT_LETTERS), set(event_log.NAMES_USED["commit_phase"]))
        self.assertLessEqual(set(timeline.PHASE_STYLES), set(event_log.NAMES_USED["run_phase"]))
        self.assertLessEqual(set(timeline.MEMBERSHIP_MARKS), set(event_log.NAMES_USED["membership_step"]))
        for kind, field in timeline.LANE_FIELD.items():
            self.assertEqual(event_log.USES[kind].get(field), "site", f"{kind}.{field}")

    def test_real_logs_parse_with_every_enum_value_named(self):
        seen = set()
        for name, out in self.runs.items():
            schema = self.schema(name)
            log = event_log.EventLog.open(out / "events.log")
            lines = len((out / "events.log").read_text().splitlines())
            events = 0
            for e in log.events():
                events += 1
                self.assertIn(e.kind, schema["kinds"])
                for field in schema["kinds"][e.kind]["fields"]:
                    names = schema["enums"].get(field["type"])
                    if names is not None:
                        value = e.get(field["name"])
                        self.assertTrue(0 <= value < len(names), f"{name}: {e.kind}.{field['name']} = {value}")
                        self.assertEqual(e.name(field["name"]), names[value])
                        seen.add((e.kind, names[value]))
                    elif e.kind in ("crash", "restart"):
                        seen.add((e.kind, None))
            self.assertEqual(events, lines, f"{name}: every line is an event")
        for expected in (("commit", "committed"), ("commit", "aborted"), ("commit", "voted no"), ("crash", None),
                         ("membership", "fenced"), ("membership", "halted"), ("rpc-failed", "auth"),
                         ("drop", "rpc failure"), ("fault", "rpc_failure"), ("phase", "liveness failed")):
            self.assertIn(expected, seen)

    def test_analysis_reads_only_what_it_declares(self):
        """Every field the figures and the timeline read, recorded while they draw both runs whole,
        is in USES: a field read but not declared would escape the schema check."""
        read = set()
        original = event_log.Event.get

        def recording_get(event, field):
            read.add((event.kind, field))
            return original(event, field)
        event_log.Event.get = recording_get
        try:
            for out in self.runs.values():
                run = run_data.load_run(out)
                scan = run_data.scan_events(run.event_log)
                run_data.flatten_commit_times(scan)
                run_data.epoch_spans(scan, run.end_s)
                timeline.draw(run, scan, window=(0, run.end_s + 1))
        finally:
            event_log.Event.get = original
        declared = {(kind, field) for kind, fields in event_log.USES.items() for field in fields}
        self.assertEqual(read - declared, set(), "read but not declared in event_log.USES")
        self.assertIn(("membership", "about"), read)  # the recording saw the runs' steps

    def test_a_renamed_field_is_a_disagreement_and_stops_plot_py(self):
        def rename_reason(schema):
            fields = schema["kinds"]["drop"]["fields"]
            next(f for f in fields if f["name"] == "reason")["name"] = "why"
        copy = self.drifted_copy("flatten-race", rename_reason)
        drifted = json.loads((copy / "events.schema.json").read_text())
        self.assertEqual(disagreements(drifted), ["drop.reason: None, analysis/ reads drop_reason"])
        with self.assertRaises(event_log.EventLogError) as caught:
            event_log.EventLog.open(copy / "events.log")
        message = str(caught.exception)
        for expected in (str(copy / "events.log"), "`drop` has no field `reason`", "it has: from, to, seq, why"):
            self.assertIn(expected, message)
        done = run([PYTHON, str(ANALYSIS / "plot.py"), str(copy), "--quiet"])
        self.assertEqual(done.returncode, 5, done.stderr)
        self.assertIn("`drop` has no field `reason`", done.stderr)
        self.assertNotIn("Traceback", done.stderr)

    def test_a_retyped_field_a_renamed_name_and_a_missing_kind_are_refused(self):
        def drift(schema):
            next(f for f in schema["kinds"]["membership"]["fields"] if f["name"] == "about")["type"] = "number"
            phases = schema["enums"]["run_phase"]
            phases[phases.index("violation")] = "broken"
            del schema["kinds"]["rpc-failed"]
        drifted = json.loads((self.drifted_copy("abort", drift) / "events.schema.json").read_text())
        self.assertEqual(disagreements(drifted), ["membership.about: number, analysis/ reads site",
                                                  "kind rpc-failed: missing", "enum run_phase: no 'violation'"])
        with self.assertRaises(event_log.EventLogError) as caught:
            event_log.EventLog.open(self.dir / "abort-drifted" / "events.log")
        message = str(caught.exception)
        for expected in ("no event kind `rpc-failed`", "`membership.about` is a `number`; analysis/ reads it as a "
                         "`site`", "enum `run_phase` has no 'violation' (it has: 'safety phase ends', 'converged', "
                         "'liveness failed', 'broken')"):
            self.assertIn(expected, message)

    def test_a_malformed_schema_is_refused(self):
        copy = self.drifted_copy("abort", lambda schema: schema["kinds"]["send"]["fields"][0].pop("name"))
        with self.assertRaisesRegex(event_log.EventLogError, "events.schema.json: a malformed event-log schema"):
            event_log.EventLog.open(copy / "events.log")

    def test_an_old_run_without_a_schema_is_refused_with_the_command_that_redoes_it(self):
        copy = self.drifted_copy("abort", lambda schema: None)
        (copy / "events.schema.json").unlink()
        summary = json.loads((copy / "summary.json").read_text())
        for script, exit_code in (("plot.py", 5), ("timeline.py", 1)):
            done = run([PYTHON, str(ANALYSIS / script), str(copy)])
            self.assertEqual(done.returncode, exit_code, script)
            self.assertIn(f"{copy / 'events.log'}: no schema beside it (events.schema.json)", done.stderr)
            self.assertIn(f"treedoc-sim run {summary['scenario']} --seed {summary['seed']} --out {copy} --report",
                          done.stderr)
            self.assertNotIn("Traceback", done.stderr)


@functools.lru_cache(maxsize=None)
def binary_schema_text():
    """The event-log schema the binary writes beside a log, as text (from a run of the small
    scenario, which takes well under a second)."""
    with tempfile.TemporaryDirectory() as d:
        done = run([CLI, "run", str(SMALL_SCENARIO), "--event-log", f"{d}/events.log", "--quiet"])
        assert done.returncode == 0, done.stdout + done.stderr
        return Path(d, "events.schema.json").read_text()


def event_line(schema, t_us, kind, **fields):
    """An event-log line (without its number) as the binary writes it: the kind's fields in the
    schema's order, an enum field given by its name, five integers in all."""
    values = []
    for f in schema["kinds"][kind]["fields"]:
        value = fields.pop(f["name"], 0)
        values.append(schema["enums"][f["type"]].index(value) if isinstance(value, str) else value)
    assert not fields, f"{kind} has no field {', '.join(fields)}"
    return f"t={t_us}us {kind} " + " ".join(str(v) for v in values + [0] * (5 - len(values)))


def write_flatten_fixture(run_dir):
    """A synthetic 3-site run with what the flatten protocol adds: epoch and commit events,
    epoch and flatten counters in the metrics, flatten stats in the summary; what membership adds:
    membership and rpc-failed events, an rpc_failure drop, heartbeat timers, the rpc_failure fault
    verb, a membership object in the summary; a membership step, an event kind and a summary
    field nobody knows, and a line that is no event at all. Its events are written by name with
    the binary's schema, which goes beside them."""
    run_dir.mkdir(parents=True)
    (run_dir / "summary.json").write_text(json.dumps(fixture_summary()))
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(j) + "\n" for j in fixture_metrics()))
    schema_text = binary_schema_text()
    events = fixture_events(json.loads(schema_text))
    (run_dir / "events.log").write_text("".join(f"{n + 1} {e}\n" for n, e in enumerate(events)))
    (run_dir / "events.schema.json").write_text(schema_text)


def fixture_summary():
    """The fixture's summary.json: flatten statistics, a membership story and timeline, and a
    membership count nobody knows."""
    return {"scenario": "synthetic-flatten.json", "description": "synthetic", "seed": 7, "sites": 3, "core": 2,
               "nebula": 1, "result": "pass", "event_log_hash": "0123456789abcdef", "events": 15, "end_s": 2.0,
               "converged_at_s": 2.0, "ops_made": 6, "ops_applied": 18, "probes": {"duplicate-op": 1},
               "flatten": {"commits": 1, "aborts": 1},
               "membership": {"on_dispatch_failure": "expire", "on_expelled": "demote", "expulsions": 1,
                              "future_count": 3, "story": "At 1.650 s, c0's flatten request to c1 failed.",
                              "timeline": [{"at_s": 1.66, "step": "expelled", "by": "c0", "site": "c1", "epoch": 2,
                                            "view": 1},
                                           {"at_s": 1.67, "step": "fenced", "by": "c1", "site": "c1", "epoch": 1,
                                            "view": 0, "detail": "2 ops held by no other up site"}]}}


def fixture_metrics():
    """The fixture's metrics.jsonl lines: three sites and the total every 0.5 s, with epochs,
    flatten counters and a field nobody knows."""
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
    return lines


def fixture_events(schema):
    """The fixture's event-log lines, written by name with `schema`: messages, two flatten attempts
    (one aborts, one commits), epochs, a failed RPC, membership steps (one the schema does not
    name), a heartbeat, an rpc_failure drop and fault, a kind the schema does not have, a line that
    is no event, and the observer's converged."""
    def line(t_us, kind, **fields):
        return event_line(schema, t_us, kind, **fields)
    return [
        line(100000, "local-op", site=0, counter=1, op="insert", op_hash=11),
        line(100000, "send", **{"from": 0, "to": 1, "seq": 1, "due_us": 103000}),
        line(100000, "send", **{"from": 0, "to": 2, "seq": 1, "due_us": 140000}),
        line(103000, "deliver", **{"from": 0, "to": 1, "seq": 1}),
        line(140000, "deliver", **{"from": 0, "to": 2, "seq": 1}),
        line(200000, "send", **{"from": 1, "to": 2, "seq": 1, "due_us": 260000}),
        line(200000, "drop", **{"from": 1, "to": 0, "seq": 1, "reason": "loss"}),
        line(900000, "commit", site=0, step="prepare sent"), line(950000, "commit", site=1, step="voted yes"),
        line(960000, "commit", site=2, step="voted no"), line(1000000, "commit", site=0, step="aborted"),
        line(1200000, "commit", site=0, step="prepare sent"), line(1300000, "commit", site=1, step="voted yes"),
        line(1300000, "commit", site=2, step="voted yes"), line(1500000, "commit", site=0, step="committed"),
        line(1500000, "epoch", site=0, epoch=1), line(1550000, "epoch", site=1, epoch=1),
        line(1600000, "epoch", site=2, epoch=1),
        line(1650000, "rpc-failed", caller=0, callee=1, seq=9, error="timeout"),
        line(1650000, "membership", site=0, step="suspected", about=1, epoch=1),
        line(1660000, "membership", site=0, step="expelled", about=1, epoch=2, view=1),
        line(1670000, "membership", site=1, step="fenced", about=1, epoch=1),
        line(1670000, "membership", site=1, step="demoted", about=1, epoch=1),
        line(1680000, "membership", site=1, step=42, about=1, epoch=1),  # a step the schema does not name
        line(1690000, "timer", site=0, timer="heartbeat"),
        line(1690000, "drop", **{"from": 0, "to": 1, "seq": 10, "reason": "rpc failure"}),
        line(1690000, "fault", fault=2, verb="rpc_failure"),
        "t=1700000us frobnicate 1 2 3 4 5",  # a kind the schema does not have
        "not an event at all",
        line("2000000.5", "phase", phase="converged"),
    ]


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


class FunctionLength(unittest.TestCase):
    def test_no_function_is_longer_than_the_limit(self):
        too_long = []
        for path in sorted(ANALYSIS.glob("*.py")) + sorted(Path(__file__).resolve().parent.glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                lines = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and lines > FUNCTION_LINES_MAX:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
        self.assertEqual(too_long, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
