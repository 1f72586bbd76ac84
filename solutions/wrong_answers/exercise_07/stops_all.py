def stop_query_named(spark, name):
    for query in spark.streams.active:
        query.stop()
