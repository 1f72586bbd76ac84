"""Exercise 3: queries over a stream shaped like Spark's `rate` source."""

from grader.spec import Checkpoint, Exercise, MemorySink, Mistake, QueryName, StartedQuery, StreamOf, Task

EXERCISE = Exercise(
    number=3,
    slug="rate_source",
    title="Aggregating a rate-shaped stream",
    intro="""
    `spark.readStream.format("rate").option("rowsPerSecond", 1).load()` makes a test stream with
    columns `timestamp` (timestamp) and `value` (long, counting up from 0). Try it in a shell:

        rate = spark.readStream.format("rate").load()
        query = rate.writeStream.format("console").start()   # ... then query.stop()

    Its rows depend on the wall clock, so a grade based on it would change from run to run (and
    `rate-micro-batch` never runs out of data: `processAllAvailable()` would never return). The
    grader therefore feeds your functions a stream with the same schema from fixture files:
    values 0-4, then 5-9, then 10-11, one second apart.
    """,
    tasks=(
        Task(
            name="with_parity",
            title="a computed column on a stream",
            points=2,
            params={"rate": StreamOf("rate")},
            output=MemorySink("append"),
            scenario="rate",
            hidden_scenarios=("rate_edges",),
            doc="""
            Label every row of the rate stream as even or odd.

            Input `rate`: a streaming DataFrame with `timestamp` (timestamp) and `value` (bigint).
            Return a streaming DataFrame with `timestamp`, `value` and `parity` (string: "even"
            when value is divisible by 2, else "odd"). Run in append mode.

            Example: value 0 → "even", value 7 → "odd".
            """,
            concept="withColumn() with F.when(cond, a).otherwise(b) computes a label per row; no state is needed.",
            mistakes=(
                Mistake("numeric_parity", "parity must be the word 'even' or 'odd' (a string), not the number value % 2: use F.when(...).otherwise(...)."),
            ),
        ),
        Task(
            name="parity_totals",
            title="a running aggregation in complete mode",
            points=3,
            params={"rate": StreamOf("rate")},
            output=MemorySink("complete"),
            scenario="rate",
            hidden_scenarios=("rate_edges",),
            doc="""
            Count and add up the values of each parity, over everything seen so far.

            Return a streaming DataFrame with `parity` (string, "even"/"odd"), `count` (bigint,
            how many rows) and `total` (bigint, the sum of `value`). Run in complete mode.

            Example: after values 0-4 the table holds ("even", 3, 6) and ("odd", 2, 4).
            """,
            concept="groupBy().agg() keeps running state across micro-batches; complete mode shows all of it each time.",
            mistakes=(
                Mistake("total_counts_rows", "total must add up the values (F.sum('value')), not count the rows."),
            ),
        ),
        Task(
            name="start_multiples_of_three",
            title="start an append query that filters",
            points=3,
            params={"rate": StreamOf("rate"), "query_name": QueryName(), "checkpoint": Checkpoint()},
            output=StartedQuery(),
            scenario="rate",
            hidden_scenarios=("rate_edges",),
            doc="""
            Start a query that keeps the rows whose `value` is a multiple of 3.

            Columns `timestamp` and `value`, written to a memory sink named `query_name`, with
            `.option("checkpointLocation", checkpoint)`, in an output mode that writes each row
            once, when it arrives: append, the mode for a query without aggregation (update is
            accepted too: with no aggregation no row is ever updated, so it writes the same rows).
            Return the started query.

            Example: values 0-11 give the rows with values 0, 3, 6 and 9.
            """,
            concept="A query without aggregation runs in append mode: each row is written once, when it arrives.",
            equivalents={"output mode 'append' → 'update'": "Without an aggregation no row is ever updated, "
                         "so update mode writes exactly the rows append mode writes."},
            mistakes=(
                Mistake("complete_mode", "Complete mode is only for aggregations; a query that filters rows writes each row once, in append mode."),
            ),
        ),
    ),
)
