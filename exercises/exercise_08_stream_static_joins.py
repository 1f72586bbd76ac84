"""Exercise 8: Stream-static joins.

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

Check your work with:  grade exercise-8
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def priced_clicks(clicks: DataFrame, prices: DataFrame) -> DataFrame:
    """An inner join on two keys (3 points).

    Give each click the price of its ad in the click's country.

    Input `clicks`: a streaming DataFrame with `userId` (string), `adId` (string),
    `country` (string) and `clickTime` (timestamp). Input `prices`: a static DataFrame
    with `adId`, `country` and `price` (double), one row per ad and country.

    Return a streaming DataFrame with `userId`, `adId`, `country`, `clickTime` and
    `price`, one row per click that has a price for its ad in its country (an inner
    join); other clicks are left out. The grader runs it in append mode.

    Example: with prices (a1, US, 0.5) and (a1, FR, 0.4), a click on a1 from FR gets
    one row, with price 0.4; a click on a2 from FR, with no (a2, FR) price, gets none.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def clicks_with_advertiser(clicks: DataFrame, ads: DataFrame) -> DataFrame:
    """A left outer join keeps every event (3 points).

    Add the advertiser to every click, keeping the clicks on ads the table does not know.

    Input `clicks`: the streaming DataFrame of `priced_clicks`. Input `ads`: a static
    DataFrame with `adId` (string) and `advertiser` (string).

    Return a streaming DataFrame with `userId`, `adId`, `country`, `clickTime` and
    `advertiser`: one row per click, with `advertiser` NULL when the click's ad is not
    in `ads` (a left outer join, the stream on the left). Append mode.

    Example: a click on a1 gets "Acme"; a click on the retired ad a4 is still output,
    with advertiser NULL.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError


def clicks_on_priced_ads(clicks: DataFrame, prices: DataFrame) -> DataFrame:
    """A left semi join filters by another table (2 points).

    Keep the clicks on ads that are on the price list, in any country.

    Inputs: `clicks` and `prices` as in `priced_clicks`.

    Return a streaming DataFrame with the click's columns only: `userId`, `adId`,
    `country` and `clickTime`. Keep each click whose `adId` appears in `prices` at least
    once, and output it once, however many prices its ad has (a left semi join on
    `adId`). Append mode.

    Example: a1 has prices in US and FR: a click on a1 from FR comes out once. A click
    on a2 from FR comes out too (a2 has a price, in US); a click on a4 does not.

    The order of the columns is not checked; their names and types are.
    """
    raise NotImplementedError
