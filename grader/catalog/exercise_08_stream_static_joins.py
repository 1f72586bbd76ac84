"""Exercise 8: joining a stream of clicks with static tables."""

from grader.spec import Exercise, MemorySink, Mistake, StaticOf, StreamOf, Task

EXERCISE = Exercise(
    number=8,
    slug="stream_static_joins",
    title="Stream-static joins",
    intro="""
    A stream can be joined with a static (batch) DataFrame, such as a table read with
    `spark.read`. Each micro-batch of the stream is joined with the whole static table, and the
    query needs no state: nothing is remembered between batches.

        streamingDF.join(staticDF, "column", "inner")

    With the stream on the left and the static table on the right, Spark allows inner, left
    outer ("left") and left semi ("left_semi") joins. It refuses right and full outer joins:
    they would have to output the static rows that no event matched, and a future event might
    still match them.

    The grader feeds a stream of clicks, one file per micro-batch, and gives you two small
    static tables:

        ads     adId (string), advertiser (string)                one row per ad
        prices  adId (string), country (string), price (double)   one row per ad and country

    Ad a1 has a price in two countries; ad a3 is never clicked; clicks on ad a4 (retired) find
    no row in either table.
    """,
    tasks=(
        Task(
            name="priced_clicks",
            title="an inner join on two keys",
            points=3,
            params={"clicks": StreamOf("clicks"), "prices": StaticOf("prices")},
            output=MemorySink("append"),
            scenario="ad_clicks",
            hidden_scenarios=("ad_clicks_edges",),
            doc="""
            Give each click the price of its ad in the click's country.

            Input `clicks`: a streaming DataFrame with `userId` (string), `adId` (string),
            `country` (string) and `clickTime` (timestamp). Input `prices`: a static DataFrame
            with `adId`, `country` and `price` (double), one row per ad and country.

            Return a streaming DataFrame with `userId`, `adId`, `country`, `clickTime` and
            `price`, one row per click that has a price for its ad in its country (an inner
            join); other clicks are left out. The grader runs it in append mode.

            Example: with prices (a1, US, 0.5) and (a1, FR, 0.4), a click on a1 from FR gets
            one row, with price 0.4; a click on a2 from FR, with no (a2, FR) price, gets none.
            """,
            concept="A join key can be several columns: clicks.join(prices, ['adId', 'country']) matches rows equal on all of them.",
            mistakes=(
                Mistake("ad_only_key", "A price belongs to an ad in one country, so the key is both adId and country. Joining on adId alone gives a click every price of its ad, one row per country: join on ['adId', 'country']."),
            ),
        ),
        Task(
            name="clicks_with_advertiser",
            title="a left outer join keeps every event",
            points=3,
            params={"clicks": StreamOf("clicks"), "ads": StaticOf("ads")},
            output=MemorySink("append"),
            scenario="ad_clicks",
            hidden_scenarios=("ad_clicks_edges",),
            doc="""
            Add the advertiser to every click, keeping the clicks on ads the table does not know.

            Input `clicks`: the streaming DataFrame of `priced_clicks`. Input `ads`: a static
            DataFrame with `adId` (string) and `advertiser` (string).

            Return a streaming DataFrame with `userId`, `adId`, `country`, `clickTime` and
            `advertiser`: one row per click, with `advertiser` NULL when the click's ad is not
            in `ads` (a left outer join, the stream on the left). Append mode.

            Example: a click on a1 gets "Acme"; a click on the retired ad a4 is still output,
            with advertiser NULL.
            """,
            concept="stream.join(static, key, 'left') keeps every event of the stream; the static side's columns are NULL where nothing matched.",
            mistakes=(
                Mistake("inner_join", "Your join drops the clicks on ads the table does not know (a4). Every click must come out, with advertiser NULL when there is no match: use a left outer join, how='left'."),
                Mistake("full_outer", "A full outer join would also output the ads nobody clicked (a3); with the stream on the left Spark refuses it. Keep every click with a left outer join: clicks.join(ads, 'adId', 'left')."),
                Mistake("right_outer", "You asked for a right outer join, which would keep every static row; with the stream on the left Spark refuses it. Keep every click with a left outer join: clicks.join(ads, 'adId', 'left')."),
            ),
        ),
        Task(
            name="clicks_on_priced_ads",
            title="a left semi join filters by another table",
            points=2,
            params={"clicks": StreamOf("clicks"), "prices": StaticOf("prices")},
            output=MemorySink("append"),
            scenario="ad_clicks",
            hidden_scenarios=("ad_clicks_edges",),
            doc="""
            Keep the clicks on ads that are on the price list, in any country.

            Inputs: `clicks` and `prices` as in `priced_clicks`.

            Return a streaming DataFrame with the click's columns only: `userId`, `adId`,
            `country` and `clickTime`. Keep each click whose `adId` appears in `prices` at least
            once, and output it once, however many prices its ad has (a left semi join on
            `adId`). Append mode.

            Example: a1 has prices in US and FR: a click on a1 from FR comes out once. A click
            on a2 from FR comes out too (a2 has a price, in US); a click on a4 does not.
            """,
            concept="A left semi join (how='left_semi') keeps the left rows that have a match, each once, with the left side's columns only.",
            mistakes=(
                Mistake("inner_join_repeats", "An inner join repeats a click once per matching row of prices (a1 has two prices, so its clicks come out twice). A left semi join keeps each click once: how='left_semi'."),
            ),
        ),
    ),
)
