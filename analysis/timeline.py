#!/usr/bin/env python3
# The space-time (Lamport) diagram of a run as SVG: sites as lanes, messages as arrows, faults shaded.
"""Space-time diagram of a run, or of a window of it, from its event log.

Sites are lanes; each message is an arrow from its send to its delivery (a duplicate gets a second
one; a dropped message is a red dashed line ending in a cross); local ops are dots, anti-entropy
timers ticks. Crashed sites are shaded grey until they restart, paused ones yellow, sites under a
loss burst orange, targets of a one-way cut purple, both ends of an rpc_failure pink, and a
partition tints the whole window. Epochs (the flatten protocol's `epoch` events) colour the lanes'
backgrounds in white and pale greens, hues no fault uses, and its `commit` events are letters in circles: P prepare sent, Y voted yes, N voted
no, C committed, A aborted. Membership steps are letters in squares on the lane of the site they
are about (? suspected, E expelled, + admitted, F fenced, D demoted, H halted, J joined; small grey
squares for catching up and asking to join), and a failed flatten RPC is a red ! on its caller's
lane. Phase lines
mark the end of the safety phase, convergence, a liveness failure and a violation, whose sites'
labels turn red. Every element has a tooltip.

Above the window an overview shows the whole run: messages per millisecond, the same lanes with
their faults, epochs and membership steps, and the window as a box.

usage: python3 analysis/timeline.py RUN_DIR [--window FROM_S TO_S] [--sites SELECTOR] [-o OUT.svg]
"""
import argparse
import html
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import run_data
from event_log import EventLogError

WIDTH = 1400
LABEL_WIDTH = 64
RIGHT_MARGIN = 16
PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
LANE_HEIGHT = 22
OVERVIEW_LANE_HEIGHT = 4
DENSITY_HEIGHT = 28
LANES_MAX = 40
# Arrows a window aims at when it is chosen automatically, and the most it draws when it is given.
ARROWS_TARGET = 250
ARROWS_MAX = 4000
# Fault shades (a colour and its opacity) per fault verb; a partition tints the whole window.
SHADES = {"crash": ("#9e9e9e", 0.45), "pause": ("#f2c200", 0.3), "loss_burst": ("#ff8c00", 0.18),
          "cut": ("#8e44ad", 0.14), "rpc_failure": ("#e377c2", 0.22)}
PARTITION_SHADE = ("#1f77b4", 0.07)
# Lane backgrounds by epoch, cycling: white and pale greens only, hues that no fault shade uses
# (greys, yellow, orange, purple, pink, the partition's blue), so an epoch never reads as a fault.
EPOCH_FILLS = ("#ffffff", "#e2f3dc", "#d3ede4", "#d4ecd9")
# The flatten commit's steps (the `step` of a `commit` event), in the legend's order.
COMMIT_LETTERS = {"prepare sent": ("P", "#1f77b4"), "voted yes": ("Y", "#2ca02c"), "voted no": ("N", "#ff7f0e"),
                  "committed": ("C", "#006400"), "aborted": ("A", "#d62728")}
# Membership steps (the `step` of a `membership` event): a letter in a square, and whether it is a
# step of the story (drawn large, and in the overview) or a step on the way (catching up, asking to join).
MEMBERSHIP_MARKS = {"suspected": ("?", "#ff7f0e", True), "expelled": ("E", "#d62728", True),
                    "admitted": ("+", "#2ca02c", True), "fenced": ("F", "#8b0000", True),
                    "demoted": ("D", "#9467bd", True), "halted": ("H", "#000000", True),
                    "catch-up-started": ("c", "#7f7f7f", False), "caught-up": ("u", "#7f7f7f", False),
                    "join-requested": ("j", "#7f7f7f", False), "joined": ("J", "#006400", True)}
RPC_FAILED_COLOUR = "#c2185b"
# What the observer marks (the `phase` of a `phase` event): a line's colour and its label.
PHASE_STYLES = {"safety phase ends": ("#555555", "liveness phase"), "converged": ("#2ca02c", "converged"),
                "liveness failed": ("#ff7f0e", "liveness failed"), "violation": ("#d62728", "violation")}
# The field holding the site whose lane an event is drawn on (membership steps: membership_lane).
LANE_FIELD = {"local-op": "site", "timer": "site", "crash": "site", "restart": "site", "epoch": "site",
              "commit": "site", "rpc-failed": "caller"}


@dataclass
class Timeline:
    svg: str
    window: tuple  # (from_s, to_s)
    lanes: list  # site names, top to bottom
    arrows: int  # messages drawn
    left_out: int  # messages in the window not drawn: other lanes, or beyond ARROWS_MAX


@dataclass
class Message:
    sender: int
    receiver: int
    seq: int
    sent_s: float
    due_s: float
    outcomes: list  # (kind "deliver" or "drop", t_s, the drop reason's name or None)


def membership_lane(event, lane_of):
    """The lane a `membership` event is drawn on: the site it is about, else the site that acted
    (when only that one is shown), else None."""
    about, by = event.get("about"), event.get("site")
    return about if about in lane_of else by if by in lane_of else None


