"""Reference solution: exercise 1, the Spark SQL recap and a batch word count."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def adults(patients: DataFrame) -> DataFrame:
    return (
        patients.select("name", "age")
        .withColumn("age_in_months", F.col("age") * 12)
        .filter(F.col("age") >= 18)
    )


def treatment_summary(patients: DataFrame) -> DataFrame:
    return patients.groupBy("treatment").agg(
        F.count("*").alias("patients"),
        F.sum("duration").alias("total_duration"),
        F.avg("duration").alias("avg_duration"),
    )


def sex_summary_sql(spark: SparkSession, patients: DataFrame) -> DataFrame:
    patients.createOrReplaceTempView("patients")
    return spark.sql(
        "SELECT sex, COUNT(*) AS patients, AVG(age) AS avg_age FROM patients GROUP BY sex ORDER BY sex"
    )


def word_count(lines: DataFrame) -> DataFrame:
    words = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").groupBy("word").count()
