from pyspark.sql import functions as F


def start_update_query(lines, query_name, checkpoint):
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    counts = words.filter(F.col("word") != "").groupBy("word").count()
    return (
        counts.writeStream.format("memory").queryName(query_name).outputMode("complete")
        .option("checkpointLocation", checkpoint).start()
    )