def membership_details(run):
    """{(time in us, step, by, site): detail} from summary.json's membership timeline, for tooltips."""
    details = {}
    for step in (run.summary.get("membership") or {}).get("timeline") or []:
        try:
            key = (round(float(step["at_s"]) * 1e6), step["step"], step["by"], step["site"])
        except (KeyError, TypeError, ValueError):
            continue
        if step.get("detail"):
            details[key] = step["detail"]
    return details


def membership_tooltip(topology, event, details):
    step = event.name("step")
    by, about = topology.name(event.get("site")), topology.name(event.get("about"))
    what = f"{by}: {step}" if by == about else f"{by}: {step} {about}"
    detail = details.get((round(event.t_s * 1e6), step, by, about))
    return (f"{what} (epoch {event.get('epoch')}, view {event.get('view')})" + (f"; {detail}" if detail else "")
            + f", t={event.t_s:.6f} s")


def choose_lanes(run, scan, selector):
    """Every site up to LANES_MAX; beyond, the sites something happens to first (violation,
    crashes, flatten coordinators), then the core, then nebula sites in order."""
    topology = run.topology
    if selector:
        return topology.select(selector.split(","))  # ValueError for a site that does not exist
    if topology.count <= LANES_MAX:
        return list(range(topology.count))
    chosen = []
    violation = run.summary.get("violation") or {}
    for name in violation.get("sites", []):
        chosen.append(topology.index(name))
    chosen += [e.get("about") for e in scan.landmarks if e.kind == "membership"]
    chosen += [e.get("site") for e in scan.landmarks if e.kind in ("crash", "commit")]
    chosen += list(range(topology.count))
    lanes = []
    for i in chosen:
        if i not in lanes and 0 <= i < topology.count:
            lanes.append(i)
        if len(lanes) == LANES_MAX:
            break
    return sorted(lanes)


def is_turning_point(e):
    """A crash, a failed flatten RPC, or a membership step drawn large."""
    if e.kind == "membership":
        return MEMBERSHIP_MARKS.get(e.name("step"), (None, None, False))[2]
    return e.kind in ("crash", "rpc-failed")


def choose_window(run, scan, lanes):
    """A window holding about ARROWS_TARGET messages between the lanes shown: ending at the
    violation if there is one, else starting just before the first crash, failed flatten RPC or
    membership step drawn large (whichever comes first), else the first fault, else at the start.

    A membership story gets room: a violation whose site halted itself ends the window at that
    halt instead (its ops were lost there, not where the checker noticed), and a window that ends
    at a halt or starts at a membership step reaches back to the first failed RPC or step, or on
    to the first fencing, as long as that adds up to at most ARROWS_MAX / 4 arrows."""
    share = (len(lanes) / max(1, run.topology.count)) ** 2  # broadcast: both ends must be shown
    budget = ARROWS_TARGET / max(share, 1e-6)
    stretch_budget = ARROWS_MAX / 4 / max(share, 1e-6)
    bins = scan.messages_per_bin
    end = max(run.end_s, scan.end_s)

    def messages(t0, t1):
        return sum(bins.get(b, 0) for b in range(int(t0 / scan.bin_s), int(t1 / scan.bin_s) + 1))

    steps = [(e.t_s, e.name("step"), e.get("about")) for e in scan.of_kind("membership")]
    story_start = next((e.t_s for e in scan.landmarks
                        if e.kind == "rpc-failed" or (e.kind == "membership" and is_turning_point(e))), None)
    violation = run.summary.get("violation")
    if violation:
        violated = {run.topology.index(n) for n in violation.get("sites", []) if n[:1] in "cn"}
        halts = [t for t, step, site in steps if step == "halted" and site in violated]
        anchor = halts[-1] if halts else float(violation.get("at_s", end))
        last = b = int(anchor / scan.bin_s)
        total = 0
        while b >= 0 and total < budget:
            total += bins.get(b, 0)
            b -= 1
        width = max(0.005, (last - b) * scan.bin_s)
        start = max(0.0, anchor - width)
        if halts and story_start is not None and story_start < start and \
                messages(story_start, anchor) <= stretch_budget:
            start = max(0.0, story_start - 0.05 * (anchor - story_start))
        return start, anchor + 0.05 * (anchor - start)  # past the run's end: the line shows
    first = next((e.t_s for e in scan.landmarks if is_turning_point(e)), None)  # landmarks are in time order
    faults = scan.of_kind("fault")
    anchor = first if first is not None else faults[0].t_s if faults else 0.0
    first = b = int(anchor / scan.bin_s)
    total = 0
    last_bin = int(end / scan.bin_s)
    while b <= last_bin and total < budget:
        total += bins.get(b, 0)
        b += 1
    width = max(0.005, (b - first) * scan.bin_s)
    start = max(0.0, anchor - 0.05 * width)
    stop = min(end, start + width)
    fenced = next((t for t, step, _ in steps if step == "fenced" and t >= anchor), None)
    if story_start is not None and fenced is not None and fenced > stop and \
            messages(start, fenced) <= stretch_budget:
        stop = min(end, fenced + 0.05 * (fenced - start))
    return start, stop


