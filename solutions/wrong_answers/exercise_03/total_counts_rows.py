from pyspark.sql import functions as F


def parity_totals(rate):
    parity = F.when(F.col("value") % 2 == 0, "even").otherwise("odd").alias("parity")
    return rate.groupBy(parity).agg(F.count("*").alias("count"), F.count("value").alias("total"))
