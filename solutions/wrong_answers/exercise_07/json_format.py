def start_parquet_sink(views, folder, checkpoint):
    return (views.writeStream.format("json").option("path", folder)
            .option("checkpointLocation", checkpoint).start())
