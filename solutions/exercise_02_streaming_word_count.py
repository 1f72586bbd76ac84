"""Reference solution: exercise 2, a streaming word count from a folder of text files."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_lines(spark: SparkSession, folder: str) -> DataFrame:
    return spark.readStream.text(folder)


def streaming_word_count(lines: DataFrame) -> DataFrame:
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").groupBy("word").count()


def start_update_query(lines: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    return (
        streaming_word_count(lines)
        .writeStream.format("memory")
        .queryName(query_name)
        .outputMode("update")
        .option("checkpointLocation", checkpoint)
        .start()
    )
