from pyspark.sql import functions as F


def kafka_word_count(messages):
    lines = messages.selectExpr("CAST(value AS STRING) AS line")
    return lines.select(F.explode(F.split(F.lower("line"), r"\s+")).alias("word")).groupBy("word").count()
