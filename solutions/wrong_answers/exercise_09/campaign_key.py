def ad_clicks(impressions, clicks):
    return impressions.join(clicks, "campaign").select(impressions["adId"], "impressionTime", "clickTime")
