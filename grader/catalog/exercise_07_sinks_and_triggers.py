"""Exercise 7: output sinks, triggers, and several queries at once."""

from grader.spec import (
    AvailableNow, Checkpoint, DatabasePath, Exercise, FileSink, Mistake, OutputFolder, QueryName,
    RunningQueries, Spark, SqliteTable, StoppedQuery, StreamOf, Task,
)

EXERCISE = Exercise(
    number=7,
    slug="sinks_and_triggers",
    title="Sinks, triggers and several queries",
    intro="""
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
    """,
    tasks=(
        Task(
            name="start_parquet_sink",
            title="a Parquet file sink with its checkpoint",
            points=2,
            params={"views": StreamOf("views"), "folder": OutputFolder(), "checkpoint": Checkpoint()},
            output=FileSink("parquet"),
            scenario="page_views",
            hidden_scenarios=("page_views_edges",),
            doc="""
            Write the page views stream, as it is, to Parquet files in `folder`.

            Input `views`: a streaming DataFrame with `user` (string), `page` (string) and `ts`
            (timestamp). Start a query with format "parquet", `.option("path", folder)`,
            `.option("checkpointLocation", checkpoint)` and the output mode a file sink allows;
            return the started query. The grader reads `folder` back after each batch.
            """,
            concept="File sinks only append; the checkpoint records which batches are already in the folder.",
            mistakes=(
                Mistake("complete_mode", "A file sink can only append: each batch adds files. Use .outputMode('append')."),
                Mistake("json_format", "The folder holds files in another format: write Parquet with .format('parquet')."),
            ),
        ),
        Task(
            name="start_sqlite_sink",
            title="foreachBatch into a database, idempotently",
            points=3,
            params={"views": StreamOf("views"), "database": DatabasePath(), "checkpoint": Checkpoint()},
            output=SqliteTable("views", ("batch_id", "user", "page")),
            scenario="page_views",
            hidden_scenarios=("page_views_edges",),
            doc="""
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
            """,
            concept="foreachBatch gets (DataFrame, batch_id); keying the write on batch_id makes a replay harmless.",
            mistakes=(
                Mistake("not_idempotent", "A replayed batch duplicated its rows: delete the rows of that batch_id before inserting, so running a batch twice writes it once."),
            ),
        ),
        Task(
            name="run_available_now",
            title="the availableNow trigger",
            points=2,
            params={"views": StreamOf("views"), "folder": OutputFolder(), "checkpoint": Checkpoint()},
            output=AvailableNow("parquet"),
            scenario="page_views",
            hidden_scenarios=("page_views_edges",),
            doc="""
            Start a query that processes the views already there and then stops by itself.

            Write `views` as Parquet files into `folder` (as in `start_parquet_sink`), with
            `.option("checkpointLocation", checkpoint)` and `.trigger(availableNow=True)`;
            return the started query. The grader calls your function twice on the same
            checkpoint: the second run processes only the files that arrived in between, so
            the folder ends up with every view exactly once.
            """,
            concept="trigger(availableNow=True) processes what is available, in one or more batches, then stops.",
            mistakes=(
                Mistake("default_trigger", "Your query keeps running: with the default trigger it waits for more data. Use .trigger(availableNow=True) so it stops once it has processed what is there."),
            ),
        ),
        Task(
            name="start_two_queries",
            title="two queries at once",
            points=2,
            params={
                "views": StreamOf("views"),
                "counts_name": QueryName("counts"), "counts_checkpoint": Checkpoint("counts"),
                "views_name": QueryName("views"), "views_checkpoint": Checkpoint("views"),
            },
            output=RunningQueries(),
            scenario="page_views",
            hidden_scenarios=("page_views_edges",),
            doc="""
            Start two queries on the same stream, each into a memory sink, and return nothing.

            1. Views per page (`page`, `count`) in complete mode, named `counts_name`, with
               checkpoint `counts_checkpoint`;
            2. the views themselves in append mode (update is accepted too: with no
               aggregation it writes the same rows), named `views_name`, with checkpoint
               `views_checkpoint`.
            Each query needs its own checkpoint. The grader finds both in `spark.streams.active`.
            """,
            concept="Each query has its own name and checkpoint; spark.streams.active lists those running.",
            equivalents={"output mode 'append' → 'update'": "The views query has no aggregation, so no row "
                         "is ever updated: update mode writes exactly the rows append mode writes."},
            mistakes=(
                Mistake("shared_checkpoint", "Both queries use the same checkpoint folder; each query needs its own, or Spark refuses to start the second one."),
            ),
        ),
        Task(
            name="stop_query_named",
            title="stop one query by its name",
            points=1,
            params={"spark": Spark(), "name": QueryName()},
            output=StoppedQuery(),
            scenario="page_views",
            hidden_scenarios=("page_views_edges",),
            doc="""
            Stop the running query named `name`, and only that one.

            Two queries are running; find the one whose `.name` is `name` in
            `spark.streams.active` and call its `.stop()`. Return nothing.
            """,
            concept="spark.streams.active lists the running queries; each has a name and a stop().",
            mistakes=(
                Mistake("stops_all", "You stopped every query; stop only the one whose .name is the given name."),
            ),
        ),
    ),
)
