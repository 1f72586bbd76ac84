"""What happened to an event-time task's stream, batch by batch, as data for its picture.

Output rows are placed by their times: a window row from its `start` to its `end`, any other row
(a join's) from its earliest to its latest timestamp column.

Built from the same things the text feedback is built from (the scenario's rows, the reference's
and the student's snapshots and watermarks, the first check that differs), so the picture
(`grader.report.picture`) cannot tell another story than the text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from grader.judge.compare import reorder, row_key
from grader.outcome import Outcome, Snapshot
from grader.spec import MemorySink, Scenario, StartedQuery, Task

ON_TIME = "on time"
LATE = "late, counted"
TOO_LATE = "too late, dropped"

BOTH = "both"
REFERENCE_ONLY = "expected only"
YOURS_ONLY = "yours only"
# The text diff's marks: '-' expected but missing, '+' produced but not expected.
SPAN_MARKS = {BOTH: "", REFERENCE_ONLY: "-", YOURS_ONLY: "+"}

WINDOW_BOUNDS = ("start", "end")


@dataclass(frozen=True)
class FedRow:
    """One input row: the batch (0-based) it arrived in, its event time, the rest of its values
    (`label`), and how late it was under the asked watermark."""

    batch: int
    event_time: dt.datetime
    label: str
    lateness: str


@dataclass(frozen=True)
class OutputSpan:
    """A row written to the sink in `batch` (0-based) by the reference, the student or both,
    spanning its event times."""

    batch: int
    start: dt.datetime
    end: dt.datetime
    label: str   # the row's values other than its times, as in the text diff
    source: str  # BOTH, REFERENCE_ONLY or YOURS_ONLY

    @property
    def mark(self) -> str:
        return SPAN_MARKS[self.source]


@dataclass(frozen=True)
class Timeline:
    """Batches 1 to `batches` of a task's run: rows fed, watermarks after each batch (the asked
    one, and the student's query's: empty when it has none), rows written; `differs_at`
    is the batch whose check failed (None when every check passed)."""

    task: str
    batches: int
    rows: tuple[FedRow, ...]
    watermarks: tuple[dt.datetime | None, ...]
    your_watermarks: tuple[dt.datetime | None, ...]
    spans: tuple[OutputSpan, ...]
    differs_at: int | None


def applies(task: Task, scenario: Scenario, reference: Outcome) -> bool:
    """Whether a task has a timeline: a stream of it has an event time, its output is a sink read
    after every batch, and the reference writes rows with times (windows, or a join's rows)."""
    return (any(s.event_time for s in scenario.streams.values())
            and isinstance(task.output, (MemorySink, StartedQuery))
            and len(reference.snapshots) == scenario.batch_count
            and bool(_time_columns(reference.snapshots[0])))


def timeline(task: Task, scenario: Scenario, got: Outcome, reference: Outcome,
             differs_at: int | None) -> Timeline | None:
    """The timeline of `got` against `reference` up to batch `differs_at` (0-based; every batch
    when None), or None when there is none to draw: the task has no event time, or the student's
    query failed or wrote other columns or types (the text says why)."""
    if not applies(task, scenario, reference) or got.failure is not None:
        return None
    if len(got.snapshots) != len(reference.snapshots) or any(
            sorted(have.columns) != sorted(want.columns) for have, want in zip(got.snapshots, reference.snapshots)):
        return None  # other columns or types: the text names them, and no row can be compared
    last = scenario.batch_count - 1 if differs_at is None else differs_at
    watermarks = tuple(_instant(mark) for mark in _per_batch(reference.watermarks, last))
    return Timeline(
        task=task.name,
        batches=last + 1,
        rows=tuple(fed_rows(scenario, reference, last, watermarks)),
        watermarks=watermarks,
        your_watermarks=tuple(_instant(mark) for mark in _per_batch(got.watermarks, last)) if got.watermarks else (),
        spans=tuple(output_spans(reference.snapshots[:last + 1], got.snapshots[:last + 1])),
        differs_at=differs_at,
    )


def fed_rows(scenario: Scenario, reference: Outcome, last: int, watermarks) -> list[FedRow]:
    """Every row fed in batches 0 to `last`, told on time, late (older than a row of its stream
    before it, and still counted) or too late (the watermark in force when it arrived, the one
    after the batch before, had passed the end of its window, or its time where there are none)."""
    windows = [(_instant(row[0]), _instant(row[1])) for snap in reference.snapshots
               for row in reorder(snap, list(WINDOW_BOUNDS))] if _is_windowed(reference.snapshots[0]) else []
    timed = [s for s in scenario.streams.values() if s.event_time]
    rows, newest = [], {}
    for batch in range(last + 1):
        in_force = watermarks[batch - 1] if batch else None
        for stream in timed:
            if batch >= len(stream.batches):
                continue
            for line in stream.batches[batch].lines:
                values = json.loads(line)
                at = _instant(values.pop(stream.event_time))
                # a row counts until the watermark passes the end of its window (or, with no
                # windows, its own time)
                closes = max((end for start, end in windows if start <= at < end), default=at)
                if in_force is not None and closes <= in_force:
                    lateness = TOO_LATE
                elif stream.name in newest and at < newest[stream.name]:
                    lateness = LATE
                else:
                    lateness = ON_TIME
                newest[stream.name] = max(newest.get(stream.name, at), at)
                shown = [str(v) for v in values.values() if not _is_time(v)]
                # beside another stream, the stream's initial and the row's first value (its key)
                label = f"{stream.name[0]}:{shown[0]}" if len(timed) > 1 and shown else ", ".join(shown)
                rows.append(FedRow(batch, at, label, lateness))
    return rows


def output_spans(reference: list[Snapshot], got: list[Snapshot]) -> list[OutputSpan]:
    """The rows each batch wrote (rows its sink holds that it did not hold before), matched between
    the reference and the student batch by batch; a row without any time is left out."""
    spans = []
    names = _names(reference[0])
    times = WINDOW_BOUNDS if _is_windowed(reference[0]) else _time_columns(reference[0])
    for batch in range(len(reference)):
        expected = _written(reference, batch, names)
        produced = _written(got, batch, names)
        both = expected & produced
        for source, rows in ((BOTH, both), (REFERENCE_ONLY, expected - both), (YOURS_ONLY, produced - both)):
            for key in sorted(rows.elements()):
                row = dict(zip(names, json.loads(key)))
                moments = [_instant(row[n]) for n in times if row[n] is not None]
                label = ", ".join("NULL" if row[n] is None else str(row[n]) for n in names if n not in times)
                if moments:
                    spans.append(OutputSpan(batch, min(moments), max(moments), label, source))
    return spans


def _written(snapshots: list[Snapshot], batch: int, names: list[str]) -> Counter:
    now = Counter(map(row_key, reorder(snapshots[batch], names)))
    before = Counter(map(row_key, reorder(snapshots[batch - 1], names))) if batch else Counter()
    return now - before


def shown_watermark(mark: str | None) -> str:
    """A watermark as the feedback writes it, like the fixture rows' times."""
    moment = _instant(mark)
    return moment.isoformat() if moment else "none yet"


def _per_batch(marks: list[str | None], last: int) -> list[str | None]:
    return [marks[b] if b < len(marks) else None for b in range(last + 1)]


def _time_columns(snapshot: Snapshot) -> tuple[str, ...]:
    return tuple(name for name, kind in snapshot.columns if kind.startswith("timestamp"))


def _is_windowed(snapshot: Snapshot) -> bool:
    return all(name in _time_columns(snapshot) for name in WINDOW_BOUNDS)


def _names(snapshot: Snapshot) -> list[str]:
    return [name for name, _ in snapshot.columns]


def _is_time(value: object) -> bool:
    return isinstance(value, str) and _instant(value) is not None


def _instant(text: str | None) -> dt.datetime | None:
    """An ISO timestamp (a fixture's, a row's, or Spark's watermark in UTC) as a naive UTC datetime;
    the epoch, Spark's watermark before any event, is none."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)
    return None if moment == dt.datetime(1970, 1, 1) else moment
