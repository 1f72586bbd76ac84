"""Deterministic fixture streams: micro-batches of input, declared in `fixtures/streams/*.toml`.

A scenario file names one or more streams; batch i of every stream is fed together, then the
query runs one micro-batch over it. TOML is used because fixtures need comments: each tricky row
(a late event, a mixed-case word) says why it is there.

    description = "Lines typed into a producer"
    [streams.lines]
    format = "text"
    batches = [
      ["Spark is fast", "spark streams"],   # batch 1
      ["is it FAST"],                       # batch 2
    ]

Rows of `json` streams are inline tables; TOML datetimes become ISO timestamps. A stream whose
rows carry an event time names its column (`event_time = "ts"`), so the feedback can place each
row on a timeline (`grader.judge.timeline`). Each stream's rows are checked against its schema
as it loads (`grader.spec.fixture_check`): a mistake is told by file and line before any run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader import paths
from grader.spec.fixture_check import FixtureError, check_stream

FORMATS = ("text", "json", "csv")


@dataclass(frozen=True)
class Batch:
    """The lines of one file that arrives in a stream's folder: one micro-batch."""

    lines: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True)
class FixtureStream:
    """One input stream: its file format, how Spark reads it, and its micro-batches."""

    name: str
    format: str
    batches: tuple[Batch, ...]
    schema: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    event_time: str | None = None  # the column holding each row's event time, if it has one

    def rows_in(self, index: int) -> int:
        """How many rows batch `index` holds as Spark reads it (a CSV header is not a row)."""
        lines = len(self.batches[index].lines) if index < len(self.batches) else 0
        header = self.format == "csv" and self.options.get("header", "false").lower() == "true"
        return max(0, lines - header)

    @property
    def suffix(self) -> str:
        return {"text": ".txt", "json": ".json", "csv": ".csv"}[self.format]


@dataclass(frozen=True)
class Scenario:
    """A named set of streams fed in lock step, batch by batch."""

    name: str
    description: str
    streams: dict[str, FixtureStream]

    @property
    def batch_count(self) -> int:
        return max(len(s.batches) for s in self.streams.values())

    def fed_at(self, index: int) -> dict[str, tuple[str, ...]]:
        """What each stream received in batch `index` (0-based), for feedback."""
        return {
            name: stream.batches[index].lines
            for name, stream in self.streams.items()
            if index < len(stream.batches) and not stream.batches[index].is_empty
        }

    def digest(self) -> str:
        """A fingerprint of the data, so stored expected outputs can tell they are stale."""
        payload = {
            name: [s.format, s.schema, s.options, [b.lines for b in s.batches]]
            for name, s in sorted(self.streams.items())
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _as_line(value: object, fmt: str) -> str:
    return json.dumps(value, default=_json_default, sort_keys=False) if fmt == "json" else value


def _json_default(value: object) -> str:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot put {value!r} in a fixture row")


def _parse_stream(name: str, table: dict) -> FixtureStream:
    fmt = table["format"]
    batches = tuple(Batch(tuple(_as_line(v, fmt) for v in batch)) for batch in table["batches"])
    return FixtureStream(
        name=name,
        format=fmt,
        batches=batches,
        schema=table.get("schema"),
        options={k: str(v) for k, v in table.get("options", {}).items()},
        event_time=table.get("event_time"),
    )


def scenario_path(name: str) -> Path:
    """`fixtures/streams/<name>.toml`, or for a hidden scenario `fixtures/hidden/streams/<name>.toml`."""
    public = paths.STREAMS / f"{name}.toml"
    hidden = paths.HIDDEN_STREAMS / f"{name}.toml"
    return hidden if hidden.exists() and not public.exists() else public


def load_scenario(name: str, folder: Path | None = None) -> Scenario:
    """Read scenario `name` from `folder`, by default where `scenario_path` finds it."""
    path = folder / f"{name}.toml" if folder else scenario_path(name)
    if not path.exists():
        raise FileNotFoundError(f"There is no scenario {name!r}: {path} is missing (hidden scenarios are "
                                "only in the instructors' copy of the course, in fixtures/hidden/streams).")
    shown = paths.shown(path)
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FixtureError(f"{shown}: {error}. Correct the TOML there.") from None
    if not isinstance(data.get("streams"), dict) or not data["streams"]:
        raise FixtureError(f"{shown} declares no stream: write each as a [streams.NAME] table with its "
                           "format, schema and batches.")
    for key, table in data["streams"].items():
        check_stream(shown, text, key, table, FORMATS)
    streams = {key: _parse_stream(key, table) for key, table in data["streams"].items()}
    return Scenario(name=name, description=data.get("description", ""), streams=streams)
