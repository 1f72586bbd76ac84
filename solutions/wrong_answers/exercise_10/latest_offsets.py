from pyspark.sql import functions as F


def read_topic(spark, bootstrap, topic):
    # "latest" is also what a Kafka stream starts from when startingOffsets is left out.
    messages = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("subscribe", topic)
        .option("startingOffsets", "latest")
        .load()
    )
    return messages.select(F.col("value").cast("string").alias("value"))
