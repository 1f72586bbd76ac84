"""Exercise 4: a folder of CSV files read as a stream with a user-given schema."""

from grader.spec import Checkpoint, Exercise, FolderOf, MemorySink, Mistake, QueryName, Spark, StartedQuery, StreamOf, Task

EXERCISE = Exercise(
    number=4,
    slug="csv_folder",
    title="Streaming CSV files from a folder",
    intro="""
    Spark picks up every new file that lands in a folder. A streaming file source cannot infer
    its schema from files that have not arrived yet, so you give it one:

        schema = StructType().add("name", "string").add("age", "integer")   # or "name STRING, age INT"

    The files here separate fields with ";" (like the course's example), so set the separator.
    All files in the folder must share the schema. Each file the grader drops is one micro-batch.
    """,
    tasks=(
        Task(
            name="read_people",
            title="readStream.csv with a schema and a separator",
            points=3,
            params={"spark": Spark(), "folder": FolderOf("people")},
            output=MemorySink("append"),
            scenario="people",
            hidden_scenarios=("people_edges",),
            doc="""
            Read the CSV files arriving in `folder` as a stream.

            Each line is `name;age` with no header, e.g. `alice;34`. Return a streaming DataFrame
            with `name` (string) and `age` (int). The grader writes it in append mode.

            Example: `spark.readStream.schema(...).option("sep", ...).csv(folder)`.
            """,
            concept="A streaming file source needs .schema(...); options such as sep describe the file format.",
            mistakes=(
                Mistake("comma_separator", "The fields are separated by ';' but you read with the default ',', so each whole line lands in `name` and `age` is NULL: add .option('sep', ';')."),
                Mistake("missing_schema", "A streaming CSV source needs its schema up front: add .schema('name STRING, age INT') (or a StructType)."),
            ),
        ),
        Task(
            name="adults",
            title="filter a stream",
            points=2,
            params={"people": StreamOf("people")},
            output=MemorySink("append"),
            scenario="people",
            hidden_scenarios=("people_edges",),
            doc="""
            Keep the people aged 18 or more.

            Input `people`: a streaming DataFrame with `name` (string) and `age` (int).
            Return a streaming DataFrame with the same two columns. Run in append mode.

            Example: ("bob", 17) is dropped, ("carol", 18) kept.
            """,
            concept="filter() on a stream keeps rows as they arrive; append mode writes each kept row once.",
            mistakes=(
                Mistake("strictly_older", "A person aged exactly 18 is an adult: filter with age >= 18, not age > 18."),
            ),
        ),
        Task(
            name="age_groups",
            title="an aggregation in complete mode",
            points=3,
            params={"people": StreamOf("people")},
            output=MemorySink("complete"),
            scenario="people",
            hidden_scenarios=("people_edges",),
            doc="""
            Count people per age group, over all files so far.

            Return a streaming DataFrame with `age_group` (string: "minor" under 18, "adult"
            from 18 to 64, "senior" from 65) and `people` (bigint). Run in complete mode.
            Every row of the grading data has an age, so which group a NULL age falls in is not
            graded.

            Example: after ("bob", 17), ("carol", 18): ("minor", 1), ("adult", 1).
            """,
            concept="Group by a computed column (F.when chains) and count; complete mode re-emits every group.",
            mistakes=(
                Mistake("senior_boundary", "A 65-year-old is a senior: the senior group starts at age >= 65."),
            ),
        ),
        Task(
            name="start_age_group_counts",
            title="an aggregation query in update mode",
            points=3,
            params={"people": StreamOf("people"), "query_name": QueryName(), "checkpoint": Checkpoint()},
            output=StartedQuery(),
            scenario="people",
            hidden_scenarios=("people_edges",),
            builds_on=("age_groups",),
            doc="""
            Start the `age_groups` count as a query in update mode (call `age_groups(people)`).

            Write to a memory sink named `query_name` with output mode "update" and
            `.option("checkpointLocation", checkpoint)`; return the started query.
            Each batch then writes only the groups whose count changed.
            """,
            concept="Aggregations without a watermark run in update or complete mode, never append.",
            mistakes=(
                Mistake("append_mode", "An aggregation without a watermark cannot run in append mode (its counts can still change): use .outputMode('update')."),
            ),
        ),
    ),
)
