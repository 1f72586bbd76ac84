"""Run one task of a submission through its scenario, inside the worker, into an `Outcome`."""

from __future__ import annotations

import contextlib
import errno
import io
import re
import time
import traceback
import types
from pathlib import Path
from typing import TYPE_CHECKING

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from grader import outcome as kinds
from grader.outcome import Failure, Outcome, Snapshot, timeout_message
from grader.engine.session import session_alive
from grader.kafka import KafkaToolError
from grader.sandbox.limits import FILE_LIMIT_MB
from grader.sandbox.loader import student_traceback
from grader.sandbox.results import (
    WrongResult,
    require_dataframe,
    require_query,
    sink_snapshots,
    snapshot,
)
from grader.sandbox.streams import StreamFolders
from grader.sandbox.sinks import active_by_name, await_end, forget_last_batch, read_files, read_table, row_counts
from grader.spec import (
    AvailableNow,
    Checkpoint,
    Collect,
    DatabasePath,
    FileSink,
    FolderOf,
    KafkaBootstrap,
    KafkaSinkTopic,
    KafkaStreamOf,
    MemorySink,
    OutputFolder,
    OutputTopic,
    QueryName,
    RunningQueries,
    Spark,
    SqliteTable,
    StartedQuery,
    StaticOf,
    StoppedQuery,
    StreamOf,
    Task,
    TopicOf,
    load_scenario,
)

if TYPE_CHECKING:
    from grader.sandbox.kafka_topics import KafkaTopics

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


class QueryGroup:
    """Several queries driven as one: each processes all available data, all stop together."""

    def __init__(self, queries):
        self.queries = list(queries)

    def processAllAvailable(self) -> None:  # noqa: N802 (the StreamingQuery method it stands for)
        for query in self.queries:
            query.processAllAvailable()

    def stop(self) -> None:
        for query in self.queries:
            query.stop()


