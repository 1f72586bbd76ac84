"""Correct answers written differently from the reference: SQL, expr strings, other column order."""


def read_lines(spark, folder):
    return spark.readStream.format("text").load(folder)


def streaming_word_count(lines):
    lines.createOrReplaceTempView("lines")
    return lines.sparkSession.sql(
        """
        SELECT count(*) AS count, word
        FROM (SELECT explode(split(lower(value), '\\\\s+')) AS word FROM lines)
        WHERE word <> ''
        GROUP BY word
        """
    )


def start_update_query(lines, query_name, checkpoint):
    counts = (
        lines.selectExpr("explode(split(lower(value), '\\\\s+')) AS word")
        .where("word != ''")
        .groupBy("word")
        .count()
    )
    writer = counts.writeStream.outputMode("update").format("memory").queryName(query_name)
    return writer.option("checkpointLocation", checkpoint).start()
