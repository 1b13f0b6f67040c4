# Writes RUN_DIR/report.html: one self-contained page with a run's verdict, numbers, figures and timeline.
"""The HTML report of a run, written by plot.py (which `treedoc-sim run --report` calls)."""
import json

import run_data
from html_page import Markup, escape, figure, key_values, page, table

# What each figure shows, as the report's captions say it.
CAPTIONS = {
    "tree-size": "Tree nodes (majors and minis), tombstones and live atoms per live site, over the ops made "
                 "by all sites; dotted green lines are flatten commits. The paper's Figure 4 draws the same "
                 "for one replica of a real trace (docs/SECTION3.md).",
    "tid-bytes": "Mean TID bytes over the live sites, with the lowest and highest site, over simulated time. "
                 "Shaded: partitions, cuts, pauses and loss bursts; dashed: the liveness phase begins.",
    "traffic": "Messages (one per recipient) and bytes per second of simulated time, between metrics samples.",
    "convergence-lag": "Top: for each site, the ops made anywhere that it has not applied yet (grey while it "
                       "is down). Bottom: how long ago the whole system had made as many ops as the site "
                       "holds, for the median and the most-behind site.",
    "flatten": "Flatten commits and aborts, cumulative, over simulated time.",
}
# A trace replay's figures: one replica, over its ops (section3.py draws the same).
REPLAY_CAPTIONS = {
    "tree-size": "Tree nodes (log scale; at each flatten its before and after, a tooth) and the tombstone share "
                 "(right axis) over ops: the paper's Figure 4.",
    "time-per-op": "Host wall time per op, each sample window's mean (faint) and their running median "
                   "(bold): the paper's Figure 5. Host time varies from run to run and machine to machine.",
    "tid-bytes": "Mean TID bytes over ops (log scale); with flatten, the paper's 60 B and 2 B as dotted lines.",
}
FIGURE_ORDER = ("tree-size", "time-per-op", "tid-bytes", "traffic", "convergence-lag", "flatten")
NO_TIME_PER_OP = ("Time per op (the paper's Figure 5) is not drawn for a simulation: host time varies from run to "
                  "run, so <code>run</code> only measures how long its sites take to apply ops messages "
                  "(<code>host</code> in summary.json and the counts above, <code>host_apply_ns_per_op</code> in "
                  "metrics.jsonl's total lines), outside the event-log hash. <code>replay-trace --series</code> "
                  "measures time per op over a trace; see docs/SECTION3.md or run <code>plot.py</code> on a "
                  "replay's folder.")
# summary.json's membership counts, in the order the report lists them, with what each counts.
MEMBERSHIP_COUNTS = (
    ("rpc_failures", "flatten RPCs that failed, reported to their caller"),
    ("suspicions", "suspicions by the coordinator"),
    ("wrong_suspicions", "suspicions of a site that was up"),
    ("expulsions", "members expelled by a view change"),
    ("admissions", "sites admitted by a view change"),
    ("halts", "fenced members that stopped for good (on_expelled abort)"),
    ("demotions", "fenced members that kept their state (on_expelled demote)"),
    ("joins", "sites that joined the core"),
    ("held_alone_when_fenced", "ops a member alone held when it learned it was expelled"),
)
# Steps of the membership timeline the report lists in full; summary.json has them all.
MEMBERSHIP_STEPS_SHOWN = 200


def verdict_badge(result):
    kind = {"pass": "pass", "liveness-failure": "warn"}.get(result, "fail")
    return f'<span class="verdict {kind}">{escape(result.upper())}</span>'


def figures_section(figures, captions):
    parts = []
    for name in FIGURE_ORDER:
        if name in figures:
            png, svg = figures[name]
            parts.append(figure(png, escape(captions[name]), svg.name))
    return "".join(parts)


