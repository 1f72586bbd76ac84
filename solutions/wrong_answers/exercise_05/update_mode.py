from pyspark.sql import functions as F


def start_user_sessions(clicks, query_name, checkpoint):
    counts = clicks.groupBy(F.session_window("ts", "30 seconds"), "user").count()
    return (
        counts.select("session_window.start", "session_window.end", "user", "count")
        .writeStream.format("memory").queryName(query_name)
        .outputMode("update").option("checkpointLocation", checkpoint).start()
    )
