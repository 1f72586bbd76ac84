"""Exercise 2: the word count again, on a stream of text files arriving in a folder."""

from grader.spec import Checkpoint, Exercise, FolderOf, MemorySink, Mistake, QueryName, Spark, StartedQuery, StreamOf, Task

EXERCISE = Exercise(
    number=2,
    slug="streaming_word_count",
    title="Streaming word count from a folder of text files",
    intro="""
    A streaming DataFrame is an unbounded table: each new file in the folder adds rows, and a
    query started with `writeStream ... .start()` updates its result micro-batch by micro-batch.

    The grader drops one file into the folder, calls `processAllAvailable()` on the query, and
    reads the memory sink; then the next file. In complete mode the sink holds the whole result
    table after each batch; in update mode it receives only the rows that changed in that batch.
    """,
    tasks=(
        Task(
            name="read_lines",
            title="readStream on a folder",
            points=2,
            params={"spark": Spark(), "folder": FolderOf("lines")},
            output=MemorySink("append"),
            scenario="words",
            hidden_scenarios=("words_edges",),
            doc="""
            Read the text files that arrive in `folder` as a stream.

            Return a streaming DataFrame with one column `value` (string), one row per line.
            The grader writes it to a memory sink in append mode.

            Example: `spark.readStream.text(folder)` (or `.format("text").load(folder)`).
            """,
            concept="spark.readStream (not spark.read) makes a streaming DataFrame that grows as files arrive.",
            mistakes=(
                Mistake("batch_read", "You read the folder with spark.read, which sees only the files there now. Use spark.readStream to follow new files."),
            ),
        ),
        Task(
            name="streaming_word_count",
            title="the word count on a stream, complete mode",
            points=3,
            params={"lines": StreamOf("lines")},
            output=MemorySink("complete"),
            scenario="words",
            hidden_scenarios=("words_edges",),
            doc="""
            Count words on a stream of lines, with the rules of exercise 1.

            Input `lines`: a streaming DataFrame with one column `value` (string).
            A word is a lower-cased piece of a line split on runs of whitespace; empty pieces are
            not words. Return a streaming DataFrame with `word` (string) and `count` (bigint).
            The grader runs it in complete mode: after each file, every word's running count.

            Example: after "Spark is" then " spark", the table holds ("spark", 2), ("is", 1).
            """,
            concept="The same split/explode/groupBy().count() works on a stream; complete mode re-emits the whole table.",
            mistakes=(
                Mistake("case_sensitive", "You count case-sensitively: 'Spark' and 'spark' are the same word. Lower-case the words (F.lower) before grouping."),
            ),
        ),
        Task(
            name="start_update_query",
            title="start a query in update mode",
            points=3,
            params={"lines": StreamOf("lines"), "query_name": QueryName(), "checkpoint": Checkpoint()},
            output=StartedQuery(),
            scenario="words",
            hidden_scenarios=("words_edges",),
            builds_on=("streaming_word_count",),
            doc="""
            Start the streaming word count yourself, in update mode, into a memory sink.

            Use `writeStream` with format "memory", `.queryName(query_name)`, output mode
            "update" and `.option("checkpointLocation", checkpoint)`, then return what `.start()`
            returns. Do not wait for it (no `awaitTermination()`): the grader feeds it.

            The word count is the one of `streaming_word_count` (columns `word`, `count`): call
            `streaming_word_count(lines)`. In update mode, each batch writes only the words whose
            count changed; append mode is refused on this count (no event time tells Spark when a
            word's count is final), and complete mode would write every word each batch.
            """,
            concept="writeStream.outputMode('update') emits only the rows a batch changed; start() returns a StreamingQuery.",
            mistakes=(
                Mistake("complete_mode", "Your query runs in complete mode, so every batch writes all words again. Update mode writes only the words whose count changed: .outputMode('update')."),
            ),
        ),
    ),
)
