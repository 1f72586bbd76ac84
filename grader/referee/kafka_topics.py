"""Kafka topics inside the worker: fresh input topics fed batch by batch, an output topic read back.

Batch 1 of an input topic is produced when the topic is made, while the task's arguments are
built, so it is in the topic before the student's function runs: a query that starts at the
`latest` offsets (Spark's default for a Kafka stream) misses it, every time. Each later batch is
produced when the grader feeds it, just before `processAllAvailable()`. The producer holds a
batch's messages until it is flushed, so they go out in one produce request that Kafka appends
at once: a micro-batch never sees half of a fixture batch.

Topics are named `grader-<unix time>-<random>-<task>-<stream or "out">`, and deleted when the run
ends: left on the broker, a later student's query could read them (a hidden scenario's data, and
a classmate's answers in an output topic). Spark keeps its Kafka clients pooled for minutes, and a
pooled client that still knows a deleted topic may make the broker create it again, empty: a later
run deletes those once they are old.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from grader.kafka import COMMAND, KafkaToolError, default_bootstrap
from grader.kafka.artifacts import MissingArtifacts, connector_jars
from grader.kafka.broker import reachable
from grader.outcome import Snapshot
from grader.spec import Scenario

BROKER_TIMEOUT = 3.0   # seconds to wait for the broker to answer before telling how to start it
KAFKA_TIMEOUT = 30.0   # seconds a batch may take to be produced, or read back from the output
LINGER_MS = 60_000     # never send before flush(): one fixture batch, one produce request
OUTPUT_COLUMNS = [("key", "string"), ("value", "string")]
STALE_AFTER = 30 * 60  # seconds before a run's topics are deleted (Spark's pools let go after 10 min)
CONNECTOR_MISSING = re.compile(r"Failed to find (the )?data source: kafka", re.IGNORECASE)
RUN_TOPIC = re.compile(r"grader-(\d{10})-[0-9a-f]{6}-")


class KafkaTopics:
    """The Kafka side of one task run: its input topics, fed batch by batch, and its output topic.

    Making one checks first that Spark has its Kafka connector and that a broker answers, and
    raises KafkaToolError naming the command that fixes it when not.
    """

    def __init__(self, spark: SparkSession, scenario: Scenario, label: str):
        self.bootstrap = default_bootstrap()
        require_connector(spark, self.bootstrap)
        require_broker(self.bootstrap)
        self.scenario = scenario
        self.prefix = f"grader-{int(time.time())}-{uuid.uuid4().hex[:6]}-{label.replace('_', '-')}"
        self.inputs: dict[str, str] = {}  # stream name -> its topic
        self.fed: dict[str, int] = {}     # stream name -> how many of its batches were produced
        self.output: str | None = None
        self.output_rows: list[list[str | None]] = []
        self._reader: KafkaConsumer | None = None
        with _talking_to(self.bootstrap):
            self.admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=10_000)
            self.producer = KafkaProducer(bootstrap_servers=self.bootstrap, linger_ms=LINGER_MS,
                                          batch_size=1 << 20)
            self._delete_stale_topics()

    def topic(self, stream: str) -> str:
        """The topic of `stream`, made on first use with the stream's batch 1 already in it."""
        if stream not in self.inputs:
            self.inputs[stream] = self._create(f"{self.prefix}-{stream.replace('_', '-')}")
            self.fed[stream] = 0
            self.feed(0)
        return self.inputs[stream]

    def stream_recipe(self, stream: str) -> dict:
        """The recipe of the raw Kafka stream of `stream`'s topic, from its first message."""
        return {"kind": "kafka_stream", "bootstrap": self.bootstrap, "topic": self.topic(stream)}

    def fed_rows(self) -> dict[str, int]:
        """How many messages each input topic has received so far."""
        return {
            topic: sum(self.scenario.streams[stream].rows_in(i) for i in range(self.fed[stream]))
            for stream, topic in self.inputs.items()
        }

    def output_topic(self) -> str:
        """The empty topic the task writes to (one partition, so its messages keep their order)."""
        if self.output is None:
            self.output = self._create(f"{self.prefix}-out")
        return self.output

    def feed(self, index: int) -> None:
        """Make batch `index` of every input topic arrive (batch 1 is there from the start)."""
        for stream, topic in self.inputs.items():
            batches = self.scenario.streams[stream].batches
            if index < self.fed[stream] or index >= len(batches):
                continue
            with _talking_to(self.bootstrap):
                sent = [self.producer.send(topic, value=line.encode()) for line in batches[index].lines]
                self.producer.flush()
                for message in sent:
                    message.get(timeout=KAFKA_TIMEOUT)
            self.fed[stream] = index + 1

    def read_output(self) -> Snapshot:
        """Every message in the output topic so far, as (`key`, `value`) strings."""
        partition = TopicPartition(self.output_topic(), 0)
        with _talking_to(self.bootstrap):
            if self._reader is None:
                self._reader = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                             enable_auto_commit=False)
                self._reader.assign([partition])
                self._reader.seek_to_beginning(partition)
            end = self._reader.end_offsets([partition])[partition]
            deadline = time.monotonic() + KAFKA_TIMEOUT
            while self._reader.position(partition) < end:
                if time.monotonic() > deadline:
                    raise KafkaToolError(
                        f"The Kafka broker at {self.bootstrap} did not hand back the messages of "
                        f"{partition.topic} within {KAFKA_TIMEOUT:.0f} s; check it with "
                        f"`{COMMAND} status` and grade again.")
                for records in self._reader.poll(timeout_ms=500).values():
                    self.output_rows += [[_text(r.key), _text(r.value)] for r in records]
        return Snapshot(list(OUTPUT_COLUMNS), [list(row) for row in self.output_rows])

    def close(self) -> None:
        """Delete the run's topics and close the clients (best effort: the task is over)."""
        with suppress(KafkaError, OSError):
            if self._reader is not None:
                self._reader.close()
            self.producer.close(timeout=2)
            made = [*self.inputs.values(), *([self.output] if self.output else [])]
            if made:
                self.admin.delete_topics(made, raise_errors=False)
            self.admin.close()

    def _delete_stale_topics(self) -> None:
        """Delete the topics of runs that ended long ago."""
        now = time.time()
        stale = [
            topic for topic in self.admin.list_topics()
            if (made := RUN_TOPIC.match(topic)) and now - int(made[1]) > STALE_AFTER
        ]
        if stale:
            self.admin.delete_topics(stale, raise_errors=False)

    def _create(self, name: str) -> str:
        with _talking_to(self.bootstrap):
            self.admin.create_topics({name: {"num_partitions": 1}})
            self.admin.wait_for_topics([name])
        return name