def window_events(event_log, window, shown):
    """Second pass: the messages between shown lanes that are in flight during the window, and the
    other events of the window on those lanes."""
    t0, t1 = window
    messages, others, left_out = {}, [], 0
    for e in event_log.events():
        if e.kind == "send":
            a, b, c = e.get("from"), e.get("to"), e.get("seq")
            due = e.get("due_us") / 1e6
            if e.t_s <= t1 and max(e.t_s, due) >= t0:
                if a in shown and b in shown:
                    messages[(a, b, c)] = Message(a, b, c, e.t_s, due, [])
                else:
                    left_out += 1
        elif e.kind in ("deliver", "drop"):
            a, b, c = e.get("from"), e.get("to"), e.get("seq")
            message = messages.get((a, b, c))
            if message is None and t0 <= e.t_s <= t1 and a in shown and b in shown:
                # A drop without a send was dropped as it was sent (partition, cut, loss: no send is
                # logged). A delivery without one was sent before the window and held past its due
                # time by a pause: it is drawn from the window's edge.
                sent = e.t_s if e.kind == "drop" else None
                message = messages[(a, b, c)] = Message(a, b, c, sent, sent, [])
            if message is not None:
                message.outcomes.append((e.kind, e.t_s, e.name("reason") if e.kind == "drop" else None))
        elif e.kind in ("local-op", "timer") and t0 <= e.t_s <= t1 and e.get("site") in shown:
            others.append(e)
        if e.t_s > t1 + 60:  # nothing sent in the window is still in flight a minute later
            break
    return list(messages.values()), others, left_out


def attributes_text(attributes):
    """SVG attributes from keyword arguments: stroke_width -> stroke-width; None values left out."""
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{html.escape(str(v))}"'
                    for k, v in attributes.items() if v is not None)


class Svg:
    def __init__(self):
        self.parts = []

    def add(self, element, tooltip=None, **attributes):
        if tooltip is None:
            self.parts.append(f"<{element} {attributes_text(attributes)}/>")
        else:
            self.parts.append(f"<{element} {attributes_text(attributes)}><title>{html.escape(tooltip)}</title>"
                              f"</{element}>")

    def text(self, x, y, content, tooltip=None, **attributes):
        title = f"<title>{html.escape(tooltip)}</title>" if tooltip else ""
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" {attributes_text(attributes)}>{html.escape(content)}'
                          f'{title}</text>')

    def raw(self, markup):
        self.parts.append(markup)


def nice_ticks(t0, t1, count=10):
    """About `count` round tick positions between t0 and t1, and their step."""
    raw = max(t1 - t0, 1e-9) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude)
    return [k * step for k in range(math.ceil(t0 / step - 1e-9), math.floor(t1 / step + 1e-9) + 1)], step


def time_label(t, step):
    return f"{t:.{max(0, math.ceil(-math.log10(step) - 1e-9))}f} s"


@dataclass
class Scene:
    """What the overview and the window draw: the lanes, the window, what happens in it, and the
    run's fault spans, epochs and violation."""
    run: run_data.Run
    scan: run_data.EventScan
    lanes: list  # site indices, top to bottom
    lane_of: dict  # site index -> its row
    end: float  # the end of the whole run, in seconds
    t0: float  # the window, in seconds
    t1: float
    messages: list  # the window's Message arrows
    others: list  # the window's local ops and timers on the lanes shown
    left_out: int  # messages in the window not drawn
    spans: list  # FaultSpans over the whole run
    epochs: dict  # run_data.epoch_spans
    violation: dict  # summary.json's, or empty
    violated: set  # the violation's site indices
    details: dict  # membership_details, for tooltips

    @property
    def topology(self):
        return self.run.topology


class TimeAxis:
    """The x of a simulated time, from t0 at the plot's left edge to t1 at its right."""

    def __init__(self, t0, t1):
        self.t0, self.t1 = t0, t1

    def __call__(self, t):
        return LABEL_WIDTH + PLOT_WIDTH * (t - self.t0) / (self.t1 - self.t0)


@dataclass
class LaneRows:
    """Where the lanes of the overview or the window are: the first one's top, and their height."""
    top: float
    height: float
    lane_of: dict

    def top_of(self, site):
        return self.top + self.height * self.lane_of[site]

    def middle_of(self, site):
        return self.top + self.height * (self.lane_of[site] + 0.5)


def draw(run, scan, window=None, sites=None):
    """The diagram of a run: a title, the overview of the whole run, the window (`window`, else
    chosen) with the lanes `sites` (else chosen), and the legend."""
    scene = plan_scene(run, scan, window, sites)
    svg = Svg()
    y = draw_title(svg, scene, 8)
    y = draw_overview(svg, scene, y)
    y = draw_window(svg, scene, y)
    y = draw_legend(svg, y, len(scene.messages), scene.left_out)
    body = "".join(svg.parts)
    document = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y:.0f}" '
                f'viewBox="0 0 {WIDTH} {y:.0f}" font-family="DejaVu Sans, Arial, sans-serif">'
                f'<rect width="{WIDTH}" height="{y:.0f}" fill="#fff"/>{body}</svg>\n')
    return Timeline(document, (scene.t0, scene.t1), [run.topology.name(s) for s in scene.lanes],
                    len(scene.messages), scene.left_out)


