"""Exercise 2 through a UDF that plants a mark in the Python worker running it, for whoever's
UDF that worker runs next."""

import builtins

from pyspark.sql import functions as F


@F.udf("string")
def plant(word):
    builtins.PLANTED_BY_ANOTHER_SUBMISSION = True
    return word


def streaming_word_count(lines):
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").select(plant("word").alias("word")).groupBy("word").count()