def require_connector(spark: SparkSession, bootstrap: str) -> None:
    """Raise KafkaToolError, naming the fix, when Spark has no Kafka connector.

    Resolving a Kafka source's schema loads the connector without contacting any broker."""
    try:
        (spark.readStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
         .option("subscribe", "grader-connector-check").load().schema)
    except PySparkException as error:
        if not CONNECTOR_MISSING.search(str(error)):
            raise
        try:
            connector_jars()
        except MissingArtifacts:
            raise KafkaToolError(
                f"Spark's Kafka connector is not downloaded, so the Kafka tasks cannot run; "
                f"run `{COMMAND} fetch` and grade again."
            ) from None
        raise KafkaToolError(
            "The Spark engine was started before Spark's Kafka connector was downloaded, so it "
            "cannot read Kafka; restart it with `grade engine stop` and grade again."
        ) from None


def require_broker(bootstrap: str) -> None:
    if not reachable(bootstrap, timeout=BROKER_TIMEOUT):
        raise KafkaToolError(
            f"No Kafka broker answers at {bootstrap}, so the Kafka tasks cannot run; start one "
            f"with `{COMMAND} start` and grade again."
        )


@contextmanager
def _talking_to(bootstrap: str) -> Iterator[None]:
    """Kafka client errors become KafkaToolError: the broker failed, not the student's code."""
    try:
        yield
    except KafkaError as error:
        raise KafkaToolError(
            f"The Kafka broker at {bootstrap} failed while grading ({type(error).__name__}: "
            f"{error}); check it with `{COMMAND} status` and grade again."
        ) from error


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")
