"""Reference solution: exercise 9, stream-stream joins (the course's impressions and clicks)."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

# A click counts when it comes at most 1 minute after its impression (both ends included).
WITHIN_A_MINUTE = """
    clickAdId = impressionAdId AND
    clickTime >= impressionTime AND
    clickTime <= impressionTime + interval 1 minute
"""


def ad_clicks(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    return impressions.join(clicks, "adId").select("adId", "impressionTime", "clickTime")


def _renamed_with_watermarks(impressions: DataFrame, clicks: DataFrame) -> tuple[DataFrame, DataFrame]:
    left = (
        impressions.selectExpr("adId AS impressionAdId", "impressionTime")
        .withWatermark("impressionTime", "10 seconds")
    )
    right = (
        clicks.selectExpr("adId AS clickAdId", "clickTime")
        .withWatermark("clickTime", "20 seconds")
    )
    return left, right


def clicks_within_a_minute(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    left, right = _renamed_with_watermarks(impressions, clicks)
    return left.join(right, F.expr(WITHIN_A_MINUTE), "leftOuter")


def clicked_impressions(impressions: DataFrame, clicks: DataFrame) -> DataFrame:
    left = impressions.withWatermark("impressionTime", "10 seconds")
    right = (
        clicks.selectExpr("adId AS clickAdId", "clickTime")
        .withWatermark("clickTime", "20 seconds")
    )
    condition = WITHIN_A_MINUTE.replace("impressionAdId", "adId")
    return left.join(right, F.expr(condition), "left_semi")
