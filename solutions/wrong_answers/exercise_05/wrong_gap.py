from pyspark.sql import functions as F


def user_sessions(clicks):
    counts = clicks.groupBy(F.session_window("ts", "1 minute"), "user").count()
    return counts.select("session_window.start", "session_window.end", "user", "count")