def plan_scene(run, scan, window, sites):
    """Chooses the lanes and the window, and reads what the window holds (the event log's second pass)."""
    topology = run.topology
    lanes = choose_lanes(run, scan, sites)
    end = max(run.end_s, scan.end_s, 1e-6)
    t0, t1 = window if window else choose_window(run, scan, lanes)
    t1 = max(t1, t0 + 1e-6)
    messages, others, left_out = (window_events(run.event_log, (t0, t1), set(lanes)) if run.event_log
                                  else ([], [], 0))
    if len(messages) > ARROWS_MAX:
        left_out += len(messages) - ARROWS_MAX
        messages = messages[:ARROWS_MAX]
    crash_spans = run_data.crash_spans(scan, topology, end)
    violation = run.summary.get("violation") or {}
    return Scene(run=run, scan=scan, lanes=lanes, lane_of={site: k for k, site in enumerate(lanes)}, end=end,
                 t0=t0, t1=t1, messages=messages, others=others, left_out=left_out,
                 spans=run.fault_spans(crash_spans) if run.scenario else crash_spans,
                 epochs=run_data.epoch_spans(scan, end), violation=violation,
                 violated={topology.index(n) for n in violation.get("sites", []) if n[:1] in "cn"},
                 details=membership_details(run))


def draw_title(svg, scene, y):
    summary = scene.run.summary
    svg.text(8, y + 12, f"{summary.get('scenario', '')}, seed {summary.get('seed', '?')}: "
             f"{len(scene.lanes)} of {scene.topology.count} sites, whole run 0 to {scene.end:g} s; the window "
             f"below is {scene.t0:.4f} to {scene.t1:.4f} s", font_size=13, font_weight="bold")
    return y + 24


def draw_overview(svg, scene, y):
    """The whole run above the window: messages over time, the lanes with their epochs, faults and
    membership steps, the phase lines, the window as a red box, and time ticks. Returns the y
    below it."""
    x_of = TimeAxis(0.0, scene.end)
    density_top = y
    draw_density(svg, scene, density_top)
    rows = LaneRows(density_top + DENSITY_HEIGHT + 4, OVERVIEW_LANE_HEIGHT, scene.lane_of)
    height = OVERVIEW_LANE_HEIGHT * len(scene.lanes)
    svg.add("rect", x=LABEL_WIDTH, y=rows.top, width=PLOT_WIDTH, height=height, fill="#fafafa", stroke="#ccc")
    for site, start, stop, epoch in epochs_shown(scene):
        svg.add("rect", f"{scene.topology.name(site)} in epoch {epoch}", x=f"{x_of(start):.1f}",
                y=rows.top_of(site), width=f"{max(0.5, x_of(stop) - x_of(start)):.1f}",
                height=OVERVIEW_LANE_HEIGHT, fill=EPOCH_FILLS[epoch % len(EPOCH_FILLS)])
    draw_spans(svg, scene.spans, scene.lane_of, x_of, rows.top, OVERVIEW_LANE_HEIGHT, height)
    draw_overview_membership(svg, scene, x_of, rows)
    svg.text(4, rows.top + height / 2 + 4, "sites", font_size=10, fill="#555")
    draw_phases(svg, scene.scan, x_of, density_top, rows.top + height, labels=False)
    svg.add("rect", f"the window: {scene.t0:.4f} to {scene.t1:.4f} s", x=f"{x_of(scene.t0):.1f}", y=density_top - 2,
            width=f"{max(2.0, x_of(min(scene.t1, scene.end)) - x_of(scene.t0)):.1f}",
            height=rows.top + height - density_top + 4, fill="none", stroke="#d62728", stroke_width=1.5)
    y = rows.top + height + 4
    ticks, step = nice_ticks(0, scene.end)
    for t in ticks:
        svg.text(x_of(t), y + 10, time_label(t, step), font_size=9, text_anchor="middle", fill="#555")
    return y + 22


def draw_density(svg, scene, top):
    """Messages sent (and dropped as sent) over the whole run, as a line in 400 columns."""
    scan, end = scene.scan, scene.end
    svg.text(4, top + DENSITY_HEIGHT / 2 + 4, "messages", font_size=10, fill="#555")
    if not scan.messages_per_bin:
        return
    columns = 400
    per_column = [0] * columns
    for b, n in scan.messages_per_bin.items():
        per_column[min(columns - 1, int(b * scan.bin_s / end * columns))] += n
    peak = max(per_column) or 1
    points = " ".join(f"{LABEL_WIDTH + PLOT_WIDTH * (k + 0.5) / columns:.1f},"
                      f"{top + DENSITY_HEIGHT * (1 - n / peak):.1f}" for k, n in enumerate(per_column))
    svg.add("polyline", f"messages sent over the run (peak {peak} per {end / columns * 1000:.0f} ms)",
            points=points, fill="none", stroke="#1f77b4", stroke_width=1)


