from pyspark.sql import functions as F


def page_counts_per_minute(clicks):
    return clicks.groupBy(F.window("ts", "1 minute"), "page").count()
