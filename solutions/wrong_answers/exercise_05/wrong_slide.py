from pyspark.sql import functions as F


def page_counts_sliding(clicks):
    counts = clicks.groupBy(F.window("ts", "1 minute", "20 seconds"), "page").count()
    return counts.select("window.start", "window.end", "page", "count")
