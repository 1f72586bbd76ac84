"""Exercise 9: joining two streams, the course's ad impressions and clicks."""

from grader.spec import Exercise, MemorySink, Mistake, StreamOf, Task

EXERCISE = Exercise(
    number=9,
    slug="stream_stream_joins",
    title="Stream-stream joins",
    intro="""
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
    """,
    tasks=(
        Task(
            name="ad_clicks",
            title="an inner join of two streams",
            points=2,
            params={"impressions": StreamOf("impressions"), "clicks": StreamOf("clicks")},
            output=MemorySink("append"),
            scenario="ad_impressions_clicks",
            hidden_scenarios=("impressions_clicks_edges",),
            doc="""
            Pair every impression with every click on the same ad, as the course's inner join.

            Inputs: `impressions` (`adId`, `campaign`, `impressionTime`) and `clicks` (`adId`,
            `campaign`, `clickTime`), streaming DataFrames. Join them on the ad id alone, with no
            watermark and no time condition: `campaign` is not part of the condition. Return a streaming DataFrame with `adId` (string),
            `impressionTime` and `clickTime` (timestamps), one row per matching pair. Append mode.

            Example: an impression of ad1 at 12:00:00 and clicks on ad1 at 12:00:30 and
            12:00:45 give two rows; with no time condition, a later impression of ad1 pairs with
            both clicks too, once it arrives.
            """,
            concept="impressions.join(clicks, 'adId') matches rows of the two streams with equal ids, whichever arrives first.",
            mistakes=(
                Mistake("campaign_key", "You joined on the campaign, so a click matches the impressions of every ad of its campaign. A click belongs to impressions of the same ad: join on adId."),
            ),
        ),
        Task(
            name="clicks_within_a_minute",
            title="a left outer join with watermarks and a time range",
            points=3,
            params={"impressions": StreamOf("impressions"), "clicks": StreamOf("clicks")},
            output=MemorySink("append"),
            scenario="ad_impressions_clicks",
            hidden_scenarios=("impressions_clicks_edges",),
            doc="""
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
            """,
            concept="An outer join of streams needs watermarks and a time range in the condition; unmatched rows come out with NULLs only once the watermark says no match can still arrive.",
            mistakes=(
                Mistake("inner_join", "Your join leaves out the impressions nobody clicked. A left outer join ('leftOuter') keeps them: each comes out with NULL click columns once the watermark passes the end of its minute."),
                Mistake("no_time_range", "Spark refuses a left outer join of two streams unless it can tell when an impression can no longer be clicked: it needs the watermarks (at least the clicks' one) AND a time range in the join condition: clickTime >= impressionTime AND clickTime <= impressionTime + interval 1 minute."),
                Mistake("range_too_wide", "Your time range is too wide: a click counts only up to 1 minute after its impression (impressionTime + interval 1 minute, not the course's 1 hour). The click on ad4 61 seconds after its impression must not match, and the unmatched impressions must come out with NULLs once the watermark passes the end of their minute."),
                Mistake("range_too_narrow", "Your time range is too narrow: both ends are included, so the click on ad3 exactly 1 minute after its impression counts. Use clickTime <= impressionTime + interval 1 minute (not <)."),
                Mistake("no_lower_bound", "A click must come after its impression: add clickTime >= impressionTime to the condition. Without it, the clicks on ad1 at 12:00:30 and 12:00:45 also match the impression of ad1 shown later, at 12:01:05."),
            ),
        ),
        Task(
            name="clicked_impressions",
            title="a left semi join of two streams",
            points=3,
            params={"impressions": StreamOf("impressions"), "clicks": StreamOf("clicks")},
            output=MemorySink("append"),
            scenario="ad_impressions_clicks",
            hidden_scenarios=("impressions_clicks_edges",),
            doc="""
            Keep the impressions that were clicked within a minute, each once.

            Inputs: `impressions` and `clicks` as in `ad_clicks`. Use the watermarks and the
            condition of `clicks_within_a_minute` (rename the clicks' columns so that the
            condition can tell the two sides apart) in a left semi join, impressions on the left.

            Return a streaming DataFrame with the impression's columns only: `adId`, `campaign`
            and `impressionTime`. An impression comes out once, as soon as its first click
            within the minute has arrived, however many clicks it gets. Append mode.

            Example: ad1 shown at 12:00:00 and clicked at 12:00:30 and 12:00:45 comes out once.
            """,
            concept="A left semi join (how='left_semi') outputs each left row once, when its first match arrives; between streams it needs the same watermark and time range as an outer join.",
            mistakes=(
                Mistake("semi_no_time_range", "Spark refuses a left semi join of two streams without the watermarks and time range of the left outer join: it must know when an impression can no longer be clicked. Add clickTime >= impressionTime AND clickTime <= impressionTime + interval 1 minute to the condition."),
                Mistake("inner_join_repeats", "An inner join outputs an impression once per click (ad1 at 12:00:00 was clicked twice, so it comes out twice). A left semi join outputs each clicked impression once: how='left_semi'."),
            ),
        ),
    ),
)
