from pyspark.sql import functions as F


def word_count(lines):
    words = lines.select(F.explode(F.split("value", r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").groupBy("word").count()
