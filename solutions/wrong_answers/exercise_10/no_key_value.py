from pyspark.sql import functions as F


def start_counts_to_kafka(messages, bootstrap, output_topic, checkpoint):
    lines = messages.selectExpr("CAST(value AS STRING) AS line")
    words = lines.select(F.explode(F.split(F.lower("line"), r"\s+")).alias("word"))
    counts = words.filter(F.col("word") != "").groupBy("word").count()
    return (
        counts.writeStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("topic", output_topic)
        .option("checkpointLocation", checkpoint)
        .outputMode("update")
        .start()
    )
