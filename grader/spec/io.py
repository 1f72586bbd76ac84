"""What the grader hands a task (inputs) and how it reads back what the task made (outputs).

These are declarations only; `grader.sandbox.io` gives them their behaviour inside the worker.
Each kind knows the type hint it shows students in the stub's signature.
"""

from __future__ import annotations

from dataclasses import dataclass

OUTPUT_MODES = ("append", "complete", "update")


class Input:
    """A value the grader passes to the student's function."""

    annotation = "object"


@dataclass(frozen=True)
class Spark(Input):
    """The grading session."""

    annotation = "SparkSession"


@dataclass(frozen=True)
class StreamOf(Input):
    """A streaming DataFrame the grader reads from the scenario's stream `stream`."""

    stream: str
    annotation = "DataFrame"


@dataclass(frozen=True)
class StaticOf(Input):
    """A batch DataFrame holding every row of the scenario's stream `stream`."""

    stream: str
    annotation = "DataFrame"


@dataclass(frozen=True)
class FolderOf(Input):
    """The path of the folder where the files of stream `stream` arrive, one per micro-batch."""

    stream: str
    annotation = "str"


@dataclass(frozen=True)
class QueryName(Input):
    """The name the student's query must have (its memory-sink table is read under it)."""

    annotation = "str"


@dataclass(frozen=True)
class Checkpoint(Input):
    """A fresh, empty checkpoint folder for the student's query."""

    annotation = "str"


class Output:
    """What the student's function returns, and how the grader reads results from it."""

    annotation = "object"


@dataclass(frozen=True)
class Collect(Output):
    """A batch DataFrame, collected once. `ordered`: the row order is part of the answer."""

    ordered: bool = False
    annotation = "DataFrame"


@dataclass(frozen=True)
class MemorySink(Output):
    """A streaming DataFrame; the grader writes it to a memory sink in output mode `mode`."""

    mode: str
    annotation = "DataFrame"

    def __post_init__(self) -> None:
        if self.mode not in OUTPUT_MODES:
            raise ValueError(f"output mode must be one of {OUTPUT_MODES}, got {self.mode!r}")


@dataclass(frozen=True)
class StartedQuery(Output):
    """A StreamingQuery the student started into a memory sink named by the `QueryName` input."""

    annotation = "StreamingQuery"