def epochs_shown(scene):
    """(site, start, stop, epoch) of every epoch span on a lane shown."""
    return [(site, start, stop, epoch) for site, spans_of_site in scene.epochs.items() if site in scene.lane_of
            for start, stop, epoch in spans_of_site]


def draw_overview_membership(svg, scene, x_of, rows):
    """The membership steps of the story as coloured bars on the overview's lanes."""
    for e in scene.scan.of_kind("membership"):
        letter, colour, story = MEMBERSHIP_MARKS.get(e.name("step"), ("?", "#999", False))
        lane = membership_lane(e, scene.lane_of)
        if story and lane is not None:
            x = x_of(e.t_s)
            svg.add("rect", membership_tooltip(scene.topology, e, scene.details), x=f"{x - 1.5:.1f}",
                    y=rows.top_of(lane) - 1.5, width=3, height=OVERVIEW_LANE_HEIGHT + 3, fill=colour)


def draw_window(svg, scene, y):
    """The window: time ticks, lanes with epochs and faults, message arrows, local events, the
    protocol's landmarks, the violation, phase lines and lane labels. Returns the y below it."""
    x_of = TimeAxis(scene.t0, scene.t1)
    rows = LaneRows(y + 18, LANE_HEIGHT, scene.lane_of)
    height = LANE_HEIGHT * len(scene.lanes)
    svg.raw(f'<defs><clipPath id="timeline-window"><rect x="{LABEL_WIDTH}" y="{rows.top}" width="{PLOT_WIDTH}" '
            f'height="{height}"/></clipPath>'
            '<marker id="timeline-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>')
    ticks, step = nice_ticks(scene.t0, scene.t1)
    for t in ticks:
        svg.add("line", x1=f"{x_of(t):.1f}", x2=f"{x_of(t):.1f}", y1=rows.top, y2=rows.top + height, stroke="#eee")
        svg.text(x_of(t), rows.top - 4, time_label(t, step), font_size=9, text_anchor="middle", fill="#555")
    svg.raw('<g clip-path="url(#timeline-window)">')
    draw_window_lanes(svg, scene, x_of, rows)
    draw_spans(svg, [s for s in scene.spans if s.end_s >= scene.t0 and s.start_s <= scene.t1], scene.lane_of,
               x_of, rows.top, LANE_HEIGHT, height)
    for site in scene.lanes:
        svg.add("line", x1=LABEL_WIDTH, x2=LABEL_WIDTH + PLOT_WIDTH, y1=f"{rows.middle_of(site):.1f}",
                y2=f"{rows.middle_of(site):.1f}", stroke="#bbb", stroke_width=0.6)
    for m in scene.messages:
        draw_message(svg, scene.topology, m, x_of, rows.middle_of, scene.t0)
    for e in scene.others:
        draw_local_event(svg, scene.topology, e, x_of(e.t_s), rows.middle_of(e.get("site")))
    draw_landmarks(svg, scene, x_of, rows)
    draw_violation_rings(svg, scene, x_of, rows)
    svg.raw("</g>")
    draw_phases(svg, scene.scan, x_of, rows.top, rows.top + height, labels=True, window=(scene.t0, scene.t1),
                violation=scene.violation)
    draw_lane_labels(svg, scene, rows)
    svg.add("rect", x=LABEL_WIDTH, y=rows.top, width=PLOT_WIDTH, height=height, fill="none", stroke="#999")
    return rows.top + height + 8


def draw_window_lanes(svg, scene, x_of, rows):
    """The lanes' backgrounds: alternating rows, then each epoch's colour, labelled where it starts."""
    for site in scene.lanes:
        svg.add("rect", x=LABEL_WIDTH, y=rows.top_of(site), width=PLOT_WIDTH, height=LANE_HEIGHT,
                fill="#ffffff" if scene.lane_of[site] % 2 else "#fbfbfb")
    for site, start, stop, epoch in epochs_shown(scene):
        if stop >= scene.t0 and start <= scene.t1:
            svg.add("rect", f"{scene.topology.name(site)} in epoch {epoch}", x=f"{x_of(start):.1f}",
                    y=rows.top_of(site), width=f"{max(0.5, x_of(stop) - x_of(start)):.1f}", height=LANE_HEIGHT,
                    fill=EPOCH_FILLS[epoch % len(EPOCH_FILLS)])
            if start >= scene.t0:
                svg.text(x_of(start) + 2, rows.top_of(site) + 8, f"epoch {epoch}", font_size=7, fill="#555")


