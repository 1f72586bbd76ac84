"""Exercise 5: event-time windows: tumbling, sliding and session windows."""

from grader.spec import Checkpoint, Exercise, MemorySink, Mistake, QueryName, StartedQuery, StreamOf, Task

EXERCISE = Exercise(
    number=5,
    slug="windows",
    title="Event-time windows: tumbling, sliding and session",
    intro="""
    Events carry the time they happened (event time), which can differ from when Spark receives
    them. Grouping by a window of the event-time column counts events per stretch of time:

        F.window("ts", "1 minute")                  # tumbling: 12:00-12:01, 12:01-12:02, ...
        F.window("ts", "1 minute", "30 seconds")    # sliding: a 1-minute window starts every
                                                    # 30 seconds, so each event is in two
        F.session_window("ts", "30 seconds")        # session: per key, from an event until
                                                    # 30 seconds pass without another one

    The third argument of window() is the slide: how far apart windows start. A session window
    has no fixed length: it starts at a key's first event, grows while events keep coming
    less than the gap apart, and closes after a gap of inactivity (it ends at the last event
    plus the gap). A late event that falls between two sessions merges them into one.

    A window column is a struct with fields `start` and `end` (timestamps);
    `.select("window.start", "window.end", ...)` makes them columns named `start` and `end`.
    Spark assigns windows from the data's timestamps, never from when your query runs.

    The grader feeds clicks with columns `user` (string), `page` (string) and `ts` (timestamp).
    """,
    tasks=(
        Task(
            name="page_counts_per_minute",
            title="tumbling windows, complete mode",
            points=2,
            params={"clicks": StreamOf("clicks")},
            output=MemorySink("complete"),
            scenario="clicks",
            hidden_scenarios=("clicks_edges",),
            doc="""
            Count the clicks on each page per minute of event time.

            Input `clicks`: a streaming DataFrame with `user` (string), `page` (string) and
            `ts` (timestamp). Group by 1-minute tumbling windows of `ts` and by `page`.
            Return a streaming DataFrame with `start` and `end` (timestamps: the window's
            bounds), `page` (string) and `count` (bigint). The grader runs it in complete mode.

            Example: clicks on "home" at 12:00:05 and 12:00:40 and at 12:01:10 give
            (12:00:00, 12:01:00, "home", 2) and (12:01:00, 12:02:00, "home", 1).
            Hint: `.groupBy(F.window("ts", "1 minute"), "page").count()`, then
            `.select("window.start", "window.end", "page", "count")`.
            """,
            concept="F.window(col, length) with no slide makes tumbling windows: back to back, each event in exactly one.",
            mistakes=(
                Mistake("sliding_window", "You passed a slide (a third argument) to F.window, which makes overlapping sliding windows that count each click twice. Tumbling windows take only the length: F.window('ts', '1 minute')."),
                Mistake("window_length", "Your windows are not 1 minute long: use F.window('ts', '1 minute')."),
                Mistake("window_struct", "Your result keeps the window as one struct column `window`; return its bounds as the columns `start` and `end`: .select('window.start', 'window.end', 'page', 'count')."),
            ),
        ),
        Task(
            name="page_counts_sliding",
            title="sliding windows, update mode",
            points=3,
            params={"clicks": StreamOf("clicks")},
            output=MemorySink("update"),
            scenario="clicks",
            hidden_scenarios=("clicks_edges",),
            doc="""
            Count the clicks on each page in 1-minute windows that start every 30 seconds.

            Input `clicks`: as in `page_counts_per_minute`. Group by sliding windows of `ts`,
            1 minute long with a slide of 30 seconds, and by `page`. Return a streaming
            DataFrame with `start`, `end` (timestamps), `page` (string) and `count` (bigint).
            The grader runs it in update mode: each batch writes the windows whose count changed.

            Example: a click on "home" at 12:00:40 falls in two windows, 12:00:00-12:01:00
            and 12:00:30-12:01:30, and is counted in both.
            """,
            concept="F.window(col, length, slide): a new window starts every `slide`, so with a slide shorter than the length windows overlap and one event counts in several.",
            mistakes=(
                Mistake("tumbling_window", "Your windows do not overlap: without a slide F.window makes tumbling windows. Pass the slide as the third argument: F.window('ts', '1 minute', '30 seconds')."),
                Mistake("wrong_slide", "Your windows start at the wrong times: a new 1-minute window must start every 30 seconds (on :00 and :30): F.window('ts', '1 minute', '30 seconds')."),
                Mistake("swapped_durations", "The window length comes before the slide: F.window('ts', '1 minute', '30 seconds'). A slide longer than the window would skip events, so Spark refuses it."),
            ),
        ),
        Task(
            name="user_sessions",
            title="session windows per user",
            points=3,
            params={"clicks": StreamOf("clicks")},
            output=MemorySink("complete"),
            scenario="clicks",
            hidden_scenarios=("clicks_edges",),
            doc="""
            Count each user's clicks per session, a session ending after 30 seconds without a click.

            Input `clicks`: as in `page_counts_per_minute`. Group by
            `F.session_window("ts", "30 seconds")` and by `user`. Return a streaming DataFrame
            with `start`, `end` (timestamps: the session's first click, and its last click
            plus 30 seconds), `user` (string) and `count` (bigint). The grader runs it in
            complete mode, so you can watch sessions grow and merge batch by batch.

            Example: ann at 12:00:05 and 12:00:20 gives (12:00:05, 12:00:50, "ann", 2); a
            click of hers at 12:01:10 starts a new session, (12:01:10, 12:01:40, "ann", 1).
            A streaming session window needs another grouping key besides the window (here
            `user`): Spark does not support one global session in a stream.
            """,
            concept="F.session_window(col, gap) groups a key's events that are less than `gap` apart; a session closes after a gap of inactivity, and a late event can merge two sessions.",
            mistakes=(
                Mistake("wrong_gap", "Your sessions use the wrong gap: a session ends after 30 seconds without a click: F.session_window('ts', '30 seconds')."),
                Mistake("sessions_without_user", "Group by the user as well as the session window: groupBy(F.session_window('ts', '30 seconds'), 'user'). Spark does not support a streaming session window without another grouping key."),
            ),
        ),
        Task(
            name="start_user_sessions",
            title="start a session-window query",
            points=2,
            params={"clicks": StreamOf("clicks"), "query_name": QueryName(), "checkpoint": Checkpoint()},
            output=StartedQuery(),
            scenario="clicks",
            hidden_scenarios=("clicks_edges",),
            builds_on=("user_sessions",),
            doc="""
            Start the `user_sessions` count as a query yourself, into a memory sink.

            Same columns as `user_sessions`. Write to a memory sink named `query_name` with
            `.option("checkpointLocation", checkpoint)`, in complete mode, and return the
            started query (do not wait for it).

            Session windows accept complete mode, and append mode once the query has a
            watermark (exercise 6), but never update mode: Spark refuses it when the query
            starts.
            """,
            concept="A session-window aggregation runs in complete mode, or in append mode with a watermark; update mode is refused.",
            mistakes=(
                Mistake("update_mode", "Session windows do not support update mode, so Spark refused to start the query: use .outputMode('complete')."),
            ),
        ),
    ),
)