def invariant_rows(run):
    """(invariant, checked, outcome) for each of the checker's invariants, then liveness."""
    summary = run.summary
    result = summary.get("result")
    violation = summary.get("violation") or {}
    # A liveness failure's "invariant" (liveness, required-probe) is reported in the liveness row.
    failed = violation.get("invariant") if result == "safety-violation" else None
    names = list(run_data.INVARIANTS) + ([failed] if failed and failed not in run_data.INVARIANTS else [])
    enabled = (run.scenario.get("checker", {}).get("invariants", run_data.INVARIANTS) if run.scenario
               else run_data.INVARIANTS)
    checked = "yes" if run.scenario else "yes (assumed: the scenario file was not found)"
    rows = []
    for name in names:
        if name == failed:
            rows.append((name, "yes", Markup(f'<span class="bad">violated</span> at t={violation.get("at_s")} s: '
                                             f'{escape(violation.get("detail", ""))}')))
        elif name not in enabled:
            rows.append((name, "no", Markup('<span class="off">off in this scenario</span>')))
        elif failed:
            rows.append((name, checked, Markup('<span class="ok">held</span> until the run stopped at the '
                                               "violation")))
        else:
            rows.append((name, checked, Markup('<span class="ok">held</span>')))
    if result == "liveness-failure":
        liveness = Markup(f'<span class="bad">failed</span> ({escape(violation.get("invariant", "?"))}): '
                          f'{escape(violation.get("detail", ""))}')
    elif result == "pass":
        liveness = Markup(f'<span class="ok">converged</span> at t={summary.get("converged_at_s", "?")} s')
    else:
        liveness = Markup('<span class="off">not reached (a safety violation stopped the run)</span>')
    rows.append(("liveness: every live site converges, no update lost", "yes", liveness))
    return rows


def probe_rows(run):
    required = set((run.scenario or {}).get("checker", {}).get("require_probes", []))
    rows = []
    for name, count in sorted(run.summary.get("probes", {}).items()):
        if name in required:
            status = Markup('<span class="ok">required, fired</span>' if count else
                            '<span class="bad">required, never fired</span>')
        else:
            status = "fired" if count else Markup('<span class="off">did not fire</span>')
        rows.append((name, count, status))
    return rows


def counts_rows(s):
    wall = s.get("wall_s") or 0
    applied = s.get("ops_applied") or 0
    rows = [
        ("simulated time", f"{s.get('end_s', '?')} s"),
        ("events logged", s.get("events")),
        ("ops made, applied across sites", f"{s.get('ops_made', 0):,}, {applied:,}"),
        ("messages sent, delivered", f"{s.get('msgs_sent', 0):,}, {s.get('msgs_received', 0):,}"),
        ("messages dropped, duplicated", f"{s.get('msgs_dropped', 0):,}, {s.get('msgs_duplicated', 0):,}"),
        ("bytes sent", s.get("bytes_sent")),
        ("ops or digests of another epoch, ignored", s.get("wrong_epoch")),
        ("crashes, restarts", f"{s.get('crashes', 0)}, {s.get('restarts', 0)}"),
        ("convergence checks, state comparisons", f"{s.get('convergence_checks', 0):,}, "
                                                  f"{s.get('state_comparisons', 0):,}"),
        ("final document", f"{s.get('final_atoms', 0):,} atoms, "
                           f"{100 * (s.get('final_tombstone_ratio') or 0):.1f}% tombstones, "
                           f"{s.get('final_tid_bytes_mean', 0):.1f} B mean TID"),
        ("replica memory, all sites", f"{(s.get('replica_memory_bytes') or 0) / 2**20:.1f} MiB"),
        ("host time (not deterministic)", f"{wall:.2f} s wall, {s.get('deliveries_per_wall_s', 0):,.0f} "
                                          f"deliveries per wall s"
                                          + (f", {wall * 1e6 / applied:.1f} µs per applied op" if applied else "")),
        ("host time to apply ops messages (not deterministic)", host_time_row(s)),
    ]
    return [(k, v) for k, v in rows if v is not None]


