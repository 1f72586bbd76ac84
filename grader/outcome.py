"""What running one task produced: the data a worker sends back, and the only thing it can.

Snapshots hold what the sink held after each fed micro-batch (or the one collected batch
result), and watermarks the query's event-time watermark at the same moments. A failure says what
went wrong and, for streams, at which batch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# Failure kinds, each explained to students by `grader.judge.explain`.
LOAD = "load"                    # the submission could not be read or imported
MISSING = "missing"              # the task's function is not defined
NOT_IMPLEMENTED = "not_implemented"
EXCEPTION = "exception"          # the student's function raised
WRONG_RESULT = "wrong_result"    # it returned something that is not what the task asks for
QUERY_FAILED = "query_failed"    # Spark refused or failed the query (analysis or in a batch)
SPARK_STOPPED = "spark_stopped"
EXIT = "exit"                    # SystemExit / KeyboardInterrupt raised by student code
CRASH = "crash"                  # the worker process died
TIMEOUT = "timeout"              # out of its budget without progress (see grader.time_limits)
BUSY = "busy"                    # past the ceiling while progressing or slowed by a busy machine
MEMORY = "memory"                # the worker went over its memory limit
ENGINE = "engine"                # Spark itself could not be started: not the student's fault
UNAVAILABLE = "unavailable"      # a service the task needs (a Kafka broker, Spark's Kafka
                                 # connector) is missing: not the student's fault
INFRASTRUCTURE = "infrastructure"  # the engine went away, was not ours, or failed under the task
                                   # (lost session, Python worker that never connected back)
NOT_GRADED = "not_graded"        # the grader itself failed (its check, or a batch's grading process)

# Failures whose cause is the grader's, never the student's: such a task is not graded (status
# "error"), is never scored as a zero, and a batch grades the student again on its next run.
GRADER_FAULTS = (ENGINE, UNAVAILABLE, INFRASTRUCTURE, NOT_GRADED, BUSY)

# After these, the worker's Spark session cannot be trusted: the next task gets a fresh worker.
RETIRING_KINDS = (TIMEOUT, BUSY, SPARK_STOPPED)


@dataclass(frozen=True)
class Snapshot:
    """Rows as JSON-able lists, with `columns` as (name, Spark type) pairs."""

    columns: list[tuple[str, str]]
    rows: list[list]


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str
    batch: int | None = None         # 0-based fixture batch at which it failed, if in a stream
    error_class: str | None = None   # Spark's error condition, e.g. NON_TIME_WINDOW_NOT_SUPPORTED...
    detail: str = ""                 # a trimmed traceback or log tail


@dataclass(frozen=True)
class Outcome:
    task: str
    snapshots: list[Snapshot] = field(default_factory=list)
    failure: Failure | None = None
    printed: str = ""
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # notebook code left out when importing
    # At each snapshot, the query's event-time watermark as Spark reported it
    # (lastProgress.eventTime.watermark, ISO in UTC) or None; empty for a query without one.
    watermarks: list[str | None] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_dict(cls, data: dict) -> Outcome:
        snapshots = [
            Snapshot([tuple(c) for c in s["columns"]], s["rows"]) for s in data.get("snapshots", [])
        ]
        failure = Failure(**data["failure"]) if data.get("failure") else None
        return cls(
            task=data["task"],
            snapshots=snapshots,
            failure=failure,
            printed=data.get("printed", ""),
            seconds=data.get("seconds", 0.0),
            skipped=data.get("skipped", []),
            watermarks=data.get("watermarks", []),
        )

    @classmethod
    def failed(cls, task: str, kind: str, message: str, **extra) -> Outcome:
        return cls(task=task, failure=Failure(kind, message, **extra))

