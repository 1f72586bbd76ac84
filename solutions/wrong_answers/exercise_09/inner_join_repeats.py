from pyspark.sql import functions as F


def clicked_impressions(impressions, clicks):
    left = impressions.withWatermark("impressionTime", "10 seconds")
    right = clicks.selectExpr("adId AS clickAdId", "clickTime").withWatermark("clickTime", "20 seconds")
    condition = F.expr("""
        clickAdId = adId AND
        clickTime >= impressionTime AND
        clickTime <= impressionTime + interval 1 minute
    """)
    return left.join(right, condition).select("adId", "campaign", "impressionTime")
