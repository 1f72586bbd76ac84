from pyspark.sql import functions as F


def start_age_group_counts(people, query_name, checkpoint):
    group = F.when(F.col("age") < 18, "minor").when(F.col("age") < 65, "adult").otherwise("senior")
    counts = people.groupBy(group.alias("age_group")).agg(F.count("*").alias("people"))
    return (
        counts.writeStream.format("memory").queryName(query_name).outputMode("append")
        .option("checkpointLocation", checkpoint).start()
    )
