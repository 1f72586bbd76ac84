"""What the grader hands a task (inputs) and how it reads back what the task made (outputs).

These are declarations only: `grader.referee` gives them their behaviour. Each kind knows the
type hint it shows students in the stub's signature, and each output kind the steps its run
takes (`grader.spec.steps`).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.spec.steps import AwaitEnd, Call, Check, Feed, Process, ReplayLastBatch, StartQueriesToStop, Step, Stop, per_batch

OUTPUT_MODES = ("append", "complete", "update")


class Input:
    """A value the grader passes to the student's function."""

    annotation = "object"
    needs_kafka = False  # true for the kinds that need a broker and Spark's Kafka connector


@dataclass(frozen=True)
class Spark(Input):
    """The grading session."""

    annotation = "SparkSession"


@dataclass(frozen=True)
class StreamOf(Input):
    """A streaming DataFrame the grader reads from the scenario's stream `stream`."""

    stream: str
    annotation = "DataFrame"


@dataclass(frozen=True)
class StaticOf(Input):
    """A batch DataFrame holding every row of the scenario's stream `stream`."""

    stream: str
    annotation = "DataFrame"


@dataclass(frozen=True)
class FolderOf(Input):
    """The path of the folder where the files of stream `stream` arrive, one per micro-batch."""

    stream: str
    annotation = "str"


@dataclass(frozen=True)
class QueryName(Input):
    """The name the student's query must have (its memory-sink table is read under it);
    `role` tells apart the names of several queries of one task."""

    role: str = ""
    annotation = "str"


@dataclass(frozen=True)
class Checkpoint(Input):
    """A fresh, empty checkpoint folder for the student's query (one per `role`)."""

    role: str = ""
    annotation = "str"


@dataclass(frozen=True)
class OutputFolder(Input):
    """A fresh, empty folder for a file sink to write to."""

    annotation = "str"


@dataclass(frozen=True)
class DatabasePath(Input):
    """The path of a SQLite database file (not created yet) for a foreachBatch writer."""

    annotation = "str"


@dataclass(frozen=True)
class KafkaBootstrap(Input):
    """The Kafka broker address (`host:port`, Kafka's `bootstrap.servers`) the topics live on."""

    annotation = "str"
    needs_kafka = True


@dataclass(frozen=True)
class TopicOf(Input):
    """The name of a fresh Kafka topic carrying stream `stream`: each line is one message (its
    value; no key), like lines typed into a console producer.

    Batch 1 is in the topic before the student's function is called, so a query that starts at
    the `latest` offsets never sees it; each later batch is written at once (one produce request,
    so it is exactly one micro-batch) just before the query is run over it.
    """

    stream: str
    annotation = "str"
    needs_kafka = True


@dataclass(frozen=True)
class KafkaStreamOf(Input):
    """The topic of `TopicOf(stream)` read as a stream from its earliest offsets: Kafka's columns
    as they come (`key` and `value` binary, `topic`, `partition`, `offset`, `timestamp`...)."""

    stream: str
    annotation = "DataFrame"
    needs_kafka = True


@dataclass(frozen=True)
class OutputTopic(Input):
    """The name of a fresh, empty Kafka topic for the student's query to write to."""

    annotation = "str"
    needs_kafka = True


class Output:
    """What the student's function returns, and how the grader reads results from it."""

    annotation = "object"
    needs_kafka = False

    def steps(self, batch_count: int) -> tuple[Step, ...]:
        """The run of a scenario of `batch_count` batches: by default the function is called,
        then each batch arrives, is processed and checked, and the query stops."""
        return (Call(), *per_batch(batch_count), Stop())


@dataclass(frozen=True)
class Collect(Output):
    """A batch DataFrame, collected once. `ordered`: the row order is part of the answer."""

    ordered: bool = False
    annotation = "DataFrame"

    def steps(self, batch_count: int) -> tuple[Step, ...]:
        return (Call(), Check("The returned DataFrame, collected"))


@dataclass(frozen=True)
class MemorySink(Output):
    """A streaming DataFrame; the grader writes it to a memory sink in output mode `mode`."""

    mode: str
    annotation = "DataFrame"

    def __post_init__(self) -> None:
        if self.mode not in OUTPUT_MODES:
            raise ValueError(f"output mode must be one of {OUTPUT_MODES}, got {self.mode!r}")


@dataclass(frozen=True)
class StartedQuery(Output):
    """A StreamingQuery the student started into a memory sink named by the `QueryName` input."""

    annotation = "StreamingQuery"


@dataclass(frozen=True)
class KafkaSinkTopic(Output):
    """A StreamingQuery the student started into the Kafka topic of the `OutputTopic` input. After
    each batch the grader reads every message of that topic back, as `key` and `value` strings."""

    annotation = "StreamingQuery"
    needs_kafka = True


@dataclass(frozen=True)
class FileSink(Output):
    """A StreamingQuery writing `format` files into the `OutputFolder` input; after each batch the
    grader reads the whole folder back with spark.read."""

    format: str
    annotation = "StreamingQuery"


@dataclass(frozen=True)
class SqliteTable(Output):
    """A StreamingQuery whose foreachBatch writes into `table` of the `DatabasePath` database; the
    grader reads `columns` back after each batch, then replays the last batch (it deletes the
    batch's commit from the checkpoint and starts the query again): an idempotent writer must not
    duplicate its rows."""

    table: str
    columns: tuple[str, ...]
    annotation = "StreamingQuery"

    def steps(self, batch_count: int) -> tuple[Step, ...]:
        return (*super().steps(batch_count), ReplayLastBatch(), Call(again=True), Process(), Stop(),
                Check(f"After a restart that replayed batch {batch_count} (same batch id)"))


@dataclass(frozen=True)
class AvailableNow(Output):
    """A StreamingQuery writing `format` files into the `OutputFolder` input that processes what
    is there and stops by itself. The grader feeds all batches but the last, calls the function,
    waits for the query to end and reads the folder; then feeds the last batch and does it again
    on the same checkpoint (a memory sink could not restart from one)."""

    format: str
    annotation = "StreamingQuery"

    def steps(self, batch_count: int) -> tuple[Step, ...]:
        return (*(Feed(index) for index in range(batch_count - 1)),
                Call(), AwaitEnd(), Check(f"After the first run, over batches 1 to {batch_count - 1}"),
                Feed(batch_count - 1), Call(again=True), AwaitEnd(),
                Check(f"After the second run, started when batch {batch_count} had arrived"))


@dataclass(frozen=True)
class RunningQueries(Output):
    """Nothing returned: the student started a query per `QueryName` input. The grader finds them
    in spark.streams.active and, after each batch, records each one's name and sink row count."""

    annotation = "None"


@dataclass(frozen=True)
class StoppedQuery(Output):
    """Nothing returned: before the call the grader starts two memory queries, one named by the
    `QueryName` input; afterwards it records which of the two are still active."""

    annotation = "None"

    def steps(self, batch_count: int) -> tuple[Step, ...]:
        return (StartQueriesToStop(), Call(), Check("After your function ran"))

