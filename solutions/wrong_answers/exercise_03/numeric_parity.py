from pyspark.sql import functions as F


def with_parity(rate):
    return rate.withColumn("parity", F.col("value") % 2)
