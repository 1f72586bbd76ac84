"""Exercise 10: the word count on a Kafka topic, and its counts written back to Kafka."""

from grader.spec import (
    Checkpoint,
    Exercise,
    KafkaBootstrap,
    KafkaSinkTopic,
    KafkaStreamOf,
    MemorySink,
    Mistake,
    OutputTopic,
    Spark,
    Task,
    TopicOf,
)

EXERCISE = Exercise(
    number=10,
    slug="kafka",
    title="Kafka word count",
    intro="""
    Kafka keeps messages in topics; a producer appends them, and Spark reads a topic as a stream
    with `spark.readStream.format("kafka")`. Start the local broker first with `grade kafka start`
    (and `grade kafka fetch` once, for the jars).

    For each task the grader makes a fresh topic and sends the fixture's lines to it, one message
    per line (the line is the message's value; there is no key), as if typed into
    `kafka-console-producer`. Batch 1 is already in the topic when your function is called; each
    later batch is sent while your query runs, then the grader calls `processAllAvailable()`.

    Kafka hands Spark bytes: the `key` and `value` columns are binary, so cast them to strings.
    """,
    tasks=(
        Task(
            name="read_topic",
            title="read a Kafka topic with readStream",
            points=3,
            params={"spark": Spark(), "bootstrap": KafkaBootstrap(), "topic": TopicOf("lines")},
            output=MemorySink("append"),
            scenario="kafka_lines",
            hidden_scenarios=("kafka_lines_edges",),
            doc="""
            Read the Kafka topic `topic` as a stream of text lines.

            Use `spark.readStream.format("kafka")` with the options "kafka.bootstrap.servers"
            (`bootstrap`, the broker's host:port) and "subscribe" (`topic`). The topic already
            holds messages when your query starts: read from its first message with the option
            "startingOffsets" set to "earliest".

            Return a streaming DataFrame with one column `value` (string), one row per message.
            The grader writes it to a memory sink in append mode.

            Example: the message b"Kafka keeps a log" becomes the row ("Kafka keeps a log",).
            """,
            concept="A Kafka stream has binary key/value columns (cast value to a string); startingOffsets 'earliest' reads what the topic held before the query started, the default 'latest' only new messages.",
            mistakes=(
                Mistake("binary_value", "Kafka gives `value` as bytes (a binary column): cast it to a string, e.g. F.col('value').cast('string') or selectExpr('CAST(value AS STRING) AS value')."),
                Mistake("latest_offsets", "Your query starts at the latest offsets (Spark's default for Kafka), so the messages already in the topic when it started were skipped: add .option('startingOffsets', 'earliest')."),
            ),
        ),
        Task(
            name="kafka_word_count",
            title="the word count on a Kafka stream, complete mode",
            points=3,
            params={"messages": KafkaStreamOf("lines")},
            output=MemorySink("complete"),
            scenario="kafka_lines",
            hidden_scenarios=("kafka_lines_edges",),
            doc="""
            Count the words of the messages of a Kafka stream.

            Input `messages`: a topic read with `readStream.format("kafka")` from its first
            message, with Kafka's columns as they come: `key` and `value` (binary), `topic`,
            `partition`, `offset`, `timestamp`, `timestampType`. Each value is a line of text.

            A word is a lower-cased piece of a line split on runs of whitespace; empty pieces are
            not words. Return a streaming DataFrame with `word` (string) and `count` (bigint).
            The grader runs it in complete mode: after each batch, every word's running count.

            Example: after the messages "Kafka keeps" and " kafka", the table holds
            ("kafka", 2), ("keeps", 1).
            """,
            concept="Cast the binary value to a string, then split/explode/filter/groupBy().count() as on any stream; complete mode re-emits the whole table.",
            mistakes=(
                Mistake("empty_words", "A line that starts with spaces splits into an empty first piece, and you counted it as a word: drop the empty pieces (filter word != '')."),
            ),
        ),
        Task(
            name="start_counts_to_kafka",
            title="write the counts to a Kafka topic, update mode",
            points=4,
            params={
                "messages": KafkaStreamOf("lines"),
                "bootstrap": KafkaBootstrap(),
                "output_topic": OutputTopic(),
                "checkpoint": Checkpoint(),
            },
            output=KafkaSinkTopic(),
            scenario="kafka_lines",
            hidden_scenarios=("kafka_lines_edges",),
            doc="""
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
            """,
            concept="The Kafka sink sends each row as a message from its `value` column (and an optional `key`), both string or binary; it needs a checkpoint, and update mode sends only the rows a batch changed.",
            mistakes=(
                Mistake("no_key_value", "The Kafka sink makes each message from a column named `value` (and an optional `key`), but your rows have `word` and `count`: select F.col('word').alias('key') and F.col('count').cast('string').alias('value')."),
                Mistake("count_not_string", "A Kafka message's key and value are strings or bytes, not numbers: cast the count with .cast('string') before writing it as `value`."),
                Mistake("complete_mode", "Your query runs in complete mode, so every batch sends a message for every word again. Update mode sends only the words whose count changed: .outputMode('update')."),
            ),
        ),
    ),
)
