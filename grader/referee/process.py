"""The referee process: runs tasks on a Spark Connect engine with results it reads itself.

    python -m grader.referee.process JOB.json RESULT_FD

Started by the supervisor (`grader.supervision.supervisor`) for each lane. It never imports student
code: it forks the confined worker, which attaches to the grading session (and imports the
submission and calls its functions when asked), opens that session itself, and runs each task's
scenario through `grader.referee.run.run_task`, feeding, driving and reading every sink through
its own client. Outcomes go to the supervisor as JSON lines on RESULT_FD, as a worker's would.
"""

from __future__ import annotations

import dataclasses
import json
import os
import runpy
import signal
import socket
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from grader import catalog
from grader import outcome as kinds
from grader.engine import Engine
from grader.engine.admission import admitted_session
from grader.engine.session import create_session
from grader.lifecycle import die_with_parent
from grader.outcome import Outcome
from grader.referee.run import run_task
from grader.referee.student import Channel, Descendants, RemoteStudent, WorkerLost
from grader.time_limits import TaskClock, processor_seconds, ticking

WORKER_JOB = "GRADER_WORKER_JOB"  # the environment variable that hands the worker its job
WORKER_STARTUP = 90.0  # attaching a session and importing pyspark, on a busy machine


def fork_worker(job: dict, channel: int, folder: Path) -> int:
    """Start the confined worker (`python -m grader.sandbox.worker ARGV`) as a fork of this
    process, taken before it opens a connection: the child starts with Spark's client already
    imported, which is most of a fresh worker's start (the only other threads then are pyarrow's
    and its allocator's, which both reset themselves in a forked child). It keeps only `channel`
    and its standard streams (stdin empty, the rest into `folder`/worker.log), runs in `folder`
    with the environment a spawned worker gets, and dies with this process; its pid is returned.
    Its job (which names the Spark session) reaches it in memory, never on disk, where the
    engine's processes, running other students' code, can read."""
    import pyspark.sql.connect.session  # noqa: F401 (imported once, for both processes)

    log = os.open(folder / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(log)
        return pid
    status = 1
    try:
        die_with_parent()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        # Nothing of the referee's reaches the student: not its result pipe, not its end of the socket.
        os.closerange(3, channel)
        os.closerange(channel + 1, os.sysconf("SC_OPEN_MAX"))
        os.chdir(folder)
        # UTC: pyspark turns timestamps into datetimes in the process's own time zone.
        os.environ.update(TZ="UTC", TMPDIR=str(folder))
        time.tzset()
        tempfile.tempdir = None
        os.environ[WORKER_JOB] = json.dumps(job)
        sys.argv = ["grader.sandbox.worker", "-", str(channel)]
        runpy.run_module("grader.sandbox.worker", run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


class Referee:
    def __init__(self, job: dict, results):
        self.job = job
        self.results = results
        self.workdir = Path(job["workdir"])
        self.descendants = Descendants()
        self.admissions = ExitStack()
        engine = Engine(**job["engine"])
        self.engine = engine.with_session(self.admissions.enter_context(admitted_session(engine.url)))
        self.spark = None
        self.channel: Channel | None = None
        self.worker: int | None = None  # its pid

    def send(self, message: dict) -> None:
        self.results.write(json.dumps(message) + "\n")
        self.results.flush()

    def start(self) -> str | None:
        """Start the worker and open the session it attaches to; why not, when either fails.
        The worker starts first: its imports then overlap the session's opening here."""
        ours, theirs = socket.socketpair()
        student_dir = self.workdir / "student"
        student_dir.mkdir(parents=True, exist_ok=True)
        job = {"mode": "calls", "engine": self.engine.as_dict(), "workdir": str(student_dir),
               "readable": self.job["readable"]}
        self.worker = fork_worker(job, theirs.fileno(), student_dir)
        theirs.close()
        self.channel = Channel(ours)
        try:
            self.spark = create_session(self.engine, self.workdir)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        try:
            hello = self.channel.receive(WORKER_STARTUP)
        except WorkerLost as lost:
            return f"the grading worker did not start: {lost.failure.message}"
        if "engine_error" in hello:
            return str(hello["engine_error"])
        self.descendants.signal_all(signal.SIGSTOP)
        return None

    def serve(self) -> None:
        problem = self.start()
        if problem:
            self.send({"run": self.job["runs"][0]["id"], "engine_error": problem[:2000]})
            return
        for entry in self.job["runs"]:
            outcome = self.run(entry)
            retire = outcome.failure is not None and outcome.failure.kind in (*kinds.RETIRING_KINDS, kinds.CRASH)
            self.send({"run": entry["id"], "outcome": json.loads(outcome.to_json()), "retire": retire})
            if retire:
                return

    def run(self, entry: dict) -> Outcome:
        task = catalog.exercise(entry["exercise"]).task(entry["task"])
        student = RemoteStudent(self.channel, self.spark, self.descendants, self.worker, {
            "exercise": entry["exercise"], "task": entry["task"],
            "submission": entry["submission"], "budget": entry["budget"],
        })
        workdir = self.workdir / "runs" / entry["id"].replace(":", "_").replace("!", "_")
        workdir.mkdir(parents=True, exist_ok=True)
        # The student's processor time is what the worker and everything it started use.
        clock = TaskClock(entry["budget"], lambda: processor_seconds(self.descendants.pids()))
        with ticking(clock, student.out_of_time):
            outcome = run_task(self.spark, task, student, workdir, clock, entry.get("scenario"),
                               private=self.private_session)
        return dataclasses.replace(outcome, skipped=student.skipped)

    @contextmanager
    def private_session(self):
        """A clone of the grading session, under an id only this process knows: what the
        referee starts and reads there, the student's code cannot list, replace or stop."""
        with admitted_session(self.engine.url) as session_id:
            clone = self.spark.cloneSession(session_id)
            try:
                yield clone
            finally:
                with suppress(Exception):  # an engine gone has nothing to release
                    clone.stop()

    def close(self) -> None:
        """End every process of the student's, give the session back, and shut the engine's door
        to it: whatever the student's code left running there can no longer reach it."""
        self.descendants.signal_all(signal.SIGKILL)
        if self.spark is not None:
            with suppress(Exception):  # the referee is ending anyway
                self.spark.stop()
        self.admissions.close()


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    referee = Referee(job, os.fdopen(int(argv[1]), "w", encoding="utf-8"))
    try:
        referee.serve()
    finally:
        referee.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
