"""Run one task of a submission through its scenario, inside the worker, into an `Outcome`."""

from __future__ import annotations

import contextlib
import io
import re
import time
import traceback
import types
from pathlib import Path

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from grader import outcome as kinds
from grader.outcome import Failure, Outcome, Snapshot, timeout_message
from grader.engine.session import session_alive
from grader.sandbox.loader import student_traceback
from grader.sandbox.results import (
    WrongResult,
    require_dataframe,
    require_query,
    sink_snapshots,
    snapshot,
)
from grader.sandbox.streams import StreamFolders
from grader.spec import (
    Checkpoint,
    Collect,
    FolderOf,
    MemorySink,
    QueryName,
    Spark,
    StartedQuery,
    StaticOf,
    StreamOf,
    Task,
    load_scenario,
)

PRINTED_LIMIT = 4000


class TaskTimeout(BaseException):
    """Raised in the worker when a task runs past its time (a BaseException so that a student's
    `except Exception` cannot swallow it)."""


class CappedText(io.StringIO):
    """Keeps the first `PRINTED_LIMIT` characters a task prints, so huge output costs nothing."""

    def write(self, text: str) -> int:
        room = PRINTED_LIMIT - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


class TaskRun:
    """One task's arguments, folders and query name, and how to read back its results."""

    def __init__(self, spark: SparkSession, task: Task, workdir: Path):
        self.spark = spark
        self.task = task
        self.workdir = workdir
        self.scenario = load_scenario(task.scenario)
        self.streams = StreamFolders(self.scenario, workdir)
        self.query_name = f"{task.name}_result"
        self.checkpoint = workdir / "checkpoint"

    def arguments(self) -> dict[str, object]:
        return {name: self._argument(kind) for name, kind in self.task.params.items()}

    def _argument(self, kind) -> object:
        if isinstance(kind, Spark):
            return self.spark
        if isinstance(kind, StreamOf):
            return self.streams.read_stream(self.spark, kind.stream)
        if isinstance(kind, StaticOf):
            return self.streams.read_static(self.spark, kind.stream)
        if isinstance(kind, FolderOf):
            return str(self.streams.folders[kind.stream])
        if isinstance(kind, QueryName):
            return self.query_name
        if isinstance(kind, Checkpoint):
            return str(self.checkpoint)
        raise TypeError(f"no runtime for input {kind!r}")

    def snapshots(self, returned: object) -> list[Snapshot]:
        output = self.task.output
        if isinstance(output, Collect):
            return [snapshot(require_dataframe(returned, streaming=False))]
        if isinstance(output, MemorySink):
            frame = require_dataframe(returned, streaming=True)
            query = (
                frame.writeStream.format("memory")
                .queryName(self.query_name)
                .outputMode(output.mode)
                .option("checkpointLocation", str(self.checkpoint))
                .start()
            )
        elif isinstance(output, StartedQuery):
            query = require_query(returned, self.query_name)
        else:
            raise TypeError(f"no runtime for output {output!r}")
        try:
            return list(
                sink_snapshots(
                    self.spark, query, self.query_name, self.streams.feed, self.scenario.batch_count
                )
            )
        finally:
            query.stop()


def run_task(spark: SparkSession, task: Task, module: types.ModuleType, workdir: Path, timeout: float) -> Outcome:
    """Call the student's function for `task` and run what it returns through the scenario."""
    started = time.monotonic()
    printed = CappedText()
    function = getattr(module, task.name, None)
    if not callable(function):
        return Outcome.failed(
            task.name,
            kinds.MISSING,
            f"Your file defines no function `{task.name}`. Keep the stub's name and signature:\n"
            f"    {task.signature()}",
        )
    stage = "setup"
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            run = TaskRun(spark, task, workdir)
            arguments = run.arguments()
            stage = "call"
            returned = function(**arguments)
            stage = "query"
            snapshots = run.snapshots(returned)
        return Outcome(task.name, snapshots, None, printed.getvalue(), time.monotonic() - started)
    except TaskTimeout:
        failure = Failure(kinds.TIMEOUT, timeout_message(timeout))
    except NotImplementedError:
        failure = Failure(kinds.NOT_IMPLEMENTED, "Not implemented yet: the stub still raises NotImplementedError.")
    except WrongResult as error:
        failure = Failure(kinds.WRONG_RESULT, str(error))
    except (SystemExit, KeyboardInterrupt) as error:
        failure = Failure(
            kinds.EXIT,
            f"Your code raised {type(error).__name__} (sys.exit() or similar). Exercise functions "
            "must return their result, never end the program.",
        )
    except BaseException as error:  # student code can raise anything; report it, keep grading
        failure = _describe(error, stage, module, spark)
    _stop_leftover_queries(spark)
    return Outcome(task.name, [], failure, printed.getvalue(), time.monotonic() - started)


def _describe(error: BaseException, stage: str, module: types.ModuleType, spark: SparkSession) -> Failure:
    if not session_alive(spark):
        return Failure(
            kinds.SPARK_STOPPED,
            "Your code stopped the Spark session (spark.stop()). The grader owns the session: "
            "remove the call; a fresh session was started for the next task.",
        )
    batch = getattr(error, "fixture_batch", None)
    if isinstance(error, PySparkException) and (stage == "query" or batch is not None):
        return Failure(
            kinds.QUERY_FAILED,
            root_cause(str(error)),
            batch=batch,
            error_class=error.getCondition(),
            detail=str(error)[:2000],
        )
    where = student_traceback(error, getattr(module, "__file__", ""))
    return Failure(
        kinds.EXCEPTION,
        f"Your function raised {type(error).__name__}: {_first_line(str(error))}",
        batch=batch,
        error_class=error.getCondition() if isinstance(error, PySparkException) else None,
        detail=where or "".join(traceback.format_exception_only(type(error), error))[:2000],
    )


PYTHON_ERROR_LINE = re.compile(r"^(\w+(?:Error|Exception|Exit|Interrupt)): (.+)$", re.MULTILINE)


def root_cause(message: str) -> str:
    """The line of a failed query's message that says why: the exception a Python UDF raised,
    or what follows Spark's 'terminated with exception' preamble."""
    if "PYTHON_EXCEPTION" in message or "Traceback (most recent call last)" in message:
        raised = PYTHON_ERROR_LINE.findall(message)
        if raised:
            name, text = raised[-1]
            return f"{name}: {text.strip()}"
    _, _, after = message.partition("terminated with exception: ")
    return _first_line(after or message)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)[:500]


def _stop_leftover_queries(spark: SparkSession) -> None:
    """A failed task may leave queries running; they must not feed on the next task's time."""
    try:
        for query in spark.streams.active:
            query.stop()
    except Exception:  # a stopped session has no queries to stop
        pass
