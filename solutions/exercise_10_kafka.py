"""Reference solution: exercise 10, a word count on a Kafka topic, written back to Kafka."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_topic(spark: SparkSession, bootstrap: str, topic: str) -> DataFrame:
    messages = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .load()
    )
    return messages.select(F.col("value").cast("string").alias("value"))


def kafka_word_count(messages: DataFrame) -> DataFrame:
    lines = messages.select(F.col("value").cast("string").alias("line"))
    words = lines.select(F.explode(F.split(F.lower("line"), r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").groupBy("word").count()


def start_counts_to_kafka(messages: DataFrame, bootstrap: str, output_topic: str, checkpoint: str) -> StreamingQuery:
    counts = kafka_word_count(messages)
    return (
        counts.select(F.col("word").alias("key"), F.col("count").cast("string").alias("value"))
        .writeStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("topic", output_topic)
        .option("checkpointLocation", checkpoint)
        .outputMode("update")
        .start()
    )
