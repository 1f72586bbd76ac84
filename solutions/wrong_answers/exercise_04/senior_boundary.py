from pyspark.sql import functions as F


def age_groups(people):
    group = F.when(F.col("age") < 18, "minor").when(F.col("age") <= 65, "adult").otherwise("senior")
    return people.groupBy(group.alias("age_group")).agg(F.count("*").alias("people"))
