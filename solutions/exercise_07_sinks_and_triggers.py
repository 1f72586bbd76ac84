"""Reference solution: exercise 7, output sinks, triggers and several queries."""

import sqlite3

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery


def start_parquet_sink(views: DataFrame, folder: str, checkpoint: str) -> StreamingQuery:
    return (
        views.writeStream.format("parquet")
        .option("path", folder)
        .option("checkpointLocation", checkpoint)
        .outputMode("append")
        .start()
    )


def start_sqlite_sink(views: DataFrame, database: str, checkpoint: str) -> StreamingQuery:
    def write(batch: DataFrame, batch_id: int) -> None:
        rows = [(batch_id, r["user"], r["page"]) for r in batch.select("user", "page").collect()]
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS views (batch_id INTEGER, user TEXT, page TEXT)")
            connection.execute("DELETE FROM views WHERE batch_id = ?", (batch_id,))
            connection.executemany("INSERT INTO views VALUES (?, ?, ?)", rows)

    return views.writeStream.foreachBatch(write).option("checkpointLocation", checkpoint).start()


def run_available_now(views: DataFrame, folder: str, checkpoint: str) -> StreamingQuery:
    return (
        views.writeStream.format("parquet")
        .option("path", folder)
        .option("checkpointLocation", checkpoint)
        .trigger(availableNow=True)
        .start()
    )


def start_two_queries(views: DataFrame, counts_name: str, counts_checkpoint: str,
                      views_name: str, views_checkpoint: str) -> None:
    (views.groupBy("page").count()
     .writeStream.format("memory").queryName(counts_name).outputMode("complete")
     .option("checkpointLocation", counts_checkpoint).start())
    (views.writeStream.format("memory").queryName(views_name).outputMode("append")
     .option("checkpointLocation", views_checkpoint).start())


def stop_query_named(spark: SparkSession, name: str) -> None:
    for query in spark.streams.active:
        if query.name == name:
            query.stop()
