"""Exercise 9: Stream-stream joins.

Two streams: `impressions` (an ad was shown) and `clicks` (an ad was clicked), both with
`adId` (string) and `campaign` (string), and an event time: `impressionTime` or `clickTime`
(timestamp). A row of either stream may arrive before or after the rows it matches, so Spark
keeps both streams' rows in state and joins every new row with the other side's state.
Stream-stream joins run in append mode.

- Inner joins need nothing more, but then the state grows forever.
- Left outer and left semi joins need a watermark on the clicks (the right side) AND a
  time-range condition that bounds clickTime against impressionTime, so that Spark knows
  when an impression can no longer be clicked. Only then can it output the impression with
  NULLs (left outer) and drop it from state. Without them Spark refuses the query.

The course renames the columns first, so that the join condition says which side is which:

    (impressions.selectExpr("adId AS impressionAdId", "impressionTime")
        .withWatermark("impressionTime", "10 seconds"))
    (clicks.selectExpr("adId AS clickAdId", "clickTime")
        .withWatermark("clickTime", "20 seconds"))

A query with several watermarks uses the smallest: the query's watermark is the minimum of
the streams' watermarks (each one is the latest event time seen minus its delay), so a stream
that falls behind holds back the other. When the watermark moves, Spark runs one more
micro-batch without new data to clean up state; that is when the outer join's NULL rows
come out. The grader's `processAllAvailable()` includes that extra micro-batch.

The grader feeds the two streams in turns (a file of impressions, then a file of clicks,
...), six files in all.

Check your work with:  grade exercise-9
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def ad_clicks(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    """An inner join of two streams (2 points).

    Pair every impression with every click on the same ad, as the course's inner join.

    Inputs: `impressions` (`adId`, `campaign`, `impressionTime`) and `clicks` (`adId`,
    `campaign`, `clickTime`), streaming DataFrames. Join them on the ad id alone, with no
    watermark and no time condition: `campaign` is not part of the condition. Return a streaming DataFrame with `adId` (string),
    `impressionTime` and `clickTime` (timestamps), one row per matching pair. Append mode.

    Example: an impression of ad1 at 12:00:00 and clicks on ad1 at 12:00:30 and
    12:00:45 give two rows; with no time condition, a later impression of ad1 pairs with
    both clicks too, once it arrives.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def clicks_within_a_minute(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    """A left outer join with watermarks and a time range (3 points).

    Match impressions with the clicks that follow within a minute, keeping every impression.

    Inputs: `impressions` and `clicks` as in `ad_clicks`. As the course does:
    - rename with selectExpr: impressions to `impressionAdId`, `impressionTime`; clicks to
      `clickAdId`, `clickTime`;
    - set a watermark of "10 seconds" on impressionTime and "20 seconds" on clickTime;
    - left outer join (impressions on the left) on
      clickAdId = impressionAdId AND
      impressionTime <= clickTime <= impressionTime + 1 minute (both ends included).

    Return a streaming DataFrame with `impressionAdId`, `impressionTime`, `clickAdId` and
    `clickTime`. Append mode. A matched pair comes out when both rows have arrived; an
    impression without a click comes out once, with NULL `clickAdId` and `clickTime`,
    when the watermark passes the end of its minute.

    Example: ad3 shown at 12:00:10 and clicked at 12:01:10 matches (exactly 1 minute);
    ad4 shown at 12:01:00 and clicked at 12:02:01 does not, and the impression of ad4
    comes out with NULLs once the watermark is past 12:02:00.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def clicked_impressions(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    """A left semi join of two streams (3 points).

    Keep the impressions that were clicked within a minute, each once.

    Inputs: `impressions` and `clicks` as in `ad_clicks`. Use the watermarks and the
    condition of `clicks_within_a_minute` (rename the clicks' columns so that the
    condition can tell the two sides apart) in a left semi join, impressions on the left.

    Return a streaming DataFrame with the impression's columns only: `adId`, `campaign`
    and `impressionTime`. An impression comes out once, as soon as its first click
    within the minute has arrived, however many clicks it gets. Append mode.

    Example: ad1 shown at 12:00:00 and clicked at 12:00:30 and 12:00:45 comes out once.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
