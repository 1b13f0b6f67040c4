# Reads a run's event log by the schema the run wrote beside it, so fields and enum values have names.
"""The event log (`<n> t=<us>[.5]us <kind> <field>...`) and its schema (`events.schema.json` beside
`events.log`: each kind's fields in order with their types, and the names of every enum a field
holds, in value order), both written by `treedoc-sim run`. The schema is generated from the C++
registries (sim/world/event_kinds.hpp, sim/world/event_schema.cpp), so nothing here copies C++ enum
order: an event's fields are read by name (`event.get("reason")`, an integer) and an enum field's
value by its name (`event.name("reason")`, "partition").

USES and NAMES_USED below are everything analysis/ reads from a log. `EventLog.open` checks the
run's schema against them and stops with one message naming what is missing, rather than reading
a renamed or retyped field as something else. Kinds, fields and enum names analysis/ does not use
are read and ignored; an event whose kind the schema does not know is counted and skipped.
"""
import json
from pathlib import Path

# The schema versions this module reads: the version changes when the line format or the meaning
# of a kind or field does, which names alone would not show.
SCHEMA_VERSIONS = (1,)

# Every kind analysis/ reads, with every field it reads and the type it reads it as ("site": a
# site index, c0.. then n0..). A kind with no fields is used only for its time.
USES = {
    "send": {"from": "site", "to": "site", "seq": "number", "due_us": "time_us"},
    "drop": {"from": "site", "to": "site", "seq": "number", "reason": "drop_reason"},
    "deliver": {"from": "site", "to": "site", "seq": "number"},
    "local-op": {"site": "site", "counter": "number", "op": "op_kind", "position": "number"},
    "timer": {"site": "site", "timer": "timer_kind"},
    "fault": {},
    "crash": {"site": "site"},
    "restart": {"site": "site"},
    "phase": {"phase": "run_phase"},
    "epoch": {"site": "site", "epoch": "number"},
    "commit": {"site": "site", "step": "commit_phase", "epoch": "number"},
    "membership": {"site": "site", "step": "membership_step", "about": "site", "epoch": "number",
                   "view": "number"},
    "rpc-failed": {"caller": "site", "callee": "site", "seq": "number", "error": "rpc_error"},
}

# Every enum analysis/ reads a field's value of by name (`Event.name`), per field type, with the
# names it decides by or keys a style, letter or label by. An empty tuple: the names are only
# shown (a timer's, a drop reason's, an RPC error's), whatever they are.
NAMES_USED = {
    "op_kind": ("insert", "delete"),
    "drop_reason": (),
    "timer_kind": (),
    "rpc_error": (),
    "run_phase": ("safety phase ends", "converged", "liveness failed", "violation"),
    "commit_phase": ("prepare sent", "voted yes", "voted no", "committed", "aborted"),
    "membership_step": ("suspected", "expelled", "admitted", "fenced", "demoted", "halted", "catch-up-started",
                        "caught-up", "join-requested", "joined"),
}


class EventLogError(Exception):
    """An event log analysis/ cannot read by name: no schema beside it, or one that lacks what
    USES or NAMES_USED need. The message says which log and what is missing."""


def schema_path_of(events_path):
    """Where the binary writes a log's schema: the same name with the extension `.schema.json`
    (events.log -> events.schema.json), as std::filesystem::path::replace_extension does."""
    return Path(events_path).with_suffix(".schema.json")


class KindLayout:
    """One kind's fields as the schema lists them: names in log order, their types, and for an
    enum-typed field the enum's names in value order."""

    def __init__(self, kind, fields, enums):
        self.kind = kind
        self.fields = tuple(f["name"] for f in fields)
        self.types = {f["name"]: f["type"] for f in fields}
        self.position = {name: k for k, name in enumerate(self.fields)}
        self.enum_names = {name: tuple(enums[t]) for name, t in self.types.items() if t in enums}


class Event:
    """One line of the event log: its time, its kind, and its fields read by name."""
    __slots__ = ("t_s", "kind", "values", "layout")

    def __init__(self, t_s, kind, values, layout):
        self.t_s, self.kind, self.values, self.layout = t_s, kind, values, layout

    def get(self, field):
        """The integer of a field, by its name in the schema."""
        try:
            return self.values[self.layout.position[field]]
        except KeyError:
            raise KeyError(f"event kind {self.kind!r} has no field {field!r} (it has: "
                           f"{', '.join(self.layout.fields) or 'none'})") from None

    def name(self, field):
        """The enum name of an enum-typed field's value, or "FIELD N" for a value the schema does
        not name (so a label still says what was logged)."""
        value = self.get(field)
        names = self.layout.enum_names.get(field)
        if names is None:
            raise KeyError(f"field {self.kind}.{field} is a {self.layout.types[field]}, not an enum")
        return names[value] if 0 <= value < len(names) else f"{field} {value}"


