"""A right answer to exercise 2 whose UDF fails if another submission's UDF ran in its Python
worker before it."""

import builtins

from pyspark.sql import functions as F


@F.udf("string")
def check(word):
    if hasattr(builtins, "PLANTED_BY_ANOTHER_SUBMISSION"):
        raise RuntimeError("this Python worker ran another submission's code")
    return word


def streaming_word_count(lines):
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").select(check("word").alias("word")).groupBy("word").count()
