"""Run one task through its scenario and read back what it produced, into an `Outcome`.

The referee feeds the fixture batches, drives the queries and reads every sink itself; the
student's function is reached only through a `Student` (`grader.referee.student`), which hands
back what the function returned. On a Spark Connect engine that student runs in another, confined
process and the referee never imports its code; on the local engine both share one process.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from grader import outcome as kinds
from grader.engine.session import engine_answers, session_alive
from grader.kafka import KafkaToolError
from grader.outcome import Failure, Outcome, Snapshot
from grader.referee.errors import infrastructure_cause
from grader.referee.results import (
    WrongResult,
    check_kafka_output,
    check_memory_table,
    check_no_other_queries,
    check_sources,
    is_query,
    require_dataframe,
    require_query,
    snapshot,
    watermark_of,
)
from grader.referee.sinks import (
    CommittedFiles,
    active_by_name,
    await_end,
    forget_last_batch,
    read_table,
    row_counts,
)
from grader.referee.streams import StreamFolders, materialize
from grader.referee.student import Student, StudentFailed, WorkerLost
from grader.time_limits import OutOfTime, TaskClock, busy_message, out_of_time_message
from grader.spec.steps import AwaitEnd, Call, Check, Feed, Process, ReplayLastBatch, StartQueriesToStop, Stop
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

# The ways a student's call can fail that a dying engine causes too.
ENGINE_TOUCHING = (kinds.EXCEPTION, kinds.QUERY_FAILED, kinds.SPARK_STOPPED)


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


class ScenarioRun:
    """One task's run of a scenario: its folders (or topics), argument recipes and query names,
    and the interpreter of its steps (`Output.steps`)."""

    def __init__(self, spark: SparkSession, task: Task, workdir: Path, scenario: str | None = None,
                 private: Callable[[], AbstractContextManager[SparkSession]] | None = None):
        self.spark = spark
        self.private = private
        self.resources = ExitStack()
        self.task = task
        self.workdir = workdir
        self.scenario = load_scenario(scenario or task.scenario)
        self.streams = StreamFolders(self.scenario, workdir)
        self.query_name = self.name_for("")
        self.checkpoint = workdir / "checkpoint"
        self.output_folder = workdir / "output"
        self.database = workdir / "sink.db"
        self.fed = -1  # the last batch fed
        self.watermarks: list[str | None] = []  # the query's watermark at each check
        self.called = False  # whether the student's function has returned once
        self._kafka: KafkaTopics | None = None

    def name_for(self, role: str) -> str:
        return f"{self.task.name}_{role or 'result'}"

    def checkpoint_for(self, role: str) -> Path:
        return self.checkpoint.with_name(f"checkpoint-{role}") if role else self.checkpoint

    def private_session(self) -> SparkSession:
        """A session the student's code cannot reach, for what the grader starts and reads itself;
        the grading session where there is no such thing (the local engine, where the student's
        code shares the referee's process anyway)."""
        if self.private is None:
            return self.spark
        return self.resources.enter_context(self.private())

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

    def snapshots(self, student: Student, clock: TaskClock) -> list[Snapshot]:
        """Carry out the task's steps with `student`, each done a progress on `clock`; what each
        `Check` read, in order."""
        recipes = self.arguments()
        sink = SINKS[type(self.task.output)](self)
        taken = []
        try:
            for step in self.task.output.steps(self.scenario.batch_count):
                if isinstance(step, Feed):
                    self.feed(step.batch)
                elif isinstance(step, Call):
                    returned = student.call(recipes)
                    self.called = True
                    sink.attach(returned)
                    check_no_other_queries(self.spark, sink.queries)
                elif isinstance(step, StartQueriesToStop):
                    sink.start(materialize(self.spark, self.streams.stream_recipe(next(iter(self.scenario.streams)))))
                elif isinstance(step, Process):
                    self._process(sink.query)
                elif isinstance(step, AwaitEnd):
                    await_end(sink.query)
                elif isinstance(step, Stop):
                    sink.query.stop()
                elif isinstance(step, ReplayLastBatch):
                    forget_last_batch(self.checkpoint)
                elif isinstance(step, Check):
                    check_no_other_queries(self.spark, sink.queries)
                    for query in sink.queries:
                        check_sources(query, self.fed_sources())
                    taken.append(sink.read())
                    self.watermarks.append(watermark_of(sink.query) if is_query(sink.query) else None)
                else:
                    raise TypeError(f"no interpreter for step {step!r}")
                clock.progressed()
        finally:
            if sink.query is not None:
                sink.query.stop()
        return taken

    def _process(self, query) -> None:
        try:
            query.processAllAvailable()
        except Exception as error:
            error.fixture_batch = self.fed  # the feedback says where in the stream it failed
            raise

    def feed(self, index: int) -> None:
        """Make batch `index` arrive in the stream folders, and in the topics if there are any."""
        self.streams.feed(index)
        if self._kafka is not None:
            self._kafka.feed(index)
        self.fed = index

    def close(self) -> None:
        """Release what the run set up: its Kafka clients, its private session."""
        if self._kafka is not None:
            self._kafka.close()
        self.resources.close()


class Sink:
    """How a run attaches to what the student's function returned (`attach`, each time it is
    called), and reads what the task produced (`read`). One kind per output kind, in `SINKS`."""

    def __init__(self, run: ScenarioRun):
        self.run = run
        self.query = None

    def attach(self, returned: object) -> None:
        self.query = require_query(returned)

    @property
    def queries(self) -> list:
        """The queries the task runs: the only ones allowed to run while the referee feeds and reads."""
        return [self.query] if self.query is not None else []

    def read(self) -> Snapshot:
        raise NotImplementedError


class CollectedFrame(Sink):
    def attach(self, returned: object) -> None:
        self.frame = require_dataframe(returned, streaming=False)

    def read(self) -> Snapshot:
        return snapshot(self.frame)


class GradersMemorySink(Sink):
    """The grader starts the query itself, into a memory table under a name only it knows:
    nothing the student's code made can stand in for that table."""

    def attach(self, returned: object) -> None:
        frame = require_dataframe(returned, streaming=True)
        self.spark = self.run.private_session()
        frame = in_session(frame, self.spark)
        self.table = f"graded_{uuid.uuid4().hex}"
        self.query = (frame.writeStream.format("memory").queryName(self.table)
                      .outputMode(self.run.task.output.mode)
                      .option("checkpointLocation", str(self.run.checkpoint)).start())

    def read(self) -> Snapshot:
        return check_memory_table(self.spark, self.query, self.table, self.run.task.output.mode)


class StudentsMemorySink(Sink):
    def attach(self, returned: object) -> None:
        self.query = require_query(returned, self.run.query_name)

    def read(self) -> Snapshot:
        return check_memory_table(self.run.spark, self.query, self.run.query_name)


class KafkaOutput(Sink):
    def read(self) -> Snapshot:
        found = self.run.kafka.read_output()
        check_kafka_output(self.query, len(found.rows))
        return found


class OutputFiles(Sink):
    def __init__(self, run: ScenarioRun):
        super().__init__(run)
        self.committed = CommittedFiles(run.output_folder, run.task.output.format)

    def attach(self, returned: object) -> None:
        # A query that stops by itself may already have ended.
        self.query = require_query(returned, running=not isinstance(self.run.task.output, AvailableNow))

    def read(self) -> Snapshot:
        return self.committed.read(self.run.spark, self.query)


class SqliteOutput(Sink):
    def read(self) -> Snapshot:
        output = self.run.task.output
        return read_table(self.run.database, output.table, output.columns)


class NamedQueries(Sink):
    """The queries the student started, one per `QueryName` input, found by name."""

    def attach(self, returned: object) -> None:
        names = [self.run.name_for(k.role) for k in self.run.task.params.values() if isinstance(k, QueryName)]
        self.running = active_by_name(self.run.spark, names)
        self.query = QueryGroup(self.running.values())

    @property
    def queries(self) -> list:
        return self.query.queries

    def read(self) -> Snapshot:
        return row_counts(self.run.spark, self.running)


class QueriesToStop(Sink):
    """Two queries the grader started; the student's function stops one of them."""

    @property
    def names(self) -> list[str]:
        return [self.run.query_name, self.run.name_for("other")]

    def start(self, frame) -> None:
        """Start the two queries, into memory sinks under `names`, on `frame`."""
        self.started = [frame.writeStream.format("memory").queryName(name).start() for name in self.names]

    @property
    def queries(self) -> list:
        return self.started

    def attach(self, returned: object) -> None:
        pass

    def read(self) -> Snapshot:
        active = {q.name for q in self.run.spark.streams.active}
        return Snapshot([("query", "string"), ("active", "boolean")], [[name, name in active] for name in self.names])


SINKS: dict[type, type[Sink]] = {
    Collect: CollectedFrame, MemorySink: GradersMemorySink, StartedQuery: StudentsMemorySink,
    KafkaSinkTopic: KafkaOutput, FileSink: OutputFiles, AvailableNow: OutputFiles,
    SqliteTable: SqliteOutput, RunningQueries: NamedQueries, StoppedQuery: QueriesToStop,
}


def in_session(frame, spark: SparkSession):
    """The same query plan, run in `spark` (a Spark Connect DataFrame is only a plan)."""
    if frame.sparkSession is spark:
        return frame
    from pyspark.sql.connect.dataframe import DataFrame as ConnectFrame

    return ConnectFrame(frame._plan, spark)


def run_task(spark: SparkSession, task: Task, student: Student, workdir: Path, clock: TaskClock,
             scenario: str | None = None,
             private: Callable[[], AbstractContextManager[SparkSession]] | None = None) -> Outcome:
    """Call the student's function for `task` and run what it returns through the scenario,
    told each step done on `clock` (whose OutOfTime ends the run); `private` opens a session the
    student's code cannot reach, where there is one."""
    started = time.monotonic()
    run = None
    try:
        run = ScenarioRun(spark, task, workdir, scenario, private)
        snapshots = run.snapshots(student, clock)
        watermarks = run.watermarks if any(run.watermarks) else []
        return Outcome(task.name, snapshots, None, student.printed, time.monotonic() - started,
                       watermarks=watermarks)
    except (StudentFailed, WorkerLost) as failed:
        failure = failed.failure
        # What the worker says of a call is the student's failure, unless the engine went away
        # under it: a session that dies with its engine fails the student's Spark calls too.
        if failure.kind in ENGINE_TOUCHING and not engine_answers(spark):
            failure = Failure(kinds.INFRASTRUCTURE, "The Spark engine stopped answering while your code ran; "
                              "this is not a problem with your code.", detail=failure.message)
    except OutOfTime as out:
        if not engine_answers(spark):
            failure = Failure(kinds.INFRASTRUCTURE, "The Spark engine stopped answering while it ran your query.")
        elif out.busy:
            failure = Failure(kinds.BUSY, busy_message(clock.ceiling))
        else:
            failure = Failure(kinds.TIMEOUT, out_of_time_message(clock.budget))
    except WrongResult as error:
        failure = Failure(kinds.WRONG_RESULT, str(error))
    except KafkaToolError as error:  # no broker or no connector: the setup's fault, not the student's
        failure = Failure(kinds.UNAVAILABLE, str(error))
    except BaseException as error:  # a query can fail in any way; report it, keep grading
        failure = describe_query_error(error, "query" if run is not None and run.called else "setup", spark)
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
        # The line that ends a traceback: the exception's (maybe dotted) name and its message.
        raised = re.findall(r"^  File .*\n(?:(?:    |\s*[~^]).*\n)*([A-Za-z_][\w.]*)(?:: (.*))?$", message,
                            re.MULTILINE)
        if raised:
            name, text = raised[-1]
            return f"{name.rpartition('.')[2]}: {text.strip()}" if text.strip() else name.rpartition(".")[2]
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
