"""A task's time limits, taken from the work rather than from a constant.

A task's budget is a multiple of the time its reference solution took when `grade record` ran it
(with a floor), counted in the machine's time, not the wall's: each second counts only as much as
the machine had idle processors to give (all of it on a quiet machine, little when other work
keeps every core busy), but never less than the processor time the student's own processes used
in it, so an endless loop is caught on a busy machine too. The count starts again whenever the
task makes progress (a step of its scenario done: the function returned, a micro-batch processed,
a sink read), so a slow task that keeps going is waited for, and a stuck one is stopped once it
spends its budget without progress. Whatever the count, a hard ceiling of wall time stays: a task
still running there was slowed by the machine or kept progressing, and is not graded (the
grader's failure, never the student's lost point), unless what still runs is the student's own
function, whose wait is theirs (see `grader.referee.student.RemoteStudent.out_of_time`).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

MIN_BUDGET = float(os.environ.get("GRADER_MIN_BUDGET", 10))  # machine seconds, whatever the reference takes
BUDGET_FACTOR = 5.0  # times the reference's recorded seconds
UNRECORDED_BUDGET = 60.0  # when no reference time is recorded (`grade record` itself, mutants)
CEILING = float(os.environ.get("GRADER_TASK_CEILING", 300))  # wall seconds, whatever the progress
TICK = 0.25  # how often the clock is read, in wall seconds
# The referee's signal to the worker: stop the student's code, its task is out of time.
STOP_SIGNAL = signal.SIGUSR1


def budget_for(reference_seconds: float | None) -> float:
    """The machine seconds a task may go without progress, given its reference's recorded time."""
    if reference_seconds is None:
        return UNRECORDED_BUDGET
    return max(MIN_BUDGET, BUDGET_FACTOR * reference_seconds)


def ceiling_for(budget: float) -> float:
    """The wall seconds a task may run at most, making progress or not."""
    return max(CEILING, 3 * budget)


class OutOfTime(BaseException):
    """Raised where a task runs when its time is up (a BaseException, so that a student's
    `except Exception` cannot swallow it); `busy` when it hit the ceiling rather than its budget."""

    def __init__(self, busy: bool = False):
        super().__init__("busy" if busy else "out of time")
        self.busy = busy


def out_of_time_message(budget: float) -> str:
    return (
        f"Your code did not finish within {budget:.0f} s of the machine's time without making "
        "progress, so it was stopped. Look for an endless loop, a sleep, awaitTermination(), or a "
        "query that never runs out of data."
    )


def import_message(file_name: str, budget: float, where: str) -> str:
    return (
        f"Importing {file_name} did not finish within {budget:.0f} s, so none of its tasks could be "
        f"graded: its top-level code never ended (an endless loop at module level?).\n{where}\n"
        "Top-level code runs when the grader imports your file: keep it to imports and definitions."
    )


def busy_message(ceiling: float) -> str:
    return (
        f"This task had not finished after {ceiling:.0f} s, while it kept making progress or the "
        "machine was too busy to run it at full speed, so it was stopped and not graded; this is "
        "not a problem with your code. Grade again when the machine is less busy."
    )


def _machine_times() -> tuple[float, float]:
    """(idle, total) processor time of the whole machine so far, in clock ticks."""
    with suppress(OSError, ValueError):
        fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3], sum(fields[:8])
    return 0.0, 0.0  # no /proc: the clock then counts the student's processor time only


def processor_seconds(pids: list[int]) -> float:
    """The processor time used so far by the processes `pids` (and their children they waited for)."""
    total = 0
    for pid in pids:
        with suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


class TaskClock:
    """The machine time a task has spent since its last progress, and the wall time since it
    started; `student_seconds` gives the processor time its student's processes used so far."""

    def __init__(self, budget: float, student_seconds: Callable[[], float]):
        self.budget = budget
        self.ceiling = ceiling_for(budget)
        self.student_seconds = student_seconds
        self.started = self.last_tick = time.monotonic()
        self.last_machine = _machine_times()
        self.last_student = student_seconds()
        self.since_progress = 0.0

    def tick(self) -> None:
        now, machine, student = time.monotonic(), _machine_times(), self.student_seconds()
        idle, total = machine[0] - self.last_machine[0], machine[1] - self.last_machine[1]
        idle_share = idle / total if total > 0 else 0.0
        self.since_progress += max((now - self.last_tick) * idle_share, student - self.last_student)
        self.last_tick, self.last_machine, self.last_student = now, machine, student

    def progressed(self) -> None:
        self.since_progress = 0.0

    @property
    def over_budget(self) -> bool:
        return self.since_progress > self.budget

    @property
    def over_ceiling(self) -> bool:
        return time.monotonic() - self.started > self.ceiling


@contextmanager
def ticking(clock: TaskClock, out_of_time: Callable[[bool], None]) -> Iterator[TaskClock]:
    """Inside, `clock` is read every TICK seconds in this process's main thread; past its budget
    or its ceiling, `out_of_time(past_ceiling)` is called: it raises OutOfTime where the code
    runs, or asks the process that runs the student's code to stop. OutOfTime is raised once:
    the clock stops then."""

    def tick(signum, frame):
        clock.tick()
        try:
            if clock.over_budget or clock.over_ceiling:
                out_of_time(clock.over_ceiling)
        except OutOfTime:
            signal.setitimer(signal.ITIMER_REAL, 0)  # what handles it must not be cut short
            raise

    previous = signal.signal(signal.SIGALRM, tick)
    signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
    try:
        yield clock
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def give_up(past_ceiling: bool) -> None:
    """What a process running its student's code itself does when the task is out of time."""
    raise OutOfTime(busy=past_ceiling)
