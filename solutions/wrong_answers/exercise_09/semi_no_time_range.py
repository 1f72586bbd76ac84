from pyspark.sql import functions as F


def clicked_impressions(impressions, clicks):
    left = impressions.withWatermark("impressionTime", "10 seconds")
    right = clicks.selectExpr("adId AS clickAdId", "clickTime").withWatermark("clickTime", "20 seconds")
    return left.join(right, F.expr("clickAdId = adId"), "left_semi")
