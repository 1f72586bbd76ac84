"""Exercise 5: Event-time windows: tumbling, sliding and session.

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

Check your work with:  grade exercise-5
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def page_counts_per_minute(clicks: DataFrame) -> DataFrame:
    """Tumbling windows, complete mode (2 points).

    Count the clicks on each page per minute of event time.

    Input `clicks`: a streaming DataFrame with `user` (string), `page` (string) and
    `ts` (timestamp). Group by 1-minute tumbling windows of `ts` and by `page`.
    Return a streaming DataFrame with `start` and `end` (timestamps: the window's
    bounds), `page` (string) and `count` (bigint). The grader runs it in complete mode.

    Example: clicks on "home" at 12:00:05 and 12:00:40 and at 12:01:10 give
    (12:00:00, 12:01:00, "home", 2) and (12:01:00, 12:02:00, "home", 1).
    Hint: `.groupBy(F.window("ts", "1 minute"), "page").count()`, then
    `.select("window.start", "window.end", "page", "count")`.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def page_counts_sliding(clicks: DataFrame) -> DataFrame:
    """Sliding windows, update mode (3 points).

    Count the clicks on each page in 1-minute windows that start every 30 seconds.

    Input `clicks`: as in `page_counts_per_minute`. Group by sliding windows of `ts`,
    1 minute long with a slide of 30 seconds, and by `page`. Return a streaming
    DataFrame with `start`, `end` (timestamps), `page` (string) and `count` (bigint).
    The grader runs it in update mode: each batch writes the windows whose count changed.

    Example: a click on "home" at 12:00:40 falls in two windows, 12:00:00-12:01:00
    and 12:00:30-12:01:30, and is counted in both.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def user_sessions(clicks: DataFrame) -> DataFrame:
    """Session windows per user (3 points).

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

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_user_sessions(clicks: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    """Start a session-window query (2 points).

    Start the `user_sessions` count as a query yourself, into a memory sink.

    Same columns as `user_sessions`. Write to a memory sink named `query_name` with
    `.option("checkpointLocation", checkpoint)`, in complete mode, and return the
    started query (do not wait for it).

    Session windows accept complete mode, and append mode once the query has a
    watermark (exercise 6), but never update mode: Spark refuses it when the query
    starts.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
