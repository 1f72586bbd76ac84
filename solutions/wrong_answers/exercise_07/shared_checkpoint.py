def start_two_queries(views, counts_name, counts_checkpoint, views_name, views_checkpoint):
    (views.groupBy("page").count().writeStream.format("memory").queryName(counts_name)
     .outputMode("complete").option("checkpointLocation", counts_checkpoint).start())
    (views.writeStream.format("memory").queryName(views_name)
     .option("checkpointLocation", counts_checkpoint).start())
