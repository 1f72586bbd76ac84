"""The worker process: imports submissions, runs their tasks on Spark, reports outcomes.

Started by `grader.sandbox.supervisor` as `python -m grader.sandbox.worker JOB.json RESULT_FD`.
A job lists runs (a task of an exercise, and the submission file to take it from); each outcome
goes out as one JSON line on the result pipe, a channel separate from stdout and stderr, so
nothing a student prints can pass for a result.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path

from grader import catalog
from grader import outcome as kinds
from grader.outcome import Outcome
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
        from grader.sandbox.engine import create_session, session_alive

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

    def run(self, entry: dict) -> Outcome:
        task = catalog.exercise(entry["exercise"]).task(entry["task"])
        module = self.module(entry["submission"])
        if isinstance(module, LoadError):
            return Outcome.failed(task.name, kinds.LOAD, str(module))
        spark = self.session()
        workdir = Path(tempfile.mkdtemp(prefix=f"{task.name}-", dir=self.workdir))
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, task.timeout)
        try:
            return run_task(spark, task, module, workdir)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def serve(self) -> None:
        for entry in self.job["runs"]:
            outcome = self.run(entry)
            line = json.dumps({"run": entry["id"], "outcome": json.loads(outcome.to_json())})
            self.results.write(line + "\n")
            self.results.flush()


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    results = os.fdopen(int(argv[1]), "w", encoding="utf-8")
    sys.stdin = open(os.devnull)
    Worker(job, results).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
