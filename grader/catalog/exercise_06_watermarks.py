"""Exercise 6: watermarks: when a window is final, and which late events still count."""

from grader.spec import Checkpoint, Exercise, MemorySink, Mistake, QueryName, StartedQuery, StreamOf, Task

EXERCISE = Exercise(
    number=6,
    slug="watermarks",
    title="Watermarks and late data",
    intro="""
    Events arrive late: a reading measured at 12:00:50 may reach Spark after one measured at
    12:01:15. A watermark tells Spark how late an event may be and still count:

        counts = (readings.withWatermark("event_time", "20 seconds")
                  .groupBy(F.window("event_time", "1 minute"), "sensor").count())

    The watermark is the largest event time Spark has seen (in earlier micro-batches) minus
    the delay, here 20 seconds. Once the watermark passes a window's end, the window is final:
    Spark drops its state, and an event that belongs to it arrives too late and is dropped.
    Events older than the newest one but in a window still open are counted.

    The output mode decides when a window is written:
    - append writes each window once, with its final count, after the watermark has passed
      its end (so the newest windows are not written yet). Without a watermark Spark refuses
      append mode for an aggregation: no window would ever be final.
    - update writes a window every time its count changes, from its first event on.
    - complete rewrites every window each batch and never drops any (the watermark does not
      clean state up in complete mode).

    Call withWatermark before the aggregation, on the same event-time column the windows are
    built on. After a batch moves the watermark, Spark runs an extra micro-batch with no data
    to write the windows it closed; the grader waits for it.

    The grader feeds sensor readings with columns `sensor` (string), `event_time` (timestamp:
    when the reading was measured) and `received` (timestamp: when it reached us).
    """,
    tasks=(
        Task(
            name="closed_window_counts",
            title="a watermark and append mode",
            points=3,
            params={"readings": StreamOf("readings")},
            output=MemorySink("append"),
            scenario="readings",
            hidden_scenarios=("readings_edges",),
            doc="""
            Count the readings of each sensor per minute of event time, writing each minute once.

            Input `readings`: a streaming DataFrame with `sensor` (string), `event_time` and
            `received` (timestamps). Set a watermark of 20 seconds on `event_time`, then group
            by 1-minute tumbling windows of `event_time` and by `sensor`. Return a streaming
            DataFrame with `start`, `end` (timestamps: the window's bounds), `sensor` (string)
            and `count` (bigint). The grader runs it in append mode.

            Example: after readings up to 12:01:15 the watermark is 12:00:55, so the window
            12:00-12:01 is still open and nothing is written; a reading at 12:01:35 moves the
            watermark to 12:01:15 and (12:00:00, 12:01:00, "s1", 3) is written, once.
            """,
            concept="withWatermark(eventTime, delay) before groupBy(window(eventTime, ...)): in append mode a window is written once the watermark (max event time - delay) passes its end.",
            mistakes=(
                Mistake("no_watermark", "Append mode needs withWatermark('event_time', '20 seconds') before the groupBy, on the same column the windows are built on. Without it (or with it on another column) Spark cannot tell when a window is final and refuses the query."),
                Mistake("short_watermark", "Your watermark delay is too short: with 10 seconds instead of 20, each window closes 10 seconds of event time sooner, so it is written earlier and late readings that a 20-second delay still counts are dropped. Use withWatermark('event_time', '20 seconds')."),
                Mistake("arrival_time", "You built the windows and the watermark on `received`, the time a reading reached us. Count readings by when they were measured: use `event_time` for both."),
            ),
        ),
        Task(
            name="live_window_counts",
            title="a watermark and update mode",
            points=2,
            params={"readings": StreamOf("readings")},
            output=MemorySink("update"),
            scenario="readings",
            hidden_scenarios=("readings_edges",),
            doc="""
            The same count per sensor and minute, written every time it changes.

            Input `readings`: as in `closed_window_counts`. Same watermark (20 seconds on
            `event_time`), windows (1 minute of `event_time`), grouping (`sensor`) and columns
            (`start`, `end`, `sensor`, `count`). The grader runs it in update mode: each batch
            writes the windows whose count changed, so a window appears as soon as it has a
            reading and again each time a reading (on time or late) raises its count.

            Example: (12:00:00, 12:01:00, "s1", 2) after the first batch, then
            (12:00:00, 12:01:00, "s1", 3) when a late reading of 12:00:50 arrives. A reading
            for a window the watermark has already closed changes nothing and is not written.
            """,
            concept="In update mode the watermark still decides which late events count: an event whose window the watermark has passed is dropped, and that window's state with it.",
            mistakes=(
                Mistake("late_rows_counted", "Your query counted a reading that came too late: its window had closed under a 20-second watermark, so it must be dropped. Either your query has no watermark (Spark then keeps every window open forever) or a longer delay than 20 seconds keeps the window open: use withWatermark('event_time', '20 seconds') before the groupBy."),
            ),
        ),
        Task(
            name="start_closed_window_counts",
            title="start a query that writes final windows only",
            points=3,
            params={"readings": StreamOf("readings"), "query_name": QueryName(), "checkpoint": Checkpoint()},
            output=StartedQuery(),
            scenario="readings",
            hidden_scenarios=("readings_edges",),
            builds_on=("closed_window_counts",),
            doc="""
            Start the `closed_window_counts` count as a query that writes each window once,
            with its final count.

            Same watermark, windows and columns as `closed_window_counts`. Write to a memory
            sink named `query_name` with `.option("checkpointLocation", checkpoint)`, in append
            mode: with a watermark, append writes a window once, when the watermark has passed
            its end, with its final count (update would write it at every change). Return the
            started query (do not wait for it); you may call `closed_window_counts(readings)`.

            Example: after readings up to 12:01:15 the sink is still empty.
            """,
            concept="Append mode with a watermark writes each window once, final; update writes every change; complete rewrites everything and keeps all state.",
            mistakes=(
                Mistake("update_mode", "Your query writes windows while they are still open, and again each time they change: that is update mode. To write each window once, final, use .outputMode('append')."),
                Mistake("complete_mode", "Complete mode rewrites every window each batch and never drops one, so the watermark changes nothing and too-late readings are counted. Use .outputMode('append')."),
            ),
        ),
    ),
)
