from pyspark.sql import functions as F


def clicks_within_a_minute(impressions, clicks):
    left = impressions.selectExpr("adId AS impressionAdId", "impressionTime").withWatermark("impressionTime", "10 seconds")
    right = clicks.selectExpr("adId AS clickAdId", "clickTime").withWatermark("clickTime", "20 seconds")
    return left.join(right, F.expr("clickAdId = impressionAdId"), "leftOuter")
