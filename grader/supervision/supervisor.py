"""The parent side of the sandbox: start graders, wait for outcomes with deadlines, kill on hang.

On a Spark Connect engine each lane is a referee process (`grader.referee.process`, trusted: it
reads every result itself) with its confined worker below it; on the local engine, a worker that
runs the scenarios itself. Either is killed with everything it started past a task's deadline,
or when it exits or crashes; the task that was running gets a failure outcome and the remaining
runs go to a fresh one. A failure whose cause is the engine is retried on a fresh one, and never
recorded as the student's. Nothing a worker does can stop the caller from getting an outcome per run.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from grader import outcome as kinds
from grader import paths
from grader.outcome import Outcome
from grader.engine import Engine
from grader.engine.java import java_problem
from grader.engine.registry import serving
from grader.lifecycle import die_with_parent
from grader.confinement import grading_folder, sweep_gradings
from grader.supervision.limits import MEMORY_LIMIT_MB, TOKEN_VARIABLE, kill_tagged, resident_mb, tagged
from grader.supervision.staging import Refused, stage
from grader.time_limits import busy_message, ceiling_for, out_of_time_message

# Starting a JVM and a Spark session is paid once per worker, on top of its first task's time.
STARTUP_ALLOWANCE = float(os.environ.get("GRADER_STARTUP_ALLOWANCE", 90))
# A lane stops a task itself by its clock (grader.time_limits), at the latest at the task's
# ceiling; this is how much later the supervisor kills it.
KILL_GRACE = 30.0
LOG_TAIL = 1500
INFRASTRUCTURE_RETRIES = 2  # a run the engine failed is tried again this many times
RELEASE_GRACE = 2.0  # how long a grader that has sent every outcome may take to end by itself


@dataclass(frozen=True)
class Run:
    """One task of one exercise, taken from one submission file, run on `scenario` (by
    default the task's public one), with `budget` machine seconds to go without progress (see
    `grader.time_limits`)."""

    id: str
    exercise: int
    task: str
    submission: Path
    budget: float
    scenario: str | None = None  # the task's own when None


class PoolClosed(RuntimeError):
    """The pool was closed before this run had an outcome."""


class WorkerPool:
    """Runs a list of runs in worker processes, in order, and hands back their outcomes."""

    def __init__(self, runs: list[Run], engine: Engine, workdir: Path | None = None,
                 program: list[str] | None = None):
        self.runs = list(runs)
        self.engine = engine
        # What each lane runs, given the job file and the result pipe; by default the referee on
        # a Spark Connect engine, the worker on the local one.
        self.program = program or [sys.executable, "-m",
                                   "grader.referee.process" if self.refereed else "grader.sandbox.worker"]
        self.owns_workdir = workdir is None  # its own scratch folder goes when it closes
        self.workdir = Path(workdir or grading_folder(engine.port))
        self.outcomes: dict[str, Outcome] = {}
        self.process: subprocess.Popen | None = None
        self.pipe: int | None = None
        self.buffer = b""
        self.spawns = 0
        self.engine_errors: dict[str, int] = {}
        self.retries: dict[str, int] = {}
        self.closed = False

    def outcome(self, run_id: str) -> Outcome:
        """The outcome of `run_id`, running the worker up to it if needed."""
        while run_id not in self.outcomes:
            if self.closed:
                raise PoolClosed(run_id)
            if self.process is None:
                self._skip_after_timeouts()
                if run_id in self.outcomes:
                    continue
                down = self._engine_down()
                if down:
                    first = next(r for r in self.runs if r.id not in self.outcomes)
                    self.outcomes[first.id] = Outcome.failed(
                        first.task, kinds.ENGINE,
                        "The Spark engine is not running and could not be started again, so this "
                        "task was not graded; this is not a problem with your code. Grade again. "
                        f"Why it did not start: {down}")
                    continue
                self._spawn([r for r in self.runs if r.id not in self.outcomes])
                deadline_extra = STARTUP_ALLOWANCE
            else:
                deadline_extra = 0.0
            pending = [r for r in self.runs if r.id not in self.outcomes]
            if not pending:
                continue
            current = pending[0]
            self._await(current, time.monotonic() + ceiling_for(current.budget) + KILL_GRACE + deadline_extra)
        return self.outcomes[run_id]

    def all_outcomes(self) -> dict[str, Outcome]:
        for run in self.runs:
            self.outcome(run.id)
        return dict(self.outcomes)

    def close(self) -> None:
        self.closed = True
        if self.process is not None and self.finished:
            # Done: let it end by itself, giving its Spark session back to the engine on the way
            # out, rather than leave the session to hold the engine's memory until it times out.
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=RELEASE_GRACE)
        self._kill()
        if self.owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            sweep_gradings(self.engine.port)

    def abandon(self) -> None:
        """From another thread: start no more workers and kill the running one (whose runs then
        end), leaving the rest of the cleaning to close(); one that has finished every run is left
        to end by itself there."""
        self.closed = True
        process = self.process
        if process is not None and not self.finished:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def finished(self) -> bool:
        """Whether every run has its outcome."""
        return all(run.id in self.outcomes for run in self.runs)

    @property
    def refereed(self) -> bool:
        """Whether results are read by a referee apart from the student's process (Spark Connect)."""
        return self.engine.is_connect

    def _spawn(self, runs: list[Run]) -> None:
        workdir = self.workdir / f"worker-{self.spawns + 1}"
        staged = self._stage(runs, workdir / "student" / "submissions")
        runs = [r for r in runs if r.id in staged]
        if not runs:
            return
        self.spawns += 1
        job = {
            "mode": "runs",
            "engine": self.engine.as_dict(),
            "workdir": str(workdir),
            "readable": sorted({str(path.parent) for path in staged.values()}),
            "runs": [
                {"id": r.id, "exercise": r.exercise, "task": r.task, "submission": str(staged[r.id]),
                 "budget": r.budget, "scenario": r.scenario}
                for r in runs
            ],
        }
        workdir.mkdir(parents=True, exist_ok=True)
        job_file = workdir / "job.json"
        job_file.write_text(json.dumps(job))
        self.log_path = workdir / "worker.log"
        read_end, write_end = os.pipe()
        self.token = uuid.uuid4().hex
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*self.program, str(job_file), str(write_end)],
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one kill ends it and its JVM
                preexec_fn=die_with_parent,  # and a grader killed -9 takes it along
                cwd=workdir,
                # UTC: pyspark turns timestamps into datetimes in the process's own time zone.
                # TMPDIR: its own folder is the only place a worker may write.
                env={**os.environ, **paths.SHARED_FOLDERS, **paths.COURSE, TOKEN_VARIABLE: self.token, "TZ": "UTC",
                     "TMPDIR": str(workdir)},
            )
        os.close(write_end)
        self.pipe = read_end
        self.buffer = b""

    def _skip_after_timeouts(self) -> None:
        """A task out of time on one scenario has failed: its other scenarios are not run, so a
        student's endless loop costs one budget per task, not one per scenario."""
        timed_out = {(run.exercise, run.task, run.submission) for run in self.runs
                     if (found := self.outcomes.get(run.id)) and found.failure and found.failure.kind == kinds.TIMEOUT}
        for run in self.runs:
            if run.id not in self.outcomes and (run.exercise, run.task, run.submission) in timed_out:
                self.outcomes[run.id] = Outcome.failed(
                    run.task, kinds.TIMEOUT, "Not run: this task ran out of time on another scenario.")

    def _engine_down(self) -> str | None:
        """Why the Spark Connect engine is down (or being stopped) and stays down after an attempt
        to start it; None when it serves."""
        if not self.refereed or serving(self.engine):
            return None
        from grader.engine.server import revive

        return revive(self.engine)

    def _stage(self, runs: list[Run], into: Path) -> dict[str, Path]:
        """Each run's submission copied under `into` (run id -> the copy); a refused one gets its
        load failure recorded here, and its runs go nowhere."""
        copies: dict[Path, Path | Refused] = {}
        staged = {}
        for run in runs:
            if run.submission not in copies:
                try:
                    copies[run.submission] = stage(run.submission, into / str(len(copies)))
                except Refused as refused:
                    copies[run.submission] = refused
            copy = copies[run.submission]
            if isinstance(copy, Refused):
                self.outcomes[run.id] = Outcome.failed(run.task, kinds.LOAD, str(copy))
            else:
                staged[run.id] = copy
        return staged

    def _await(self, current: Run, deadline: float) -> None:
        """Read outcomes until `current`'s arrives, or fail it on timeout or worker death.
        Returns early, without an outcome, when the worker retired to be replaced."""
        while current.id not in self.outcomes and self.process is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill()
                # A referee runs no student code: past the ceiling its silence is ours. A worker
                # that runs the scenarios itself kept the student's code running instead.
                self.outcomes[current.id] = (
                    Outcome.failed(current.task, kinds.BUSY, busy_message(ceiling_for(current.budget)))
                    if self.refereed else
                    Outcome.failed(current.task, kinds.TIMEOUT, out_of_time_message(current.budget)))
                return
            ready, _, _ = select.select([self.pipe], [], [], min(remaining, 1.0))
            if max(map(resident_mb, tagged(self.token)), default=0.0) > MEMORY_LIMIT_MB:
                self._kill()
                self.outcomes[current.id] = Outcome.failed(
                    current.task, kinds.MEMORY,
                    f"Your code used more than {MEMORY_LIMIT_MB:.0f} MiB of memory, so it was stopped. "
                    "Look for data collected into Python (collect(), toPandas(), growing lists).",
                )
                return
            if not ready:
                if self.refereed and not serving(self.engine):
                    self._kill()  # its next call would wait minutes on a server that is gone
                    self._retry_or_record(current, Outcome.failed(
                        current.task, kinds.INFRASTRUCTURE,
                        "The Spark engine went away while it graded this task; this is not a "
                        "problem with your code."))
                    return
                continue
            chunk = os.read(self.pipe, 1 << 16)
            if not chunk:
                self._kill()
                if self.refereed:  # the referee runs no student code: its end is ours to answer for
                    self._retry_or_record(current, Outcome.failed(
                        current.task, kinds.INFRASTRUCTURE,
                        "The grader's process reading your results ended abruptly; this is not a "
                        "problem with your code.", detail=self._log_tail()))
                    return
                self.outcomes[current.id] = Outcome.failed(
                    current.task,
                    kinds.CRASH,
                    "The Python process running your code ended abruptly (os._exit(), a crash, or "
                    "running out of memory), so this task has no result.",
                    detail=self._log_tail(),
                )
                return
            self.buffer += chunk
            while b"\n" in self.buffer and self.process is not None:
                line, self.buffer = self.buffer.split(b"\n", 1)
                self._receive(json.loads(line), current)

    def _receive(self, message: dict, current: Run) -> None:
        """Record an outcome; retire the worker when it asks, or respawn once on engine failure."""
        run_id = message["run"]
        if "engine_error" in message:
            self._kill()
            self.engine_errors[run_id] = self.engine_errors.get(run_id, 0) + 1
            if self.engine_errors[run_id] > 1:
                self.outcomes[run_id] = Outcome.failed(
                    current.task, kinds.ENGINE,
                    "The grading engine (Spark) failed to start, so this task could not be graded; "
                    "this is not a problem with your code. "
                    + (java_problem() or "Try again; if it persists, tell your instructor."),
                    detail=message["engine_error"],
                )
            return
        outcome = Outcome.from_dict(message["outcome"])
        if outcome.failure is not None and outcome.failure.kind == kinds.INFRASTRUCTURE:
            self._kill()
            self._retry_or_record(next(r for r in self.runs if r.id == run_id), outcome)
            return
        self.outcomes[run_id] = outcome
        if message.get("retire"):
            self._kill()

    def _retry_or_record(self, run: Run, outcome: Outcome) -> None:
        """A run the infrastructure failed goes again to a fresh grader, a bounded number of times."""
        self.retries[run.id] = self.retries.get(run.id, 0) + 1
        if self.retries[run.id] > INFRASTRUCTURE_RETRIES:
            self.outcomes[run.id] = outcome

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - LOG_TAIL))
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _kill(self) -> None:
        """End the worker, its process group, and any process it started that got away."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None
            kill_tagged(self.token)
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None


class ParallelPools:
    """The runs dealt round-robin into `lanes` worker pools that work at the same time, one
    thread each. On the warm engine a task's time is mostly waiting for Spark's micro-batches,
    which overlaps well across sessions; each lane keeps its runs in their original order."""

    POLL = 0.05

    def __init__(self, runs: list[Run], engine: Engine, workdir: Path | None = None, lanes: int = 1):
        dealt = [runs[lane::lanes] for lane in range(max(1, lanes))]
        self.pools = [
            WorkerPool(lane_runs, engine, workdir / f"lane-{index}" if workdir else None)
            for index, lane_runs in enumerate(dealt) if lane_runs
        ]
        self.executor = ThreadPoolExecutor(max_workers=len(self.pools) or 1, thread_name_prefix="lane")
        self.lanes: dict[str, tuple[WorkerPool, Future]] = {}
        for pool in self.pools:
            future = self.executor.submit(pool.all_outcomes)
            self.lanes.update({run.id: (pool, future) for run in pool.runs})

    def outcome(self, run_id: str) -> Outcome:
        """The outcome of `run_id`, as soon as its lane has it."""
        pool, future = self.lanes[run_id]
        while run_id not in pool.outcomes:
            if future.done():
                future.result()  # the lane ended without it: raise what ended it
                raise PoolClosed(run_id)
            time.sleep(self.POLL)
        return pool.outcomes[run_id]

    def all_outcomes(self) -> dict[str, Outcome]:
        return {run_id: self.outcome(run_id) for run_id in self.lanes}

    def close(self) -> None:
        for pool in self.pools:
            pool.abandon()
        wait([future for _, future in self.lanes.values()], timeout=KILL_GRACE)
        self.executor.shutdown(wait=False)
        for pool in self.pools:
            pool.close()

    def __enter__(self) -> ParallelPools:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
