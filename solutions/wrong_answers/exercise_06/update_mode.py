from pyspark.sql import functions as F


def start_closed_window_counts(readings, query_name, checkpoint):
    counts = (
        readings.withWatermark("event_time", "20 seconds")
        .groupBy(F.window("event_time", "1 minute"), "sensor")
        .count()
        .select("window.start", "window.end", "sensor", "count")
    )
    return (
        counts.writeStream.format("memory").queryName(query_name)
        .outputMode("update").option("checkpointLocation", checkpoint).start()
    )
