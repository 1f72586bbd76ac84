"""Reference solution: exercise 8, stream-static joins."""

from pyspark.sql import DataFrame


def priced_clicks(clicks: DataFrame, prices: DataFrame) -> DataFrame:
    return clicks.join(prices, ["adId", "country"], "inner")


def clicks_with_advertiser(clicks: DataFrame, ads: DataFrame) -> DataFrame:
    return clicks.join(ads, "adId", "left")


def clicks_on_priced_ads(clicks: DataFrame, prices: DataFrame) -> DataFrame:
    return clicks.join(prices, "adId", "left_semi")