def host_time_row(s):
    """The per-op apply time of summary.json's `host`, or None for a run without it."""
    host = s.get("host")
    if not isinstance(host, dict) or not host.get("ops_timed"):
        return None

    def us(key):
        return f"{(host.get(key) or 0) / 1e3:.2f} µs"
    return (f"{us('apply_ns_per_op_mean')} mean, {us('apply_ns_per_op_p50')} p50, {us('apply_ns_per_op_p99')} p99 "
            f"over {host['ops_timed']:,} ops applied from ops messages")


def membership_section(s):
    """The story, the counts and the steps of summary.json's `membership`, or "" without one."""
    m = s.get("membership")
    if not isinstance(m, dict):
        return ""
    parts = ["<h2>Membership</h2>"]
    if m.get("story"):
        parts.append(f'<p class="story">{escape(m["story"])}</p>')
    policies = [("on_dispatch_failure", m.get("on_dispatch_failure")), ("on_expelled", m.get("on_expelled")),
                ("failure detector", {True: "on", False: "off"}.get(m.get("failure_detector")))]
    counts = [(f"{label} ({key})", m[key]) for key, label in MEMBERSHIP_COUNTS if key in m]
    known = {key for key, _ in MEMBERSHIP_COUNTS} | {"on_dispatch_failure", "on_expelled", "failure_detector",
                                                      "timeline", "timeline_truncated", "story"}
    counts += [(key, json.dumps(value) if isinstance(value, (dict, list)) else value)
               for key, value in sorted(m.items()) if key not in known]
    parts.append(key_values([(k, v) for k, v in policies if v is not None] + counts))
    steps = m.get("timeline") or []
    if steps:
        rows = [(f"{step.get('at_s', '?')} s", step.get("by", ""), step.get("step", ""), step.get("site", ""),
                 step.get("epoch", ""), step.get("view", ""), step.get("detail", ""))
                for step in steps[:MEMBERSHIP_STEPS_SHOWN]]
        more = len(steps) - len(rows)
        note = (f" ({more} more in summary.json)" if more > 0 else "") + (
            "; the simulator kept only the first steps" if m.get("timeline_truncated") else "")
        parts.append(f"<details><summary>The {len(steps)} membership steps, in order{escape(note)}</summary>"
                     + table(rows, ("at", "by", "step", "site", "epoch", "view", "detail")) + "</details>")
    return "".join(parts)


FLATTEN_SHOWN = {"attempts", "commits", "aborts", "aborts_by_reason", "epochs", "catch_ups", "catch_up_ms_mean",
                 "catch_up_ms_max"}


