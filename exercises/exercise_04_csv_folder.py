"""Exercise 4: Streaming CSV files from a folder.

Spark picks up every new file that lands in a folder. A streaming file source cannot infer
its schema from files that have not arrived yet, so you give it one:

    schema = StructType().add("name", "string").add("age", "integer")   # or "name STRING, age INT"

The files here separate fields with ";" (like the course's example), so set the separator.
All files in the folder must share the schema. Each file the grader drops is one micro-batch.

Check your work with:  grade exercise-4
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_people(spark: SparkSession, folder: str) -> DataFrame:
    """ReadStream.csv with a schema and a separator (3 points).

    Read the CSV files arriving in `folder` as a stream.

    Each line is `name;age` with no header, e.g. `alice;34`. Return a streaming DataFrame
    with `name` (string) and `age` (int). The grader writes it in append mode.

    Example: `spark.readStream.schema(...).option("sep", ...).csv(folder)`.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def adults(people: DataFrame) -> DataFrame:
    """Filter a stream (2 points).

    Keep the people aged 18 or more.

    Input `people`: a streaming DataFrame with `name` (string) and `age` (int).
    Return a streaming DataFrame with the same two columns. Run in append mode.

    Example: ("bob", 17) is dropped, ("carol", 18) kept.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def age_groups(people: DataFrame) -> DataFrame:
    """An aggregation in complete mode (3 points).

    Count people per age group, over all files so far.

    Return a streaming DataFrame with `age_group` (string: "minor" under 18, "adult"
    from 18 to 64, "senior" from 65) and `people` (bigint). Run in complete mode.
    Every row of the grading data has an age, so which group a NULL age falls in is not
    graded.

    Example: after ("bob", 17), ("carol", 18): ("minor", 1), ("adult", 1).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_age_group_counts(people: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    """An aggregation query in update mode (3 points).

    Start the `age_groups` count as a query in update mode (call `age_groups(people)`).

    Write to a memory sink named `query_name` with output mode "update" and
    `.option("checkpointLocation", checkpoint)`; return the started query.
    Each batch then writes only the groups whose count changed.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
