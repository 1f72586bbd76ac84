"""Exercise 1: Spark SQL recap and a batch word count.

Structured Streaming runs the same DataFrame and SQL operations as batch Spark, so we warm up
on a batch DataFrame: `select`, `withColumn`, `filter`, `groupBy` with aggregations, a temp
view queried with `spark.sql`, and the word count the streaming exercises build on.

The grader passes each function a batch DataFrame read from a fixture and collects what it
returns. Column names and types are checked; row order is not, unless a task says so.

Check your work with:  grade exercise-1
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def adults(patients: DataFrame) -> DataFrame:
    """Select, withColumn and filter (2 points).

    Keep the patients aged 18 or more, with their age in months.

    Input `patients`: name STRING, sex STRING, age INT, treatment STRING, duration DOUBLE.
    Return a DataFrame with exactly the columns `name` (string), `age` (int) and
    `age_in_months` (int, age * 12), one row per patient whose age is at least 18.

    Example: a row ("Ana", "F", 34, "A", 12.5) gives ("Ana", 34, 408); a 17-year-old
    gives nothing.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def treatment_summary(patients: DataFrame) -> DataFrame:
    """GroupBy with avg, sum and count (2 points).

    Summarise the trial per treatment.

    Return one row per `treatment` (string) with `patients` (bigint, how many patients),
    `total_duration` (double, the sum of `duration`) and `avg_duration` (double, its mean).

    Example: treatments A with durations 12.5 and 10.0 give ("A", 2, 22.5, 11.25).
    Hint: `groupBy(...).agg(F.count(...).alias(...), ...)` names the columns.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def sex_summary_sql(spark: SparkSession, patients: DataFrame) -> DataFrame:
    """A temp view and spark.sql (2 points).

    Answer with SQL: register `patients` as the temp view `patients`, then query it with
    `spark.sql`.

    Return one row per `sex` (string) with `patients` (bigint, how many) and `avg_age`
    (double, mean age), ordered by `sex` ascending (the order is checked).

    Example: `SELECT sex, COUNT(*) AS patients, ... FROM patients GROUP BY sex ORDER BY sex`.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def word_count(lines: DataFrame) -> DataFrame:
    r"""Batch word count with split and explode (3 points).

    Count the words of a batch DataFrame of text lines.

    Input `lines`: one column `value` (string), one row per line.
    A word is a lower-cased piece of a line split on runs of whitespace (regex `\s+`);
    empty pieces (from leading spaces) are not words.
    Return one row per word with `word` (string) and `count` (bigint).

    Example: lines "Spark is", " spark" give ("spark", 2), ("is", 1).
    Use `split` and `explode` (the course text calls it "explore": it is `explode`).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
