# Reads what `treedoc-sim run --out DIR` leaves behind (summary.json, metrics.jsonl, events.log, the scenario).
"""Loading a run directory for the figures, the timeline and the report.

Everything here tolerates what a run may lack: no events.log (a run without --event-log), no
scenario file (moved or relative to another folder), and fields or event kinds this script does
not know yet (the flatten protocol adds `epoch` and `commit` events and `epoch`,
`flatten_commits`, `flatten_aborts` metrics fields; membership adds `membership` and `rpc-failed`
events, the `rpc_failure` fault and a `membership` object in summary.json). The event log is read
by the schema beside it (event_log.py); unknown event kinds are counted and skipped.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

from event_log import EventLog

ROOT = Path(__file__).resolve().parent.parent

# The checker's invariants (docs/scenarios.md, checker.invariants), all on by default.
INVARIANTS = ("tid-uniqueness", "convergence", "no-lost-update", "no-resurrection", "local-intention")


class Topology:
    """Site names and indices as the simulator writes them: c0.. are core, n0.. nebula."""

    def __init__(self, core, nebula):
        self.core, self.nebula = core, nebula

    @property
    def count(self):
        return self.core + self.nebula

    def name(self, index):
        return f"c{index}" if index < self.core else f"n{index - self.core}"

    def index(self, name):
        number = int(name[1:]) if name[1:].isdigit() else -1
        if name[:1] == "c" and 0 <= number < self.core:
            return number
        if name[:1] == "n" and 0 <= number < self.nebula:
            return self.core + number
        raise ValueError(f"no site {name}")

    def select(self, selector):
        """A site selector (docs/scenarios.md: "all", "core", "nebula", a name, a range "n0..n14",
        or a list of them) as a sorted list of indices."""
        if isinstance(selector, list):
            return sorted({i for s in selector for i in self.select(s)})
        if selector == "all":
            return list(range(self.count))
        if selector == "core":
            return list(range(self.core))
        if selector == "nebula":
            return list(range(self.core, self.count))
        if ".." in selector:
            first, last = selector.split("..")
            return list(range(self.index(first), self.index(last) + 1))
        return [self.index(selector)]


@dataclass
class FaultSpan:
    """A fault in force from start to end (seconds) on some sites, or on the network as a whole."""
    verb: str
    start_s: float
    end_s: float
    sites: list  # indices it shades; empty for a partition, which concerns everyone
    label: str


@dataclass
class Run:
    directory: Path
    summary: dict
    topology: Topology
    samples: list = field(default_factory=list)  # metrics.jsonl lines, in file order
    scenario: dict = None  # the scenario file, when it can be found
    scenario_path: Path = None
    event_log: EventLog = None  # the event log and its schema, when there is one

    @property
    def events_path(self):
        return self.event_log.path if self.event_log else None

    @property
    def end_s(self):
        return float(self.summary.get("end_s", 0) or 0)

    @property
    def safety_end_s(self):
        phases = (self.scenario or {}).get("phases", {})
        return float(phases.get("safety_s", 60)) if self.scenario else None

    def totals(self):
        return [s for s in self.samples if s.get("site") == "total"]

    def site_series(self):
        """{site name: [samples in time order]}, the total left out."""
        series = {}
        for s in self.samples:
            if s.get("site") != "total":
                series.setdefault(s.get("site"), []).append(s)
        return series

    def fault_spans(self, crashes_from_events=None):
        """The scenario's faults as spans. Faults are indexed as the simulator does, stable-sorted
        by time; each lasts until what ends it (heal, restart, its for_s) or the end of the safety
        phase, where everything heals. `crashes_from_events`, when given, replaces the scenario's
        crash spans by those the event log recorded."""
        if not self.scenario:
            return []
        faults = sorted(self.scenario.get("faults", []), key=lambda f: float(f.get("at_s", 0)))
        safety_end = self.safety_end_s
        spans, partition, cuts, down = [], None, [], {}
        for fault in faults:
            at = float(fault.get("at_s", 0))
            verb = next((k for k in fault if k != "at_s"), "?")
            body = fault.get(verb) or {}
            if verb in ("partition", "heal") and partition:
                partition.end_s = at
                partition = None
            if verb == "heal":
                for cut in cuts:
                    cut.end_s = at
                cuts = []
            if verb == "partition":
                groups = [self.topology.select(g) for g in body.get("groups", [])]
                names = [describe_sites(self.topology, g) for g in groups]
                if sum(len(g) for g in groups) < self.topology.count:
                    names.append("the rest")
                partition = FaultSpan("partition", at, safety_end, [], "partition: " + " | ".join(names))
                spans.append(partition)
            elif verb == "cut":
                to = self.topology.select(body.get("to", []))
                cut = FaultSpan("cut", at, safety_end, to,
                                f"cut {describe_sites(self.topology, self.topology.select(body.get('from', [])))}"
                                f" → {describe_sites(self.topology, to)}")
                cuts.append(cut)
                spans.append(cut)
            elif verb == "crash":
                for i in self.topology.select(body.get("sites", [])):
                    down.setdefault(i, at)
            elif verb == "restart":
                for i in self.topology.select(body.get("sites", [])):
                    if i in down:
                        spans.append(FaultSpan("crash", down.pop(i), at, [i], f"{self.topology.name(i)} down"))
            elif verb == "rpc_failure":
                # Both ends: the caller's flatten messages to the callee fail, and it is told.
                ends = [self.topology.select(body.get(k, [])) for k in ("from", "to")]
                sites = sorted({i for end in ends for i in end})
                spans.append(FaultSpan(verb, at, min(at + float(body.get("for_s", 0)), safety_end), sites,
                                       f"rpc_failure {describe_sites(self.topology, ends[0])} → "
                                       f"{describe_sites(self.topology, ends[1])}: {body.get('error', '?')}"))
            elif verb in ("pause", "loss_burst"):
                sites = self.topology.select(body.get("sites", []))
                what = "paused" if verb == "pause" else f"loss {body.get('loss', '?')}"
                spans.append(FaultSpan(verb, at, min(at + float(body.get("for_s", 0)), safety_end), sites,
                                       f"{describe_sites(self.topology, sites)} {what}"))
        for i, at in down.items():
            spans.append(FaultSpan("crash", at, safety_end, [i], f"{self.topology.name(i)} down"))
        if crashes_from_events is not None:
            spans = [s for s in spans if s.verb != "crash"] + crashes_from_events
        return spans


def describe_sites(topology, indices):
    """A short name for a set of sites: "core", "nebula", "all", or names and ranges."""
    indices = sorted(indices)
    if indices == list(range(topology.count)):
        return "all"
    if indices == list(range(topology.core)) and indices:
        return "core"
    if indices == list(range(topology.core, topology.count)) and indices:
        return "nebula"
    runs, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        last = k + 1 == len(indices) or indices[k + 1] != i + 1 or (i + 1 == topology.core)
        if last:
            runs.append(topology.name(start) if start == i else f"{topology.name(start)}..{topology.name(i)}")
            start = None
    return ",".join(runs)


def find_scenario(summary, run_dir, explicit=None):
    """The scenario file: `explicit`, else summary.json's path as written (relative to the folder
    the run was started from, which may be the current one, the run folder's parents or the
    repository root)."""
    candidates = [Path(explicit)] if explicit else []
    written = summary.get("scenario")
    if written:
        p = Path(written)
        candidates += [p] if p.is_absolute() else [Path.cwd() / p, ROOT / p] + [
            parent / p for parent in Path(run_dir).resolve().parents]
    for c in candidates:
        if c.is_file():
            try:
                return json.loads(c.read_text()), c
            except (OSError, ValueError):
                continue
    return None, None


def load_run(run_dir, events=None, scenario=None):
    """The run in run_dir. Raises FileNotFoundError when it has no summary.json, and EventLogError
    when its event log cannot be read by name (no schema beside it, or one that lacks what
    analysis/ reads)."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    topology = Topology(int(summary.get("core", 0)), int(summary.get("nebula", 0)))
    samples = []
    metrics = run_dir / "metrics.jsonl"
    if metrics.exists():
        for line in metrics.read_text().splitlines():
            try:
                samples.append(json.loads(line))
            except ValueError:
                continue  # a truncated last line of an interrupted run
    scenario_json, scenario_path = find_scenario(summary, run_dir, scenario)
    events_path = Path(events) if events else run_dir / "events.log"
    event_log = EventLog.open(events_path, rerun_command(summary, run_dir)) if events_path.exists() else None
    return Run(run_dir, summary, topology, samples, scenario_json, scenario_path, event_log)


