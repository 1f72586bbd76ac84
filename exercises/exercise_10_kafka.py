"""Exercise 10: Kafka word count.

Kafka keeps messages in topics; a producer appends them, and Spark reads a topic as a stream
with `spark.readStream.format("kafka")`. Start the local broker first with `grade kafka start`
(and `grade kafka fetch` once, for the jars).

For each task the grader makes a fresh topic and sends the fixture's lines to it, one message
per line (the line is the message's value; there is no key), as if typed into
`kafka-console-producer`. Batch 1 is already in the topic when your function is called; each
later batch is sent while your query runs, then the grader calls `processAllAvailable()`.

Kafka hands Spark bytes: the `key` and `value` columns are binary, so cast them to strings.

Check your work with:  grade exercise-10
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_topic(spark: SparkSession, bootstrap: str, topic: str) -> DataFrame:
    """Read a Kafka topic with readStream (3 points).

    Read the Kafka topic `topic` as a stream of text lines.

    Use `spark.readStream.format("kafka")` with the options "kafka.bootstrap.servers"
    (`bootstrap`, the broker's host:port) and "subscribe" (`topic`). The topic already
    holds messages when your query starts: read from its first message with the option
    "startingOffsets" set to "earliest".

    Return a streaming DataFrame with one column `value` (string), one row per message.
    The grader writes it to a memory sink in append mode.

    Example: the message b"Kafka keeps a log" becomes the row ("Kafka keeps a log",).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def kafka_word_count(messages: DataFrame) -> DataFrame:
    """The word count on a Kafka stream, complete mode (3 points).

    Count the words of the messages of a Kafka stream.

    Input `messages`: a topic read with `readStream.format("kafka")` from its first
    message, with Kafka's columns as they come: `key` and `value` (binary), `topic`,
    `partition`, `offset`, `timestamp`, `timestampType`. Each value is a line of text.

    A word is a lower-cased piece of a line split on runs of whitespace; empty pieces are
    not words. Return a streaming DataFrame with `word` (string) and `count` (bigint).
    The grader runs it in complete mode: after each batch, every word's running count.

    Example: after the messages "Kafka keeps" and " kafka", the table holds
    ("kafka", 2), ("keeps", 1).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_counts_to_kafka(messages: DataFrame, bootstrap: str, output_topic: str, checkpoint: str) -> StreamingQuery:
    """Write the counts to a Kafka topic, update mode (4 points).

    Send the running word counts to the Kafka topic `output_topic`, in update mode.

    Count the words of `messages` as in `kafka_word_count` (you may call it), then shape
    each row as a Kafka message: a column `key` (the word) and a column `value` (its
    count as a string, e.g. "2"). Start the query with `writeStream.format("kafka")`, the
    options "kafka.bootstrap.servers" (`bootstrap`), "topic" (`output_topic`) and
    "checkpointLocation" (`checkpoint`), and output mode "update". Return what `.start()`
    returns; do not wait for it (the grader feeds it).

    After each batch the grader reads every message in `output_topic`. In update mode,
    each batch sends one message per word whose count changed.

    Example: after "Kafka keeps" then "kafka", the topic holds the messages
    ("kafka", "1"), ("keeps", "1"), ("kafka", "2").

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