def flatten_section(s):
    """summary.json's `flatten`: one sentence, the aborts by reason and the epochs as tables; one line
    when no flatten was attempted (its counts would be a table of zeros); or "" without one."""
    f = s.get("flatten")
    if not isinstance(f, dict):
        return ""
    if not f.get("attempts") and not f.get("epochs"):
        return ("<h2>Flatten</h2>" + f'<p class="note">No flatten was attempted in this run (flatten policy '
                f'<code>{escape(f.get("policy", "?"))}</code>), so no flatten table or figure.</p>')
    reasons = {k: v for k, v in (f.get("aborts_by_reason") or {}).items() if v}
    why = ", ".join(f"{n:,} {reason}" for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    epochs = f.get("epochs") or []
    story = (f"{f.get('attempts', 0):,} flatten attempts: {f.get('commits', 0):,} committed, "
             f"{f.get('aborts', 0):,} aborted{f' ({why})' if why else ''}; the run ended in epoch "
             f"{epochs[-1].get('epoch', '?') if epochs else 0}. Sites caught up {f.get('catch_ups', 0):,} times "
             f"({f.get('catch_up_ms_mean', 0):.0f} ms mean, {f.get('catch_up_ms_max', 0):.0f} ms at most).")
    parts = ["<h2>Flatten</h2>", f'<p class="story">{escape(story)}</p>']
    others = [(k, json.dumps(v) if isinstance(v, (dict, list)) else v)
              for k, v in sorted(f.items()) if k not in FLATTEN_SHOWN]
    if others:
        parts.append(key_values(others))
    if reasons:
        parts.append("<h3>Aborts by reason</h3>" + table(sorted(reasons.items(), key=lambda kv: -kv[1]),
                                                         ("reason", "aborts")))
    if epochs:
        rows = [(e.get("epoch", "?"), f"{e.get('at_s', 0):.3f} s", e.get("txid", ""), e.get("atoms", ""),
                 e.get("tombstones_before", ""), f"{e.get('tree_nodes_before', '')} → {e.get('tree_nodes_after', '')}",
                 f"{e.get('tid_bytes_mean_before', 0):.1f} → {e.get('tid_bytes_mean_after', 0):.1f}")
                for e in epochs]
        parts.append("<h3>Epochs</h3>" + table(rows, ("epoch", "entered at", "attempt", "atoms", "tombstones before",
                                                      "tree nodes", "mean TID bytes")))
    return "".join(parts)


def fault_rows(run):
    faults = sorted((run.scenario or {}).get("faults", []), key=lambda f: float(f.get("at_s", 0)))
    rows = []
    for k, fault in enumerate(faults):
        verb = next((key for key in fault if key != "at_s"), "?")
        rows.append((k, f"{fault.get('at_s')} s", verb, json.dumps(fault.get(verb), separators=(", ", ": "))))
    return rows


def scenario_section(run):
    if not run.scenario:
        return (f'<p class="note">The scenario file ({escape(run.summary.get("scenario", "?"))}) was not found '
                "from here; pass <code>--scenario FILE</code> to plot.py to show its faults.</p>")
    sc = run.scenario
    phases = sc.get("phases", {})
    parts = [key_values([
        ("file", str(run.scenario_path)),
        ("topology", json.dumps(sc.get("topology", {}))),
        ("network", json.dumps(sc.get("network", {}))),
        ("replication", json.dumps(sc.get("replication", {}))),
        ("workload", json.dumps(sc.get("workload", {}))),
        ("phases", f"safety {phases.get('safety_s', 60)} s, then liveness {phases.get('liveness_s', 30)} s"),
    ])]
    rows = fault_rows(run)
    parts.append("<h3>Faults</h3>" + (table(rows, ("#", "at", "fault", "what")) if rows else "<p>none</p>"))
    parts.append("<details><summary>The scenario file</summary><pre>"
                 f"{escape(json.dumps(sc, indent=2))}</pre></details>")
    return "".join(parts)


def timeline_section(run, scan, timeline_svg):
    if timeline_svg is None:
        return ('<p class="note">No event log in this folder: run with <code>--report</code>, or with '
                f'<code>--event-log {escape(run.directory)}/events.log</code>, then plot again.</p>')
    t0, t1 = timeline_svg.window
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(scan.counts.items()))
    return (f'<p class="note">Window {t0:.4f} to {t1:.4f} s of simulated time, {len(timeline_svg.lanes)} lanes. '
            "Another window: <code>python3 analysis/plot.py "
            f"{escape(run.directory)} --window FROM_S TO_S [--sites c0..c2,n0..n9]</code>. "
            f"Events logged, by kind: {escape(kinds)}.</p>"
            # Scaled to the page's width rather than scrolled: the viewBox keeps its proportions.
            '<div class="timeline">' + timeline_svg.svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
            + "</div>")