def rerun_command(summary, run_dir):
    """The command that writes this run folder again, event log and schema included."""
    return (f"treedoc-sim run {summary.get('scenario', 'SCENARIO')} --seed {summary.get('seed', 'N')} "
            f"--out {run_dir} --report")


@dataclass
class EventScan:
    """A first pass over the event log: the rare events kept whole, the messages only counted."""
    landmarks: list = field(default_factory=list)  # LANDMARK_KINDS: crashes, faults, protocol steps
    messages_per_bin: dict = field(default_factory=dict)  # bin index -> sends and drops in it
    bin_s: float = 0.001
    counts: dict = field(default_factory=dict)  # kind -> events, unknown kinds included
    end_s: float = 0.0

    def of_kind(self, kind):
        return [e for e in self.landmarks if e.kind == kind]


LANDMARK_KINDS = ("crash", "restart", "fault", "phase", "epoch", "commit", "membership", "rpc-failed")


def scan_events(event_log, bin_s=0.001):
    scan = EventScan(bin_s=bin_s)
    for e in event_log.events():
        scan.counts[e.kind] = scan.counts.get(e.kind, 0) + 1
        scan.end_s = max(scan.end_s, e.t_s)
        if e.kind in ("send", "drop"):  # a drop at send time logs no send; in flight, it is counted twice
            b = int(e.t_s / bin_s)
            scan.messages_per_bin[b] = scan.messages_per_bin.get(b, 0) + 1
        elif e.kind in LANDMARK_KINDS:
            scan.landmarks.append(e)
    return scan


