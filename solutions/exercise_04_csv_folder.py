"""Reference solution: exercise 4, streaming CSV files from a folder."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.types import StructType

PEOPLE = StructType().add("name", "string").add("age", "integer")


def read_people(spark: SparkSession, folder: str) -> DataFrame:
    return spark.readStream.schema(PEOPLE).option("sep", ";").csv(folder)


def adults(people: DataFrame) -> DataFrame:
    return people.filter(F.col("age") >= 18)


def age_groups(people: DataFrame) -> DataFrame:
    group = (
        F.when(F.col("age") < 18, "minor").when(F.col("age") < 65, "adult").otherwise("senior")
    )
    return people.groupBy(group.alias("age_group")).agg(F.count("*").alias("people"))


def start_age_group_counts(people: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    return (
        age_groups(people)
        .writeStream.format("memory")
        .queryName(query_name)
        .outputMode("update")
        .option("checkpointLocation", checkpoint)
        .start()
    )
