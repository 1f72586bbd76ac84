def start_parquet_sink(views, folder, checkpoint):
    return (views.writeStream.format("parquet").option("path", folder)
            .option("checkpointLocation", checkpoint).outputMode("complete").start())
