"""Exercise 6: Watermarks and late data.

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

Check your work with:  grade exercise-6
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery


def closed_window_counts(readings: DataFrame) -> DataFrame:
    """A watermark and append mode (3 points).

    Count the readings of each sensor per minute of event time, writing each minute once.

    Input `readings`: a streaming DataFrame with `sensor` (string), `event_time` and
    `received` (timestamps). Set a watermark of 20 seconds on `event_time`, then group
    by 1-minute tumbling windows of `event_time` and by `sensor`. Return a streaming
    DataFrame with `start`, `end` (timestamps: the window's bounds), `sensor` (string)
    and `count` (bigint). The grader runs it in append mode.

    Example: after readings up to 12:01:15 the watermark is 12:00:55, so the window
    12:00-12:01 is still open and nothing is written; a reading at 12:01:35 moves the
    watermark to 12:01:15 and (12:00:00, 12:01:00, "s1", 3) is written, once.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def live_window_counts(readings: DataFrame) -> DataFrame:
    """A watermark and update mode (2 points).

    The same count per sensor and minute, written every time it changes.

    Input `readings`: as in `closed_window_counts`. Same watermark (20 seconds on
    `event_time`), windows (1 minute of `event_time`), grouping (`sensor`) and columns
    (`start`, `end`, `sensor`, `count`). The grader runs it in update mode: each batch
    writes the windows whose count changed, so a window appears as soon as it has a
    reading and again each time a reading (on time or late) raises its count.

    Example: (12:00:00, 12:01:00, "s1", 2) after the first batch, then
    (12:00:00, 12:01:00, "s1", 3) when a late reading of 12:00:50 arrives. A reading
    for a window the watermark has already closed changes nothing and is not written.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def start_closed_window_counts(readings: DataFrame, query_name: str, checkpoint: str) -> StreamingQuery:
    """Start a query that writes final windows only (3 points).

    Start the `closed_window_counts` count as a query that writes each window once,
    with its final count.

    Same watermark, windows and columns as `closed_window_counts`. Write to a memory
    sink named `query_name` with `.option("checkpointLocation", checkpoint)`, in append
    mode: with a watermark, append writes a window once, when the watermark has passed
    its end, with its final count (update would write it at every change). Return the
    started query (do not wait for it); you may call `closed_window_counts(readings)`.

    Example: after readings up to 12:01:15 the sink is still empty.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
