def clicks_with_advertiser(clicks, ads):
    return clicks.join(ads, "adId")