def draw_local_event(svg, topology, e, x, ly):
    """A local op (a dot: green insert, brown delete) or a timer (a grey tick)."""
    site = e.get("site")
    if e.kind == "local-op":
        insert = e.name("op") == "insert"
        svg.add("circle", f"{topology.name(site)}#{e.get('counter')}: {'insert' if insert else 'delete'} "
                f"at index {e.get('position')}, t={e.t_s:.6f} s", cx=f"{x:.1f}", cy=f"{ly:.1f}", r=2.6,
                fill="#2ca02c" if insert else "#8c564b")
    else:
        svg.add("line", f"{topology.name(site)}: {e.name('timer')} timer, t={e.t_s:.6f} s", x1=f"{x:.1f}",
                x2=f"{x:.1f}", y1=f"{ly - 5:.1f}", y2=f"{ly + 5:.1f}", stroke="#777", stroke_width=1)


def draw_landmarks(svg, scene, x_of, rows):
    """The window's membership steps (side by side when they share an instant and a lane), then its
    crashes, restarts, epoch changes, commit steps and failed RPCs, in log order."""
    side_by_side = {}  # (lane, x): membership steps drawn there, so steps of one instant do not hide each other
    for e in scene.scan.landmarks:
        if not (scene.t0 <= e.t_s <= scene.t1):
            continue
        if e.kind == "membership":
            lane = membership_lane(e, scene.lane_of)
            if lane is not None:
                spot = (lane, round(x_of(e.t_s)))
                side_by_side[spot] = side_by_side.get(spot, -1) + 1
                draw_membership_step(svg, scene.topology, e, x_of(e.t_s) + 15 * side_by_side[spot],
                                     rows.middle_of(lane), scene.details)
        elif e.kind in LANE_FIELD and e.get(LANE_FIELD[e.kind]) in scene.lane_of:
            site = e.get(LANE_FIELD[e.kind])
            draw_landmark(svg, scene.topology, e, x_of(e.t_s), rows.middle_of(site), scene.topology.name(site))


def draw_landmark(svg, topology, e, x, ly, name):
    """A crash (a red cross), a restart (a green triangle), an epoch entered (a line), a commit step
    (its letter in a circle) or a failed flatten RPC (a red !), on the lane of site `name`."""
    if e.kind == "crash":
        svg.text(x, ly + 5, "✕", f"{name} crashes, t={e.t_s:.6f} s", font_size=15, fill="#d62728",
                 text_anchor="middle", font_weight="bold")
    elif e.kind == "restart":
        svg.text(x, ly + 5, "▶", f"{name} restarts, t={e.t_s:.6f} s", font_size=12, fill="#2ca02c",
                 text_anchor="middle")
    elif e.kind == "epoch":
        svg.add("line", f"{name} enters epoch {e.get('epoch')}, t={e.t_s:.6f} s", x1=f"{x:.1f}", x2=f"{x:.1f}",
                y1=f"{ly - LANE_HEIGHT / 2:.1f}", y2=f"{ly + LANE_HEIGHT / 2:.1f}", stroke="#333", stroke_width=1.5)
    elif e.kind == "commit" and e.name("step") in COMMIT_LETTERS:
        step = e.name("step")
        letter, colour = COMMIT_LETTERS[step]
        tooltip = f"{name}: {step} (flatten of epoch {e.get('epoch')}), t={e.t_s:.6f} s"
        svg.add("circle", tooltip, cx=f"{x:.1f}", cy=f"{ly:.1f}", r=6.5, fill="#fff", stroke=colour,
                stroke_width=1.5)
        svg.text(x, ly + 3.5, letter, tooltip, font_size=9, fill=colour, text_anchor="middle", font_weight="bold")
    elif e.kind == "rpc-failed":
        svg.text(x, ly - 4, "!", f"{name}'s flatten RPC to {topology.name(e.get('callee'))} #{e.get('seq')} "
                 f"failed ({e.name('error')}); {name} is told, t={e.t_s:.6f} s", font_size=13,
                 fill=RPC_FAILED_COLOUR, text_anchor="middle", font_weight="bold")


def draw_violation_rings(svg, scene, x_of, rows):
    """A red ring on each violated site's lane at the violation's instant, when it is in the window."""
    violation = scene.violation
    if violation and scene.t0 <= float(violation.get("at_s", -1)) <= scene.t1:
        for site in scene.violated & set(scene.lanes):
            svg.add("circle", f"violation: {violation.get('invariant')} on {scene.topology.name(site)}",
                    cx=f"{x_of(float(violation['at_s'])):.1f}", cy=f"{rows.middle_of(site):.1f}", r=8, fill="none",
                    stroke="#d62728", stroke_width=2.5)


def draw_lane_labels(svg, scene, rows):
    """Site names left of the lanes: core sites bold, the violation's sites bold red."""
    topology = scene.topology
    for site in scene.lanes:
        red = site in scene.violated
        svg.text(LABEL_WIDTH - 6, rows.middle_of(site) + 4, topology.name(site),
                 "violation site" if red else ("core site" if site < topology.core else "nebula site"),
                 font_size=11, text_anchor="end", font_weight="bold" if red or site < topology.core else None,
                 fill="#d62728" if red else "#222")


