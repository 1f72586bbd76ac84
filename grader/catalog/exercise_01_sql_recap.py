"""Exercise 1: the Spark SQL recap and a batch word count, before any streaming."""

from grader.spec import Collect, Exercise, Mistake, Spark, StaticOf, Task

EXERCISE = Exercise(
    number=1,
    slug="sql_recap",
    title="Spark SQL recap and a batch word count",
    intro="""
    Structured Streaming runs the same DataFrame and SQL operations as batch Spark, so we warm up
    on a batch DataFrame: `select`, `withColumn`, `filter`, `groupBy` with aggregations, a temp
    view queried with `spark.sql`, and the word count the streaming exercises build on.

    The grader passes each function a batch DataFrame read from a fixture and collects what it
    returns. Column names and types are checked; row order is not, unless a task says so.
    """,
    tasks=(
        Task(
            name="adults",
            title="select, withColumn and filter",
            points=2,
            params={"patients": StaticOf("patients")},
            output=Collect(),
            scenario="patients",
            hidden_scenarios=("patients_edges",),
            doc="""
            Keep the patients aged 18 or more, with their age in months.

            Input `patients`: name STRING, sex STRING, age INT, treatment STRING, duration DOUBLE.
            Return a DataFrame with exactly the columns `name` (string), `age` (int) and
            `age_in_months` (int, age * 12), one row per patient whose age is at least 18.

            Example: a row ("Ana", "F", 34, "A", 12.5) gives ("Ana", 34, 408); a 17-year-old
            gives nothing.
            """,
            concept="select() picks columns, withColumn() adds a computed one, filter() keeps rows.",
            mistakes=(
                Mistake("strictly_older", "A patient aged exactly 18 is an adult: filter with age >= 18, not age > 18."),
            ),
        ),
        Task(
            name="treatment_summary",
            title="groupBy with avg, sum and count",
            points=2,
            params={"patients": StaticOf("patients")},
            output=Collect(),
            scenario="patients",
            hidden_scenarios=("patients_edges",),
            doc="""
            Summarise the trial per treatment.

            Return one row per `treatment` (string) with `patients` (bigint, how many patients),
            `total_duration` (double, the sum of `duration`) and `avg_duration` (double, its mean).

            Example: treatments A with durations 12.5 and 10.0 give ("A", 2, 22.5, 11.25).
            Hint: `groupBy(...).agg(F.count(...).alias(...), ...)` names the columns.
            """,
            concept="groupBy().agg() with count, sum and avg, each named with alias().",
            mistakes=(
                Mistake(
                    "default_column_names",
                    "Your columns have Spark's default names such as avg(duration): name each "
                    "aggregate with .alias('avg_duration') and so on.",
                ),
            ),
        ),
        Task(
            name="sex_summary_sql",
            title="a temp view and spark.sql",
            points=2,
            params={"spark": Spark(), "patients": StaticOf("patients")},
            output=Collect(ordered=True),
            scenario="patients",
            hidden_scenarios=("patients_edges",),
            doc="""
            Answer with SQL: register `patients` as the temp view `patients`, then query it with
            `spark.sql`.

            Return one row per `sex` (string) with `patients` (bigint, how many) and `avg_age`
            (double, mean age), ordered by `sex` ascending (the order is checked).

            Example: `SELECT sex, COUNT(*) AS patients, ... FROM patients GROUP BY sex ORDER BY sex`.
            """,
            concept="createOrReplaceTempView() makes a DataFrame queryable from spark.sql; ORDER BY fixes row order.",
            mistakes=(
                Mistake("unordered", "The rows must come ordered by sex: add ORDER BY sex to your query."),
            ),
        ),
        Task(
            name="word_count",
            title="batch word count with split and explode",
            points=3,
            params={"lines": StaticOf("lines")},
            output=Collect(),
            scenario="words",
            hidden_scenarios=("words_edges",),
            doc="""
            Count the words of a batch DataFrame of text lines.

            Input `lines`: one column `value` (string), one row per line.
            A word is a lower-cased piece of a line split on runs of whitespace (regex `\\s+`);
            empty pieces (from leading spaces) are not words.
            Return one row per word with `word` (string) and `count` (bigint).

            Example: lines "Spark is", " spark" give ("spark", 2), ("is", 1).
            Use `split` and `explode` (the course text calls it "explore": it is `explode`).
            """,
            concept="split() turns a line into an array, explode() makes one row per element, groupBy().count() counts.",
            mistakes=(
                Mistake("case_sensitive", "You count case-sensitively: 'Spark' and 'spark' are the same word. Lower-case the words (F.lower) before grouping."),
                Mistake("empty_words", "Empty strings are counted as words: split on runs of whitespace (r'\\s+') and drop empty pieces."),
            ),
        ),
    ),
)
