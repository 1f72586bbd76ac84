from pyspark.sql import functions as F


def word_count(lines):
    return lines.select(F.explode(F.split(F.lower("value"), " ")).alias("word")).groupBy("word").count()