def draw_membership_step(svg, topology, e, x, ly, details):
    """A membership step: its letter in a square, large for a step of the story."""
    letter, colour, story = MEMBERSHIP_MARKS.get(e.name("step"), ("?", "#999", False))
    tooltip = membership_tooltip(topology, e, details)
    half = 7 if story else 4.5
    svg.add("rect", tooltip, x=f"{x - half:.1f}", y=f"{ly - half:.1f}", width=2 * half, height=2 * half, fill="#fff",
            stroke=colour, stroke_width=1.8 if story else 1)
    svg.text(x, ly + (3.5 if story else 2.5), letter, tooltip, font_size=10 if story else 7, fill=colour,
             text_anchor="middle", font_weight="bold")


def draw_spans(svg, spans, lane_of, x_of, top, lane_height, height):
    for span in spans:
        x = x_of(span.start_s)
        width = max(1.0, x_of(span.end_s) - x)
        tooltip = f"{span.label}: {span.start_s:g} to {span.end_s:g} s"
        if span.verb == "partition":
            colour, opacity = PARTITION_SHADE
            svg.add("rect", tooltip, x=f"{x:.1f}", y=top, width=f"{width:.1f}", height=height, fill=colour,
                    fill_opacity=opacity, stroke=colour, stroke_opacity=0.4, stroke_dasharray="4 3")
            if lane_height == LANE_HEIGHT:  # the window, not the overview: say who is cut off from whom
                svg.text(max(x, LABEL_WIDTH) + 4, top + height - 4, span.label, tooltip, font_size=9,
                         fill=colour)
            continue
        colour, opacity = SHADES.get(span.verb, ("#999", 0.2))
        for site in span.sites:
            if site in lane_of:
                svg.add("rect", tooltip, x=f"{x:.1f}", y=top + lane_height * lane_of[site], width=f"{width:.1f}",
                        height=lane_height, fill=colour, fill_opacity=opacity)


def draw_phases(svg, scan, x_of, top, bottom, labels, window=None, violation=None):
    for e in scan.of_kind("phase"):
        if window and not (window[0] <= e.t_s <= window[1]):
            continue
        phase = e.name("phase")
        colour, label = PHASE_STYLES.get(phase, ("#999", phase))
        is_violation = phase == "violation"
        if is_violation and violation:
            label = f"violation: {violation.get('invariant', '?')}"
        x = x_of(e.t_s)
        svg.add("line", f"{label}, t={e.t_s:.6f} s", x1=f"{x:.1f}", x2=f"{x:.1f}", y1=top, y2=bottom,
                stroke=colour, stroke_width=2.5 if is_violation else 1.2,
                stroke_dasharray=None if is_violation else "5 3")
        if labels:  # left of the line in the window's right third, so it is not cut off
            right_third = x > LABEL_WIDTH + PLOT_WIDTH * 2 / 3
            svg.text(x - 3 if right_third else x + 3, top + 10, label, font_size=10, fill=colour,
                     font_weight="bold", text_anchor="end" if right_third else None)


def draw_message(svg, topology, m, dx, lane_y, t0):
    route = f"{topology.name(m.sender)} → {topology.name(m.receiver)} #{m.seq}"
    sent_x = dx(m.sent_s) if m.sent_s is not None else dx(t0) - 4
    y0, y1 = lane_y(m.sender), lane_y(m.receiver)
    sent = f"sent t={m.sent_s:.6f} s" if m.sent_s is not None else "sent before the window"
    if not m.outcomes:
        svg.add("line", f"{route}: {sent}, due t={m.due_s:.6f} s, no delivery logged", x1=f"{sent_x:.1f}",
                y1=f"{y0:.1f}", x2=f"{dx(m.due_s):.1f}", y2=f"{y1:.1f}", stroke="#999", stroke_width=0.8,
                stroke_dasharray="2 2")
        return
    delivered = 0
    for kind, t, reason in m.outcomes:
        x = dx(t)
        if kind == "deliver":
            delivered += 1
            colour = "#9467bd" if delivered > 1 else ("#1f4e9c" if m.sender < topology.core else "#17becf")
            what = "delivered again (duplicate)" if delivered > 1 else "delivered"
            svg.add("line", f"{route}: {sent}, {what} t={t:.6f} s", x1=f"{sent_x:.1f}", y1=f"{y0:.1f}",
                    x2=f"{x:.1f}", y2=f"{y1:.1f}", stroke=colour, stroke_width=0.9, stroke_opacity=0.75,
                    marker_end="url(#timeline-arrow)")
            continue
        tooltip = f"{route}: {sent}, dropped t={t:.6f} s ({reason})"
        if x - sent_x < 3:  # dropped as it was sent: a short stub towards its destination
            end_x, end_y = sent_x + 8, y0 + (6 if y1 > y0 else -6 if y1 < y0 else 0)
        else:
            end_x, end_y = x, y1
        svg.add("line", tooltip, x1=f"{sent_x:.1f}", y1=f"{y0:.1f}", x2=f"{end_x:.1f}", y2=f"{end_y:.1f}",
                stroke="#d62728", stroke_width=0.9, stroke_dasharray="3 2")
        svg.text(end_x, end_y + 3.5, "×", tooltip, font_size=11, fill="#d62728", text_anchor="middle")


