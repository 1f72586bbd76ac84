"""Exercise 3: Aggregating a rate-shaped stream.

`spark.readStream.format("rate").option("rowsPerSecond", 1).load()` makes a test stream with
columns `timestamp` (timestamp) and `value` (long, counting up from 0). Try it in a shell:

    rate = spark.readStream.format("rate").load()
    query = rate.writeStream.format("console").start()   # ... then query.stop()

Its rows depend on the wall clock, so a grade based on it would change from run to run (and
`rate-micro-batch` never runs out of data: `processAllAvailable()` would never return). The
grader therefore feeds your functions a stream with the same schema from fixture files:
values 0-4, then 5-9, then 10-11, one second apart.

Check your work with:  grade exercise-3
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def with_parity(rate: DataFrame) -> DataFrame:
    """A computed column on a stream (2 points).

    Label every row of the rate stream as even or odd.

    Input `rate`: a streaming DataFrame with `timestamp` (timestamp) and `value` (bigint).
    Return a streaming DataFrame with `timestamp`, `value` and `parity` (string: "even"
    when value is divisible by 2, else "odd"). Run in append mode.

    Example: value 0 → "even", value 7 → "odd".

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def parity_totals(rate: DataFrame) -> DataFrame:
    """A running aggregation in complete mode (3 points).

    Count and add up the values of each parity, over everything seen so far.

    Return a streaming DataFrame with `parity` (string, "even"/"odd"), `count` (bigint,
    how many rows) and `total` (bigint, the sum of `value`). Run in complete mode.

    Example: after values 0-4 the table holds ("even", 3, 6) and ("odd", 2, 4).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_multiples_of_three(rate: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    """Start an append query that filters (3 points).

    Start a query that keeps the rows whose `value` is a multiple of 3.

    Columns `timestamp` and `value`, written to a memory sink named `query_name`, with
    `.option("checkpointLocation", checkpoint)`, in an output mode that writes each row
    once, when it arrives: append, the mode for a query without aggregation (update is
    accepted too: with no aggregation no row is ever updated, so it writes the same rows).
    Return the started query.

    Example: values 0-11 give the rows with values 0, 3, 6 and 9.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
