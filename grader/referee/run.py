"""Run one task through its scenario and read back what it produced, into an `Outcome`.

The referee feeds the fixture batches, drives the queries and reads every sink itself; the
student's function is reached only through a `Student` (`grader.referee.student`), which hands
back what the function returned. On a Spark Connect engine that student runs in another, confined
process and the referee never imports its code; on the local engine both share one process.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from grader import outcome as kinds
from grader.engine.session import engine_answers, session_alive
from grader.kafka import KafkaToolError
from grader.outcome import Failure, Outcome, Snapshot, timeout_message
from grader.referee.errors import infrastructure_cause
from grader.referee.results import (
    WrongResult,
    check_memory_table,
    check_sources,
    require_dataframe,
    require_query,
    sink_snapshots,
    snapshot,
)
from grader.referee.sinks import active_by_name, await_end, forget_last_batch, read_files, read_table, row_counts
from grader.referee.streams import StreamFolders, materialize
from grader.referee.student import Student, StudentFailed, WorkerLost
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
    from grader.referee.kafka_topics import KafkaTopics


class TaskTimeout(BaseException):
    """Raised when a task runs past its time (a BaseException so that a student's
    `except Exception` cannot swallow it where student code shares the process)."""


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
    """One task's folders (or topics), argument recipes and query names, and how to read back
    its results."""

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
            from grader.referee.kafka_topics import KafkaTopics  # kafka-python: only Kafka tasks load it

            self._kafka = KafkaTopics(self.spark, self.scenario, self.task.name)
        return self._kafka

    def arguments(self) -> dict[str, dict]:
        """A recipe per parameter of the student's function (see `grader.referee.streams`)."""
        return {name: self._recipe(kind) for name, kind in self.task.params.items()}

    def _recipe(self, kind) -> dict:
        if isinstance(kind, Spark):
            return {"kind": "spark"}
        if isinstance(kind, StreamOf):
            return self.streams.stream_recipe(kind.stream)
        if isinstance(kind, StaticOf):
            return self.streams.static_recipe(kind.stream)
        if isinstance(kind, KafkaStreamOf):
            return self.kafka.stream_recipe(kind.stream)
        return {"kind": "value", "value": self._value(kind)}

    def _value(self, kind) -> str:
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
        if isinstance(kind, OutputTopic):
            return self.kafka.output_topic()
        raise TypeError(f"no runtime for input {kind!r}")

    def fed_sources(self) -> dict[str, int]:
        """How many rows each input (a folder, or a Kafka topic) has received so far."""
        fed = {str(self.streams.folders[name]): rows for name, rows in self.streams.fed_rows.items()}
        if self._kafka is not None:
            fed = {**fed, **self._kafka.fed_rows()}
        return fed

    def prepare(self) -> None:
        """What must be there before the student's function is called."""
        output = self.task.output
        if isinstance(output, AvailableNow):  # data waiting, for a query that stops once done
            for index in range(self.scenario.batch_count - 1):
                self.feed(index)
        elif isinstance(output, StoppedQuery):  # two running queries, one to be stopped
            frame = materialize(self.spark, self.streams.stream_recipe(next(iter(self.scenario.streams))))
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
            # A name only the referee knows: nothing the student's code made can stand in for its table.
            table = f"graded_{uuid.uuid4().hex}"
            query = (
                frame.writeStream.format("memory")
                .queryName(table)
                .outputMode(output.mode)
                .option("checkpointLocation", str(self.checkpoint))
                .start()
            )
            read = lambda: check_memory_table(self.spark, query, table, output.mode)  # noqa: E731
        elif isinstance(output, StartedQuery):
            query = require_query(returned, self.query_name)
            read = lambda: check_memory_table(self.spark, query, self.query_name)  # noqa: E731
        elif isinstance(output, KafkaSinkTopic):
            query = require_query(returned)
            read = self.kafka.read_output
        elif isinstance(output, FileSink):
            query = require_query(returned)
            read = lambda: read_files(self.spark, self.output_folder, output.format)  # noqa: E731
        elif isinstance(output, RunningQueries):
            names = [self.name_for(k.role) for k in self.task.params.values() if isinstance(k, QueryName)]
            running = active_by_name(self.spark, names)
            query = QueryGroup(running.values())
            read = lambda: row_counts(self.spark, running)  # noqa: E731
        else:
            raise TypeError(f"no runtime for output {output!r}")
        try:
            return list(sink_snapshots(query, self.feed, self._checked(query, read), self.scenario.batch_count))
        finally:
            query.stop()

    def _checked(self, query, read):
        """`read`, after checking that every query involved read the grader's streams, all of them."""
        def checked_read() -> Snapshot:
            for each in getattr(query, "queries", [query]):
                check_sources(each, self.fed_sources())
            return read()
        return checked_read

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
                query = require_query(query, running=False)
                await_end(query)
                check_sources(query, self.fed_sources())
                runs.append(read_files(self.spark, self.output_folder, output.format))
            return runs
        # SqliteTable: every batch, then the last one replayed after a restart.
        query = require_query(returned)
        read = lambda: read_table(self.database, output.table, output.columns)  # noqa: E731
        try:
            runs = list(sink_snapshots(query, self.feed, self._checked(query, read), self.scenario.batch_count))
        finally:
            query.stop()
        forget_last_batch(self.checkpoint)
        again = require_query(call_again())
        try:
            again.processAllAvailable()
        finally:
            again.stop()
        return runs + [read()]

    def feed(self, index: int) -> None:
        """Make batch `index` arrive in the stream folders, and in the topics if there are any."""
        self.streams.feed(index)
        if self._kafka is not None:
            self._kafka.feed(index)

    def close(self) -> None:
        """Release what the run set up outside Spark (its Kafka clients)."""
        if self._kafka is not None:
            self._kafka.close()


