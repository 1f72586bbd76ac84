"""Exercise 7: Sinks, triggers and several queries.

Where a query writes (its sink), when it runs (its trigger) and how many run at once.

- A file sink (`format("parquet")`, `"csv"`, `"json"`) only appends: each micro-batch adds
  files to the folder, and its checkpoint remembers which batches are already written.
- `foreachBatch(fn)` calls `fn(batch_df, batch_id)` for every micro-batch, so you can write to
  anything, such as a database table. After a failure Spark may run a batch again with the
  same `batch_id`: a correct writer is idempotent (it replaces that batch's rows).
- Triggers: the default starts a micro-batch as soon as the last one ends;
  `trigger(processingTime="2 seconds")` runs one every 2 seconds; `trigger(availableNow=True)`
  (or the older `once=True`) processes what is there now and stops.
- Several queries can run at once; `spark.streams.active` lists them, `query.stop()` ends one.

Check your work with:  grade exercise-7
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def start_parquet_sink(views: DataFrame, folder: str, checkpoint: str) -> StreamingQuery:
    """A Parquet file sink with its checkpoint (2 points).

    Write the page views stream, as it is, to Parquet files in `folder`.

    Input `views`: a streaming DataFrame with `user` (string), `page` (string) and `ts`
    (timestamp). Start a query with format "parquet", `.option("path", folder)`,
    `.option("checkpointLocation", checkpoint)` and the output mode a file sink allows;
    return the started query. The grader reads `folder` back after each batch.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_sqlite_sink(views: DataFrame, database: str, checkpoint: str) -> StreamingQuery:
    """ForeachBatch into a database, idempotently (3 points).

    Write each micro-batch of page views into the SQLite table `views` of `database`.

    Use `foreachBatch`: for each batch, create the table if needed as
    `views (batch_id INTEGER, user TEXT, page TEXT)` and insert one row per view with the
    batch's id (the `sqlite3` module of the standard library does it). Use
    `.option("checkpointLocation", checkpoint)` and return the started query.
    A batch can run twice with the same id after a failure: it must not duplicate rows
    (delete that batch's rows before inserting). The grader replays the last batch.

    Where your function runs: on the grader's Spark Connect engine (the default), not in
    your notebook's or module's process. Spark pickles it (with cloudpickle) and calls it
    in a Python process beside the engine, so it must survive pickling: open the sqlite3
    connection inside the function, from the `database` path, never outside it.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def run_available_now(views: DataFrame, folder: str, checkpoint: str) -> StreamingQuery:
    """The availableNow trigger (2 points).

    Start a query that processes the views already there and then stops by itself.

    Write `views` as Parquet files into `folder` (as in `start_parquet_sink`), with
    `.option("checkpointLocation", checkpoint)` and `.trigger(availableNow=True)`;
    return the started query. The grader calls your function twice on the same
    checkpoint: the second run processes only the files that arrived in between, so
    the folder ends up with every view exactly once.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_two_queries(views: DataFrame, counts_name: str, counts_checkpoint: str, views_name: str, views_checkpoint: str) -> None:
    """Two queries at once (2 points).

    Start two queries on the same stream, each into a memory sink, and return nothing.

    1. Views per page (`page`, `count`) in complete mode, named `counts_name`, with
       checkpoint `counts_checkpoint`;
    2. the views themselves in append mode (update is accepted too: with no
       aggregation it writes the same rows), named `views_name`, with checkpoint
       `views_checkpoint`.
    Each query needs its own checkpoint. The grader finds both in `spark.streams.active`.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def stop_query_named(spark: SparkSession, name: str) -> None:
    """Stop one query by its name (1 points).

    Stop the running query named `name`, and only that one.

    Two queries are running; find the one whose `.name` is `name` in
    `spark.streams.active` and call its `.stop()`. Return nothing.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
