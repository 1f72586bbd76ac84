"""Misbehaving answers to exercise 2."""

import sys

from pyspark.sql import functions as F


def read_lines(spark, folder):
    sys.exit(3)


@F.udf("string")
def _shout(word):
    if word == "kafka":  # first seen in the second fixture batch
        raise RuntimeError("no kafka here")
    return word


def streaming_word_count(lines):
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    return words.select(_shout("word").alias("word")).groupBy("word").count()


def start_update_query(lines, query_name, checkpoint):
    query = lines.writeStream.format("memory").queryName(query_name).option("checkpointLocation", checkpoint).start()
    query.awaitTermination()  # blocks for ever: the grader must stop it
    return query
