"""What happens to a task's stream, in order: a scenario run told as a list of steps.

As in Spark's own `StreamTest` (AddData, CheckAnswer, StopStream, StartStream), each step is a
small value; each output kind says which steps its run takes (`Output.steps`), one interpreter in
`grader.referee.run` carries them out, and the feedback narrates the same list up to the check
that failed.
"""

from __future__ import annotations

from dataclasses import dataclass


class Step:
    """One thing the grader does; `narration` says it to the student ("" for the routine ones)."""

    @property
    def narration(self) -> str:
        return ""


@dataclass(frozen=True)
class Feed(Step):
    """Batch `batch` (0-based) of every input stream arrives."""

    batch: int


@dataclass(frozen=True)
class Call(Step):
    """The student's function is called; `again`: a second time, with the same arguments, on the
    same checkpoint (a restart)."""

    again: bool = False

    @property
    def narration(self) -> str:
        return "your function is called again (a restart, on the same checkpoint)" if self.again \
            else "your function is called"


@dataclass(frozen=True)
class StartQueriesToStop(Step):
    """Two memory queries start, one of them named by the task's `QueryName` input."""

    @property
    def narration(self) -> str:
        return "two queries are started for you to stop one of"


@dataclass(frozen=True)
class Process(Step):
    """The query (or queries) processes everything that has arrived: `processAllAvailable()`."""


@dataclass(frozen=True)
class AwaitEnd(Step):
    """The query must stop by itself once it has processed what was there (`availableNow`)."""


@dataclass(frozen=True)
class Stop(Step):
    """The query stops."""


@dataclass(frozen=True)
class ReplayLastBatch(Step):
    """The newest batch's commit is deleted from the checkpoint, so the next start runs that batch
    again under the same batch id, as after a crash between writing and committing."""

    @property
    def narration(self) -> str:
        return "the last batch's commit is removed from the checkpoint, as after a crash"


@dataclass(frozen=True)
class Check(Step):
    """The sink is read; its rows are compared with the reference's at the same check.
    `moment` says when, for the feedback."""

    moment: str


def per_batch(batch_count: int) -> tuple[Step, ...]:
    """Each batch arrives, is processed, and the sink is checked."""
    steps: tuple[Step, ...] = ()
    for index in range(batch_count):
        steps += (Feed(index), Process(), Check(f"After batch {index + 1} of {batch_count}"))
    return steps
