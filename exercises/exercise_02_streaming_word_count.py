"""Exercise 2: Streaming word count from a folder of text files.

A streaming DataFrame is an unbounded table: each new file in the folder adds rows, and a
query started with `writeStream ... .start()` updates its result micro-batch by micro-batch.

The grader drops one file into the folder, calls `processAllAvailable()` on the query, and
reads the memory sink; then the next file. In complete mode the sink holds the whole result
table after each batch; in update mode it receives only the rows that changed in that batch.

Check your work with:  grade exercise-2
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def read_lines(spark: SparkSession, folder: str) -> DataFrame:
    """ReadStream on a folder (2 points).

    Read the text files that arrive in `folder` as a stream.

    Return a streaming DataFrame with one column `value` (string), one row per line.
    The grader writes it to a memory sink in append mode.

    Example: `spark.readStream.text(folder)` (or `.format("text").load(folder)`).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def streaming_word_count(lines: DataFrame) -> DataFrame:
    """The word count on a stream, complete mode (3 points).

    Count words on a stream of lines, with the rules of exercise 1.

    Input `lines`: a streaming DataFrame with one column `value` (string).
    A word is a lower-cased piece of a line split on runs of whitespace; empty pieces are
    not words. Return a streaming DataFrame with `word` (string) and `count` (bigint).
    The grader runs it in complete mode: after each file, every word's running count.

    Example: after "Spark is" then " spark", the table holds ("spark", 2), ("is", 1).

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_update_query(lines: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    """Start a query in update mode (3 points).

    Start the streaming word count yourself, in update mode, into a memory sink.

    Use `writeStream` with format "memory", `.queryName(query_name)`, output mode
    "update" and `.option("checkpointLocation", checkpoint)`, then return what `.start()`
    returns. Do not wait for it (no `awaitTermination()`): the grader feeds it.

    The word count is the one of `streaming_word_count` (columns `word`, `count`): call
    `streaming_word_count(lines)`. In update mode, each batch writes only the words whose
    count changed; append mode is refused on this count (no event time tells Spark when a
    word's count is final), and complete mode would write every word each batch.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
