"""Reference solution: exercise 3, queries over a rate-shaped stream."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def _parity() -> F.Column:
    return F.when(F.col("value") % 2 == 0, "even").otherwise("odd")


def with_parity(rate: DataFrame) -> DataFrame:
    return rate.withColumn("parity", _parity())


def parity_totals(rate: DataFrame) -> DataFrame:
    return rate.groupBy(_parity().alias("parity")).agg(
        F.count("*").alias("count"), F.sum("value").alias("total")
    )


def start_multiples_of_three(rate: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    return (
        rate.filter(F.col("value") % 3 == 0)
        .writeStream.format("memory")
        .queryName(query_name)
        .outputMode("append")
        .option("checkpointLocation", checkpoint)
        .start()
    )
