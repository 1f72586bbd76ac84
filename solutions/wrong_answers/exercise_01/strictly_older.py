from pyspark.sql import functions as F


def adults(patients):
    return patients.select("name", "age", (F.col("age") * 12).alias("age_in_months")).filter("age > 18")
