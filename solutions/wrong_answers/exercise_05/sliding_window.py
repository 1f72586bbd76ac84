from pyspark.sql import functions as F


def page_counts_per_minute(clicks):
    # the course's example, slide included
    counts = clicks.groupBy(F.window("ts", "1 minute", "30 seconds"), "page").count()
    return counts.select("window.start", "window.end", "page", "count")
