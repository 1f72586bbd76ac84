from pyspark.sql import functions as F


def closed_window_counts(readings):
    counts = readings.groupBy(F.window("event_time", "1 minute"), "sensor").count()
    return counts.select("window.start", "window.end", "sensor", "count")