def write_run_report(run, scan, figures, timeline_svg):
    s = run.summary
    result = s.get("result", "?")
    scenario, seed = s.get("scenario", "?"), s.get("seed", "?")
    violation = s.get("violation")
    head = [f"<h1>{escape(scenario)}, seed {escape(seed)} {verdict_badge(result)}</h1>",
            f"<p>{escape(s.get('description', ''))}</p>"]
    facts = [("scenario", scenario), ("seed", str(seed)),
             ("sites", f"{s.get('sites', '?')} ({s.get('core', '?')} core, {s.get('nebula', '?')} nebula)"),
             ("verdict", Markup(verdict_badge(result))),
             ("event-log hash", Markup(f"<code>{escape(s.get('event_log_hash', '?'))}</code>")),
             ("reproduce with", Markup(f"<code>treedoc-sim run {escape(scenario)} --seed {escape(seed)} "
                                       f"--out {escape(run.directory)} --report</code>"))]
    if violation:
        facts.insert(4, ("violation", f"{violation.get('invariant')} at t={violation.get('at_s')} s on sites "
                                      f"{', '.join(violation.get('sites', [])) or '-'}; ops "
                                      f"{', '.join(violation.get('ops', [])) or '-'}: {violation.get('detail')}"))
    body = head + [key_values(facts), membership_section(s)]  # the story tells what the verdict is about
    body += ["<h2>Invariants</h2>", table(invariant_rows(run), ("invariant", "checked", "outcome"))]
    body += ["<h2>Coverage probes</h2>", table(probe_rows(run), ("probe", "fired", "status"))]
    body += ["<h2>Counts</h2>", key_values(counts_rows(s))]
    body.append(flatten_section(s))
    body += ["<h2>Scenario</h2>", scenario_section(run)]
    body += ["<h2>Figures</h2>", figures_section(figures, CAPTIONS) or '<p class="note">metrics.jsonl has no samples.</p>',
             f'<p class="note">{NO_TIME_PER_OP}</p>']
    # attempts > 0 with no figure: the event log and metrics held no commit to plot. A run with
    # no attempt at all says so in its Flatten section instead.
    flatten = s.get("flatten")
    if "flatten" not in figures and (not isinstance(flatten, dict) or flatten.get("attempts")):
        body.append('<p class="note">No flatten in this run (no <code>commit</code> events and no '
                    "<code>flatten_commits</code> in metrics.jsonl), so no flatten figure.</p>")
    body += ["<h2>Timeline</h2>", timeline_section(run, scan, timeline_svg)]
    body.append(files_section(run))
    (run.directory / "report.html").write_text(page(f"{scenario} seed {seed}: {result}", "".join(body)))


def files_section(run):
    """Links to the run's files beside the page. An event log written elsewhere (`--event-log
    FILE`) is named by its path, since a link to it would not follow the page."""
    here = ['<a href="summary.json">summary.json</a>', '<a href="metrics.jsonl">metrics.jsonl</a>']
    elsewhere = []
    if run.event_log:
        for path in (run.event_log.path, run.event_log.schema.path):
            if path.resolve().parent == run.directory.resolve():
                here.append(f'<a href="{escape(path.name)}">{escape(path.name)}</a>')
            else:
                elsewhere.append(f"<code>{escape(path)}</code>")
    return ('<h2>Files</h2><p class="note">In this folder: ' + ", ".join(here)
            + ", figures/ (PNG and SVG)." + (f" Elsewhere: {', '.join(elsewhere)}." if elsewhere else "")
            + " Made by analysis/plot.py.</p>")


def write_replay_report(run_dir, replay, figures):
    summary_path = run_dir / "replay.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    title = f"replay of {summary.get('trace', 'a trace')}, {replay['atoms']} atoms, " + (
        f"flatten every {replay['flatten_every']:,} ops" if replay["flatten_every"] else "never flatten")
    body = [f"<h1>{escape(title)}</h1>"]
    if summary:
        body.append(key_values([(k, json.dumps(v) if isinstance(v, (dict, list)) else v)
                                for k, v in summary.items()]))
    body += ["<h2>Figures</h2>", figures_section(figures, REPLAY_CAPTIONS)]
    (run_dir / "report.html").write_text(page(title, "".join(body)))