def draw_legend(svg, y, arrows, left_out):
    items = [("line", "#1f4e9c", "message from a core site"), ("line", "#17becf", "from a nebula site"),
             ("line", "#9467bd", "duplicate delivery"), ("drop", "#d62728", "dropped"),
             ("dot", "#2ca02c", "local insert"), ("dot", "#8c564b", "local delete"),
             ("tick", "#777", "timer"), ("text", "#d62728", "✕ crash"), ("text", "#2ca02c", "▶ restart")]
    shades = [(*SHADES[verb], label) for verb, label in (("crash", "down"), ("pause", "paused"),
                                                         ("loss_burst", "loss burst"), ("cut", "cut target"),
                                                         ("rpc_failure", "rpc failure"))]
    shades.append((*PARTITION_SHADE, "partition"))
    x = LABEL_WIDTH
    for kind, colour, label in items:
        if kind in ("line", "drop"):
            svg.add("line", x1=x, x2=x + 18, y1=y + 6, y2=y + 6, stroke=colour, stroke_width=1.5,
                    stroke_dasharray="3 2" if kind == "drop" else None)
        elif kind == "dot":
            svg.add("circle", cx=x + 9, cy=y + 6, r=3, fill=colour)
        elif kind == "tick":
            svg.add("line", x1=x + 9, x2=x + 9, y1=y + 1, y2=y + 11, stroke=colour)
        if kind == "text":
            svg.text(x, y + 10, label, font_size=10, fill=colour)
            x += 70
        else:
            svg.text(x + 22, y + 10, label, font_size=10, fill="#333")
            x += 30 + 6 * len(label)
    y += 18
    x = LABEL_WIDTH
    for colour, opacity, label in shades:
        svg.add("rect", x=x, y=y, width=18, height=12, fill=colour, fill_opacity=opacity, stroke="#ccc")
        svg.text(x + 22, y + 10, label, font_size=10, fill="#333")
        x += 30 + 6 * len(label)
    for letter, colour in COMMIT_LETTERS.values():
        svg.text(x, y + 10, letter, font_size=10, fill=colour, font_weight="bold")
        x += 12
    svg.text(x, y + 10, "flatten: prepare, yes, no, committed, aborted; lane colours: epochs", font_size=10,
             fill="#333")
    y += 18
    x = LABEL_WIDTH
    for step in ("suspected", "expelled", "fenced", "demoted", "halted", "admitted", "joined"):
        letter, colour, _ = MEMBERSHIP_MARKS[step]
        svg.add("rect", x=x, y=y, width=12, height=12, fill="#fff", stroke=colour, stroke_width=1.5)
        svg.text(x + 6, y + 10, letter, font_size=9, fill=colour, text_anchor="middle", font_weight="bold")
        svg.text(x + 16, y + 10, step, font_size=10, fill="#333")
        x += 24 + 6 * len(step)
    svg.add("rect", x=x, y=y + 2, width=9, height=9, fill="#fff", stroke="#7f7f7f")
    svg.text(x + 13, y + 10, "catching up, asking to join", font_size=10, fill="#333")
    x += 24 + 6 * len("catching up, asking to join")
    svg.text(x, y + 10, "!", font_size=12, fill=RPC_FAILED_COLOUR, font_weight="bold")
    svg.text(x + 8, y + 10, "failed flatten RPC (on the caller's lane)", font_size=10, fill="#333")
    y += 18
    note = f"{arrows} messages drawn"
    if left_out:
        note += f"; {left_out} in the window to or from sites not shown (or beyond {ARROWS_MAX}) left out"
    svg.text(LABEL_WIDTH, y + 10, note + ". Hover over anything for details.", font_size=10, fill="#555")
    return y + 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", metavar="RUN_DIR")
    parser.add_argument("--events", help="the event log (default RUN_DIR/events.log)")
    parser.add_argument("--scenario", help="the scenario file (default: the path in summary.json)")
    parser.add_argument("--window", nargs=2, type=float, metavar=("FROM_S", "TO_S"))
    parser.add_argument("--sites", help="lanes, as a site selector: c0..c2,n0..n9")
    parser.add_argument("-o", "--output", help="default RUN_DIR/figures/timeline.svg")
    args = parser.parse_args()
    try:
        run = run_data.load_run(args.run_dir, args.events, args.scenario)
    except EventLogError as e:
        sys.exit(f"timeline.py: {e}")
    if not run.event_log:
        sys.exit(f"timeline.py: {args.run_dir}: no event log (run with --report, or --event-log "
                 f"{args.run_dir}/events.log)")
    try:
        timeline = draw(run, run_data.scan_events(run.event_log), args.window, args.sites)
    except ValueError as e:
        sys.exit(f"timeline.py: --sites {args.sites}: {e}")
    out = Path(args.output) if args.output else Path(args.run_dir) / "figures" / "timeline.svg"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(timeline.svg)
    print(f"{out}: {timeline.window[0]:.4f} to {timeline.window[1]:.4f} s, {len(timeline.lanes)} lanes, "
          f"{timeline.arrows} messages")


if __name__ == "__main__":
    main()
