"""Seconds per stateful micro-batch (a word count into a memory sink) on a Spark Connect engine,
with the grader's 2 shuffle partitions and with Spark's default 200, interleaved query by query.

    python benchmarks/micro_batch.py sc://127.0.0.1:15002 [QUERIES]

Each query runs 4 batches, as a grading scenario does; prints the medians of the first batch
(ours), of the later ones (ours), then the same two with 200 partitions.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from grader.confinement import grading_folder
from grader.engine import Engine
from grader.engine.session import admitted_spark

BATCHES = 4


def run_query(spark: SparkSession, partitions: str, port: int) -> list[float]:
    """Seconds of each batch of one fresh word-count query."""
    spark.conf.set("spark.sql.shuffle.partitions", partitions)
    folder = str(grading_folder(port))
    source = os.path.join(folder, "in")
    os.makedirs(source)
    words = spark.readStream.text(source).select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    query = (words.groupBy("word").count().writeStream.format("memory").queryName(f"bench_{uuid.uuid4().hex}")
             .outputMode("complete").option("checkpointLocation", os.path.join(folder, "checkpoint")).start())
    seconds = []
    for index in range(BATCHES):
        partial = os.path.join(folder, f".batch{index}")
        with open(partial, "w") as out:
            out.write(f"spark is fast {index}\nkafka feeds spark\n")
        os.replace(partial, os.path.join(source, f"batch{index}.txt"))
        started = time.perf_counter()
        query.processAllAvailable()
        seconds.append(time.perf_counter() - started)
    query.stop()
    return seconds


def main(url: str, queries: int) -> None:
    first = {"2": [], "200": []}
    later = {"2": [], "200": []}
    port = Engine.connect(url).port
    with admitted_spark(url) as spark:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        run_query(spark, "2", port)  # the engine's first query of this shape pays for code generation
        for _ in range(queries):
            for partitions in ("2", "200"):
                seconds = run_query(spark, partitions, port)
                first[partitions].append(seconds[0])
                later[partitions] += seconds[1:]
    print(*(f"{statistics.median(m[p]):.3f}" for p in ("2", "200") for m in (first, later)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8)
