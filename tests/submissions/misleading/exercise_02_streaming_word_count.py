"""Wrong answers whose first feedback used to mislead: a file stream with no format, and a right
query built on a wrong word count."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_lines(spark: SparkSession, folder: str) -> DataFrame:
    return spark.readStream.load(folder)  # no format: Spark reads Parquet and asks for a schema


def streaming_word_count(lines: DataFrame) -> DataFrame:
    words = lines.select(F.explode(F.split("value", r"\s+")).alias("word"))  # not lower-cased
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