def crash_spans(scan, topology, end_s):
    """Down intervals as the event log recorded them: each crash to the site's next restart."""
    spans, down = [], {}
    for e in scan.landmarks:
        if e.kind not in ("crash", "restart"):
            continue
        site = e.get("site")
        if e.kind == "crash":
            down.setdefault(site, e.t_s)
        elif site in down:
            spans.append(FaultSpan("crash", down.pop(site), e.t_s, [site], f"{topology.name(site)} down"))
    spans += [FaultSpan("crash", at, end_s, [s], f"{topology.name(s)} down") for s, at in down.items()]
    return spans


def epoch_spans(scan, end_s):
    """{site: [(start, end, epoch)]} from `epoch` events; sites start in epoch 0. Empty when the
    log has no epoch events (runs before the flatten protocol)."""
    changes = {}
    for e in scan.of_kind("epoch"):
        changes.setdefault(e.get("site"), []).append((e.t_s, e.get("epoch")))
    spans = {}
    for site, entered in changes.items():
        start, epoch, out = 0.0, 0, []
        for t, new_epoch in entered:
            if t > start:
                out.append((start, t, epoch))
            start, epoch = t, new_epoch
        out.append((start, end_s, epoch))
        spans[site] = out
    return spans


def flatten_commit_times(scan):
    """(commit times, abort times) of flattens from `commit` events. A flatten commits once per
    epoch: its time is the first `committed` of that epoch. An attempt aborts once: the aborts
    counted are the coordinator's (the site that sent the prepare), or every `aborted` event when
    no prepare was logged."""
    committed, coordinators, aborts, all_aborts = {}, set(), [], []
    for e in scan.of_kind("commit"):
        site, step, epoch = e.get("site"), e.name("step"), e.get("epoch")
        if step == "prepare sent":
            coordinators.add((site, epoch))
        elif step == "committed":
            committed.setdefault(epoch, e.t_s)
        elif step == "aborted":
            all_aborts.append(e.t_s)
            if (site, epoch) in coordinators:
                aborts.append(e.t_s)
    return sorted(committed.values()), (aborts if coordinators else all_aborts)

