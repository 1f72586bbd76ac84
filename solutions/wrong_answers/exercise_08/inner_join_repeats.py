def clicks_on_priced_ads(clicks, prices):
    return clicks.join(prices, "adId").select("userId", "adId", clicks["country"], "clickTime")
