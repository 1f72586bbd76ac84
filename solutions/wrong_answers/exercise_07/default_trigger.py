def run_available_now(views, folder, checkpoint):
    return (views.writeStream.format("parquet").option("path", folder)
            .option("checkpointLocation", checkpoint).start())
