"""A swapper's answer to exercise 2: its word count is wrong (no lower-casing), and a side query's
foreachBatch, running on the engine while the grader reads, replaces every table of the grader's
it can find with one holding the expected rows."""

from pyspark.sql import functions as F

SIDE_QUERY = "swapper"


def swap_the_graders_tables(batch, batch_id):
    spark = batch.sparkSession
    for table in spark.catalog.listTables():
        if table.name.startswith("graded_"):
            spark.sql(f"CREATE OR REPLACE TEMP VIEW {table.name} AS "
                      "SELECT * FROM VALUES ('spark', 2L), ('is', 1L) AS t(word, count)")


def streaming_word_count(lines):
    spark = lines.sparkSession
    (spark.readStream.format("rate").option("rowsPerSecond", 5).load()
     .writeStream.queryName(SIDE_QUERY).foreachBatch(swap_the_graders_tables).start())
    words = lines.select(F.explode(F.split("value", r"\s+")).alias("word"))
    return words.filter(F.col("word") != "").groupBy("word").count()
