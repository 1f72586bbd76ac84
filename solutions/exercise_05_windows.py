"""Reference solution: exercise 5, tumbling, sliding and session windows."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def page_counts_per_minute(clicks: DataFrame) -> DataFrame:
    counts = clicks.groupBy(F.window("ts", "1 minute"), "page").count()
    return counts.select("window.start", "window.end", "page", "count")


def page_counts_sliding(clicks: DataFrame) -> DataFrame:
    counts = clicks.groupBy(F.window("ts", "1 minute", "30 seconds"), "page").count()
    return counts.select("window.start", "window.end", "page", "count")


def user_sessions(clicks: DataFrame) -> DataFrame:
    counts = clicks.groupBy(F.session_window("ts", "30 seconds"), "user").count()
    return counts.select("session_window.start", "session_window.end", "user", "count")


def start_user_sessions(clicks: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    return (
        user_sessions(clicks)
        .writeStream.format("memory")
        .queryName(query_name)
        .outputMode("complete")
        .option("checkpointLocation", checkpoint)
        .start()
    )