class TaskRun:
    """One task's arguments, folders (or topics) and query name, and how to read back its results."""

    def __init__(self, spark: SparkSession, task: Task, workdir: Path, scenario: str | None = None):
        self.spark = spark
        self.task = task
        self.workdir = workdir
        self.scenario = load_scenario(scenario or task.scenario)
        self.streams = StreamFolders(self.scenario, workdir)
        self.query_name = self.name_for("")
        self.checkpoint = workdir / "checkpoint"
        self.output_folder = workdir / "output"
        self.database = workdir / "sink.db"
        self._kafka: KafkaTopics | None = None

    def name_for(self, role: str) -> str:
        return f"{self.task.name}_{role or 'result'}"

    def checkpoint_for(self, role: str) -> Path:
        return self.checkpoint.with_name(f"checkpoint-{role}") if role else self.checkpoint

    @property
    def kafka(self) -> KafkaTopics:
        """The task's Kafka topics, set up when a Kafka input is first asked for."""
        if self._kafka is None:
            from grader.sandbox.kafka_topics import KafkaTopics  # kafka-python: only Kafka tasks load it

            self._kafka = KafkaTopics(self.spark, self.scenario, self.task.name)
        return self._kafka

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
            return self.name_for(kind.role)
        if isinstance(kind, Checkpoint):
            return str(self.checkpoint_for(kind.role))
        if isinstance(kind, OutputFolder):
            self.output_folder.mkdir(parents=True, exist_ok=True)
            return str(self.output_folder)
        if isinstance(kind, DatabasePath):
            return str(self.database)
        if isinstance(kind, KafkaBootstrap):
            return self.kafka.bootstrap
        if isinstance(kind, TopicOf):
            return self.kafka.topic(kind.stream)
        if isinstance(kind, KafkaStreamOf):
            return self.kafka.read_stream(self.spark, kind.stream)
        if isinstance(kind, OutputTopic):
            return self.kafka.output_topic()
        raise TypeError(f"no runtime for input {kind!r}")

    def prepare(self) -> None:
        """What must be there before the student's function is called."""
        output = self.task.output
        if isinstance(output, AvailableNow):  # data waiting, for a query that stops once done
            for index in range(self.scenario.batch_count - 1):
                self.feed(index)
        elif isinstance(output, StoppedQuery):  # two running queries, one to be stopped
            frame = self.streams.read_stream(self.spark, next(iter(self.scenario.streams)))
            for name in self._stopped_query_names():
                frame.writeStream.format("memory").queryName(name).start()

    def _stopped_query_names(self) -> list[str]:
        return [self.query_name, self.name_for("other")]

    def snapshots(self, returned: object, call_again) -> list[Snapshot]:
        """Run the scenario through what the function returned; `call_again()` calls the
        student's function again with the same arguments (to restart a query)."""
        output = self.task.output
        if isinstance(output, Collect):
            return [snapshot(require_dataframe(returned, streaming=False))]
        if isinstance(output, (AvailableNow, SqliteTable, StoppedQuery)):
            return self._special_run(output, returned, call_again)
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
        elif isinstance(output, (KafkaSinkTopic, FileSink)):
            query = require_query(returned)
        elif isinstance(output, RunningQueries):
            names = [self.name_for(k.role) for k in self.task.params.values() if isinstance(k, QueryName)]
            query = QueryGroup(active_by_name(self.spark, names).values())
        else:
            raise TypeError(f"no runtime for output {output!r}")
        if isinstance(output, KafkaSinkTopic):
            read = self.kafka.read_output
        elif isinstance(output, FileSink):
            read = lambda: read_files(self.spark, self.output_folder, output.format)  # noqa: E731
        elif isinstance(output, RunningQueries):
            read = lambda: row_counts(self.spark, names)  # noqa: E731
        else:
            read = self._memory_table
        try:
            return list(sink_snapshots(query, self.feed, read, self.scenario.batch_count))
        finally:
            query.stop()

    def _special_run(self, output, returned, call_again) -> list[Snapshot]:
        if isinstance(output, StoppedQuery):
            active = {q.name for q in self.spark.streams.active}
            return [Snapshot([("query", "string"), ("active", "boolean")],
                             [[name, name in active] for name in self._stopped_query_names()])]
        if isinstance(output, AvailableNow):
            runs = []
            for query in (returned, None):
                if query is None:  # the last batch arrives, and the query is started again
                    self.feed(self.scenario.batch_count - 1)
                    query = call_again()
                await_end(require_query(query, running=False))
                runs.append(read_files(self.spark, self.output_folder, output.format))
            return runs
        # SqliteTable: every batch, then the last one replayed after a restart.
        query = require_query(returned)
        read = lambda: read_table(self.database, output.table, output.columns)  # noqa: E731
        try:
            runs = list(sink_snapshots(query, self.feed, read, self.scenario.batch_count))
        finally:
            query.stop()
        forget_last_batch(self.checkpoint)
        again = require_query(call_again())
        try:
            again.processAllAvailable()
        finally:
            again.stop()
        return runs + [read()]

    def _memory_table(self) -> Snapshot:
        return snapshot(self.spark.table(self.query_name))

    def feed(self, index: int) -> None:
        """Make batch `index` arrive in the stream folders, and in the topics if there are any."""
        self.streams.feed(index)
        if self._kafka is not None:
            self._kafka.feed(index)

    def close(self) -> None:
        """Release what the run set up outside Spark (its Kafka clients)."""
        if self._kafka is not None:
            self._kafka.close()


def run_task(spark: SparkSession, task: Task, module: types.ModuleType, workdir: Path, timeout: float,
             scenario: str | None = None) -> Outcome:
    """Call the student's function for `task` and run what it returns through `scenario` (by
    default the task's public one)."""
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
    run = None
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            run = TaskRun(spark, task, workdir, scenario)
            arguments = run.arguments()
            run.prepare()
            stage = "call"
            returned = function(**arguments)
            stage = "query"
            snapshots = run.snapshots(returned, lambda: function(**arguments))
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
    except KafkaToolError as error:  # no broker or no connector: the setup's fault, not the student's
        failure = Failure(kinds.UNAVAILABLE, str(error))
    except BaseException as error:  # student code can raise anything; report it, keep grading
        failure = _describe(error, stage, module, spark)
    finally:
        _stop_leftover_queries(spark)
        if run is not None:
            run.close()
    return Outcome(task.name, [], failure, printed.getvalue(), time.monotonic() - started)


def _describe(error: BaseException, stage: str, module: types.ModuleType, spark: SparkSession) -> Failure:
    if not session_alive(spark):
        return Failure(
            kinds.SPARK_STOPPED,
            "Your code stopped the Spark session (spark.stop()). The grader owns the session: "
            "remove the call; a fresh session was started for the next task.",
        )
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        return Failure(
            kinds.EXCEPTION,
            f"Your code wrote more than {FILE_LIMIT_MB:.0f} MiB to one file (or to its output), so "
            "writing was stopped. Look for a loop that prints or writes without end.",
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
