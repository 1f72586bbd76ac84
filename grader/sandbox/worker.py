"""The worker process: imports submissions, runs their tasks on Spark, reports outcomes.

Started by `grader.sandbox.supervisor` as `python -m grader.sandbox.worker JOB.json RESULT_FD`.
A job lists runs (a task of an exercise, and the submission file to take it from); each outcome
goes out as one JSON line on the result pipe, a channel separate from stdout and stderr, so
nothing a student prints can pass for a result.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

from grader import catalog
from grader import outcome as kinds
from grader.outcome import Outcome
from grader.paths import STREAMS
from grader.spec import scenario_path
from grader.sandbox.confinement import confine
from grader.sandbox.limits import limit_file_size
from grader.sandbox.loader import LoadError, load_submission
from grader.sandbox.runner import TaskTimeout, run_task


def _raise_timeout(signum, frame):
    raise TaskTimeout()


class Worker:
    def __init__(self, job: dict, results):
        self.job = job
        self.results = results
        self.workdir = Path(job["workdir"])
        self.modules: dict[str, object] = {}
        self.spark = None

    def session(self):
        from grader.engine.session import create_session, session_alive

        if self.spark is None or not session_alive(self.spark):
            self.spark = create_session(self.job["engine"], self.workdir)
        return self.spark

    def module(self, path: str):
        """Each submission file is imported once; an import failure is remembered, not retried."""
        if path not in self.modules:
            try:
                self.modules[path] = load_submission(Path(path), f"submission_{len(self.modules)}")
            except LoadError as error:
                self.modules[path] = error
        return self.modules[path]

    def run(self, entry: dict, spark) -> Outcome:
        task = catalog.exercise(entry["exercise"]).task(entry["task"])
        module = self.module(entry["submission"])
        if isinstance(module, LoadError):
            return Outcome.failed(task.name, kinds.LOAD, str(module))
        workdir = Path(tempfile.mkdtemp(prefix=f"{task.name}-", dir=self.workdir))
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, entry["timeout"])
        try:
            outcome = run_task(spark, task, module, workdir, entry["timeout"], entry.get("scenario"))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return dataclasses.replace(outcome, skipped=module.__skipped__)

    def send(self, message: dict) -> None:
        self.results.write(json.dumps(message) + "\n")
        self.results.flush()

    def serve(self) -> None:
        """Run every entry; stop early when the session can no longer be trusted."""
        for entry in self.job["runs"]:
            if not Path(entry["submission"]).is_file():  # nothing to import: no session needed
                self.send({"run": entry["id"], "outcome": json.loads(self.run(entry, None).to_json())})
                continue
            try:
                # Before the import: a notebook's own getOrCreate() must find the grading session.
                spark = self.session()
            except Exception as error:  # the engine failed, not the student: ask for a new worker
                self.send({"run": entry["id"], "engine_error": f"{type(error).__name__}: {error}"[:2000]})
                return
            outcome = self.run(entry, spark)
            retire = outcome.failure is not None and outcome.failure.kind in kinds.RETIRING_KINDS
            self.send({"run": entry["id"], "outcome": json.loads(outcome.to_json()), "retire": retire})
            if retire:
                return

    def release(self) -> None:
        """Give the session back: on a shared engine, its tables and state would linger."""
        if self.spark is not None and self.job["engine"].get("kind") == "connect":
            try:
                self.spark.stop()
            except Exception:  # the worker is ending anyway
                pass


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    results = os.fdopen(int(argv[1]), "w", encoding="utf-8")
    # Before any student code: from here on, only the submissions, the fixture streams and this
    # worker's own folder are reachable, by it and by any process it starts (a local JVM too).
    # A hidden scenario's file is readable only by the workers that run it.
    hidden = [scenario_path(run["scenario"]) for run in job["runs"] if run.get("scenario")]
    confine(readable=[Path(run["submission"]) for run in job["runs"]] + [STREAMS, *hidden],
            writable=[Path(job["workdir"])])
    limit_file_size()
    sys.stdin = open(os.devnull)
    worker = Worker(job, results)
    try:
        worker.serve()
    finally:
        worker.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