class EventSchema:
    """A run's events.schema.json: the layout of every kind and the names of every enum."""

    def __init__(self, path, document):
        self.path = Path(path)
        self.version = document.get("version")
        self.enums = {t: tuple(names) for t, names in (document.get("enums") or {}).items()}
        self.layouts = {kind: KindLayout(kind, spec.get("fields", []), self.enums)
                        for kind, spec in (document.get("kinds") or {}).items()}
        self.unknown_kinds = {}  # kind -> a layout with no fields, for kinds in the log but not here

    @classmethod
    def load(cls, path):
        try:
            document = json.loads(Path(path).read_text())
        except (OSError, ValueError) as e:
            raise EventLogError(f"{path}: cannot read the event log's schema: {e}") from None
        if not isinstance(document, dict) or not isinstance(document.get("kinds"), dict):
            raise EventLogError(f"{path}: not an event-log schema (no `kinds` object)")
        try:
            return cls(path, document)
        except (KeyError, TypeError, AttributeError) as e:  # a field without a name or a type, a list for an object
            raise EventLogError(f"{path}: a malformed event-log schema ({type(e).__name__}: {e})") from None

    def layout(self, kind):
        """A kind's layout; a kind the schema does not know gets one with no fields."""
        layout = self.layouts.get(kind) or self.unknown_kinds.get(kind)
        if layout is None:
            layout = self.unknown_kinds[kind] = KindLayout(kind, [], {})
        return layout

    def problems(self):
        """What this schema lacks of what analysis/ reads, one line each; empty when it has it all."""
        out = []
        if self.version not in SCHEMA_VERSIONS:
            out.append(f"schema version {self.version}; analysis/ reads version "
                       f"{', '.join(map(str, SCHEMA_VERSIONS))}")
        for kind, fields in USES.items():
            layout = self.layouts.get(kind)
            if layout is None:
                out.append(f"no event kind `{kind}` (it has: {', '.join(sorted(self.layouts))})")
                continue
            for field, wanted in fields.items():
                if field not in layout.types:
                    out.append(f"`{kind}` has no field `{field}` (it has: {', '.join(layout.fields)})")
                elif layout.types[field] != wanted:
                    out.append(f"`{kind}.{field}` is a `{layout.types[field]}`; analysis/ reads it as a `{wanted}`")
        for field_type, wanted in NAMES_USED.items():
            names = self.enums.get(field_type)
            if names is None:
                out.append(f"no enum `{field_type}` (it has: {', '.join(sorted(self.enums))})")
                continue
            missing = [n for n in wanted if n not in names]
            if missing:
                out.append(f"enum `{field_type}` has no {', '.join(repr(n) for n in missing)} "
                           f"(it has: {', '.join(repr(n) for n in names)})")
        return out

    def parse(self, line):
        """One line of the event log as an Event, or None if it is not one. Missing trailing
        fields are 0, as the log leaves unused ones."""
        parts = line.split()
        if len(parts) < 3 or not parts[1].startswith("t=") or not parts[1].endswith("us"):
            return None
        try:
            t_us = float(parts[1][2:-2])
            values = tuple(map(int, parts[3:]))
        except ValueError:
            return None
        kind = parts[2]
        layout = self.layouts.get(kind) or self.layout(kind)  # the lookup inline: it runs once a line
        if len(values) < len(layout.fields):
            values += (0,) * (len(layout.fields) - len(values))
        return Event(t_us / 1e6, kind, values, layout)


class EventLog:
    """An event log and the schema it was written with, checked against what analysis/ reads."""

    def __init__(self, path, schema):
        self.path, self.schema = Path(path), schema

    @classmethod
    def open(cls, path, rerun=None):
        """The log at `path` with the schema beside it. Raises EventLogError when there is no
        schema (a log written before the binary wrote one; `rerun`, when given, is the command
        that writes both again) or when the schema lacks something in USES or NAMES_USED."""
        schema_path = schema_path_of(path)
        if not schema_path.exists():
            how = f"; run it again to get one: {rerun}" if rerun else "; run its scenario again to get one"
            raise EventLogError(f"{path}: no schema beside it ({schema_path.name}), so its fields cannot be "
                                f"read by name (a treedoc-sim from before the schema wrote it){how}")
        schema = EventSchema.load(schema_path)
        problems = schema.problems()
        if problems:
            raise EventLogError(f"{path}: its schema {schema_path} lacks what analysis/ reads "
                                f"(analysis/event_log.py USES, NAMES_USED):\n  " + "\n  ".join(problems))
        return cls(path, schema)

    def events(self):
        """Every parseable event, in order, one at a time."""
        parse = self.schema.parse
        with open(self.path, encoding="utf-8", errors="replace") as f:
            for line in f:
                event = parse(line)
                if event is not None:
                    yield event
