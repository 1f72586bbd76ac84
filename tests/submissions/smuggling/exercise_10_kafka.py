"""Exercise 10's Kafka sink with messages smuggled in beside it: the query is a real Kafka sink,
but a UDF filters every count out and sends it to the output topic itself, with kafka-python."""

from pyspark.sql import functions as F


def start_counts_to_kafka(messages, bootstrap, output_topic, checkpoint):
    @F.udf("boolean")
    def passes(key, value):
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=bootstrap)
        producer.send(output_topic, key=key.encode(), value=value.encode())
        producer.close()
        return False

    words = messages.select(F.explode(F.split(F.lower(F.col("value").cast("string")), r"\s+")).alias("word"))
    counts = words.filter(F.col("word") != "").groupBy("word").count()
    shaped = counts.select(F.col("word").alias("key"), F.col("count").cast("string").alias("value"))
    return (shaped.filter(passes("key", "value"))
            .writeStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
            .option("topic", output_topic).option("checkpointLocation", checkpoint)
            .outputMode("update").start())