def run_task(spark: SparkSession, task: Task, student: Student, workdir: Path, timeout: float,
             scenario: str | None = None) -> Outcome:
    """Call the student's function for `task` and run what it returns through the scenario."""
    started = time.monotonic()
    stage = "setup"
    run = None
    try:
        run = TaskRun(spark, task, workdir, scenario)
        arguments = run.arguments()
        run.prepare()
        stage = "call"
        returned = student.call(arguments)
        stage = "query"
        snapshots = run.snapshots(returned, lambda: student.call(arguments))
        return Outcome(task.name, snapshots, None, student.printed, time.monotonic() - started)
    except (StudentFailed, WorkerLost) as failed:
        failure = failed.failure
    except TaskTimeout:
        failure = (Failure(kinds.TIMEOUT, timeout_message(timeout)) if engine_answers(spark) else
                   Failure(kinds.INFRASTRUCTURE, "The Spark engine stopped answering while it ran your query."))
    except WrongResult as error:
        failure = Failure(kinds.WRONG_RESULT, str(error))
    except KafkaToolError as error:  # no broker or no connector: the setup's fault, not the student's
        failure = Failure(kinds.UNAVAILABLE, str(error))
    except BaseException as error:  # a query can fail in any way; report it, keep grading
        failure = describe_query_error(error, stage, spark)
    finally:
        stop_leftover_queries(spark)
        if run is not None:
            run.close()
    return Outcome(task.name, [], failure, student.printed, time.monotonic() - started)


def describe_query_error(error: BaseException, stage: str, spark: SparkSession) -> Failure:
    """A failure met while the referee drove the student's query, said as what it means."""
    cause = infrastructure_cause(str(error))
    if cause:
        return Failure(kinds.INFRASTRUCTURE, cause, detail=str(error)[:2000])
    if not session_alive(spark):
        if not engine_answers(spark):
            return Failure(kinds.INFRASTRUCTURE, "The Spark engine stopped answering while it ran your query.",
                           detail=str(error)[:2000])
        return Failure(
            kinds.SPARK_STOPPED,
            "Your code stopped the Spark session (spark.stop()). The grader owns the session: "
            "remove the call; a fresh session was started for the next task.",
        )
    batch = getattr(error, "fixture_batch", None)
    if isinstance(error, PySparkException) and stage == "query":
        return Failure(
            kinds.QUERY_FAILED,
            root_cause(str(error)),
            batch=batch,
            error_class=error.getCondition(),
            detail=str(error)[:2000],
        )
    return Failure(kinds.INFRASTRUCTURE, f"The grader failed while running your query ({stage}): "
                   f"{type(error).__name__}: {first_line(str(error))}", detail=str(error)[:2000])


def root_cause(message: str) -> str:
    """The line of a failed query's message that says why: the exception a Python UDF raised,
    or what follows Spark's 'terminated with exception' preamble."""
    import re

    if "PYTHON_EXCEPTION" in message or "Traceback (most recent call last)" in message:
        raised = re.findall(r"^(\w+(?:Error|Exception|Exit|Interrupt)): (.+)$", message, re.MULTILINE)
        if raised:
            name, text = raised[-1]
            return f"{name}: {text.strip()}"
    _, _, after = message.partition("terminated with exception: ")
    return first_line(after or message)


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)[:500]


def stop_leftover_queries(spark: SparkSession) -> None:
    """A failed task may leave queries running; they must not feed on the next task's time."""
    try:
        for query in spark.streams.active:
            query.stop()
    except Exception:  # a stopped session has no queries to stop
        pass
