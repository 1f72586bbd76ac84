from pyspark.sql import functions as F


def closed_window_counts(readings):
    # windows of when readings arrived, not when they were measured
    counts = (
        readings.withWatermark("received", "20 seconds")
        .groupBy(F.window("received", "1 minute"), "sensor")
        .count()
    )
    return counts.select("window.start", "window.end", "sensor", "count")
