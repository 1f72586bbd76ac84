"""The worker process: the only process that imports a submission's code.

    python -m grader.sandbox.worker JOB.json FD    (or JOB "-", in GRADER_WORKER_JOB)

It confines itself (Landlock) before anything of the student's runs, attaches to the grading
session, imports each submission file once, and then serves one of two masters:
- `calls` (a Spark Connect engine): the referee, at the other end of socket FD, asks for calls
  of the student's functions; the worker answers with what they returned, as handles. It never
  reads a sink or judges anything.
- `runs` (the local engine, whose JVM lives in this process): it runs each task through its
  scenario itself and writes outcomes, one JSON line each, on pipe FD. Grades taken this way are
  only as trustworthy as the student's own process (see the README).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from grader import catalog
from grader import outcome as kinds
from grader.engine import Engine
from grader.outcome import Failure, Outcome
from grader.paths import DECLARATIONS, STREAMS
from grader.sandbox.calls import LocalStudent, call_task, handle_for, interruptible
from grader.confinement import confine
from grader.supervision.limits import limit_file_size
from grader.sandbox.loader import LoadError, load_submission, student_traceback
from grader.spec import scenario_path
from grader.time_limits import (STOP_SIGNAL, OutOfTime, TaskClock, give_up, import_message, out_of_time_message,
                                ticking)


class Worker:
    def __init__(self, job: dict):
        self.job = job
        self.workdir = Path(job["workdir"])
        self.engine = Engine(**job["engine"])
        self.modules: dict[str, object] = {}
        self.spark = None

    def session(self):
        from grader.engine.session import create_session, session_alive

        if self.spark is None or not session_alive(self.spark):
            self.spark = create_session(self.engine, self.workdir)
        return self.spark

    def module(self, path: str, budget: float):
        """Each submission file is imported once; an import failure is remembered, not retried,
        one that never ends (stopped past `budget`) too: every task of the file fails at once."""
        if path not in self.modules:
            try:
                self.modules[path] = load_submission(Path(path), f"submission_{len(self.modules)}")
            except LoadError as error:
                self.modules[path] = error
            except OutOfTime as out:
                if out.busy:
                    raise
                where = student_traceback(out, path) or "  (it was stopped in code it called)"
                self.modules[path] = LoadError(import_message(Path(path).name, budget, where))
        return self.modules[path]

    def call(self, request: dict) -> dict:
        """One call of a student's function, answered as a handle or a failure; the referee's
        stop signal ends the import or the call when the task is out of time."""
        try:
            with interruptible():
                module = self.module(request["submission"], request["budget"])
                if isinstance(module, LoadError):
                    return {"failure": dataclasses.asdict(Failure(kinds.LOAD, str(module)))}
                task = catalog.exercise(request["exercise"]).task(request["task"])
                spark = self.session()
                returned, printed = call_task(spark, module, task, request["arguments"], request["budget"])
        except OutOfTime:  # stopped between the student's code and the grader's around it
            return {"failure": dataclasses.asdict(Failure(kinds.TIMEOUT, out_of_time_message(request["budget"])))}
        said = {"printed": printed, "skipped": module.__skipped__}
        if isinstance(returned, Failure):
            return {"failure": dataclasses.asdict(returned), **said}
        return {"returned": handle_for(returned, spark), **said}

    def serve_calls(self, channel) -> None:
        try:
            # Before the import: a notebook's own getOrCreate() must find the grading session.
            self.session()
        except Exception as error:  # the engine failed, not the student
            channel.send({"engine_error": f"{type(error).__name__}: {error}"[:2000]})
            return
        channel.send({"ready": True})
        while True:
            try:
                request = channel.receive(timeout=24 * 3600)["call"]
            except Exception:  # the referee is gone: so is this worker's purpose
                return
            channel.send(self.call(request))

    def serve_runs(self, results) -> None:
        """Run every entry through its scenario here; stop early when the session is no longer
        to be trusted."""
        from grader.referee.run import run_task

        def send(message: dict) -> None:
            results.write(json.dumps(message) + "\n")
            results.flush()

        for entry in self.job["runs"]:
            try:
                spark = self.session()
            except Exception as error:  # the engine failed, not the student: ask for a new worker
                send({"run": entry["id"], "engine_error": f"{type(error).__name__}: {error}"[:2000]})
                return
            task = catalog.exercise(entry["exercise"]).task(entry["task"])
            # The student's code runs in this process: the clock stops it here, and counts
            # this process's own processor time as the student's.
            with ticking(TaskClock(entry["budget"], time.process_time), give_up) as clock:
                module = self.module(entry["submission"], entry["budget"])
                if isinstance(module, LoadError):
                    outcome = Outcome.failed(task.name, kinds.LOAD, str(module))
                else:
                    workdir = Path(tempfile.mkdtemp(prefix=f"{task.name}-", dir=self.workdir))
                    student = LocalStudent(spark, module, task, entry["budget"])
                    outcome = run_task(spark, task, student, workdir, clock, entry.get("scenario"))
                    outcome = dataclasses.replace(outcome, skipped=module.__skipped__)
            retire = outcome.failure is not None and outcome.failure.kind in kinds.RETIRING_KINDS
            send({"run": entry["id"], "outcome": json.loads(outcome.to_json()), "retire": retire})
            if retire:
                return

    def release(self) -> None:
        """Give a local session back; a Spark Connect session is the referee's to release."""
        if self.spark is not None and not self.engine.is_connect:
            try:
                self.spark.stop()
            except Exception:  # the worker is ending anyway
                pass


def main(argv: list[str]) -> int:
    # "-": a worker forked by the referee, handed its job in memory (see grader.referee.process).
    job = json.loads(os.environ.pop("GRADER_WORKER_JOB") if argv[0] == "-" else Path(argv[0]).read_text())
    serving_calls = job["mode"] == "calls"
    # Before any student code: from here on, only the (copied) submissions, the course's
    # declarations (it looks tasks up there) and this worker's own folder are reachable, by it and
    # by any process it starts (a local JVM too); on the local engine, which runs the scenarios
    # here, the fixture streams too (a hidden one only for the workers that run it).
    scenarios = [STREAMS, *(scenario_path(run["scenario"]) for run in job.get("runs", []) if run.get("scenario"))]
    # On Spark Connect it talks to the engine alone: no broker, no other service of the machine.
    engine_port = (Engine(**job["engine"]).address()[1],) if serving_calls else None
    confine(readable=[Path(p) for p in job["readable"]] + [DECLARATIONS] + ([] if serving_calls else scenarios),
            writable=[Path(job["workdir"])], tcp_ports=engine_port)
    limit_file_size()
    signal.signal(STOP_SIGNAL, signal.SIG_IGN)  # a stop is heeded only inside a call
    sys.stdin = open(os.devnull)
    worker = Worker(job)
    try:
        if serving_calls:
            from grader.referee.student import Channel

            worker.serve_calls(Channel(socket.socket(fileno=int(argv[1]))))
        else:
            worker.serve_runs(os.fdopen(int(argv[1]), "w", encoding="utf-8"))
    finally:
        worker.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
