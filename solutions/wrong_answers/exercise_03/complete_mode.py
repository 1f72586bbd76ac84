def start_multiples_of_three(rate, query_name, checkpoint):
    return (
        rate.filter("value % 3 = 0").writeStream.format("memory").queryName(query_name)
        .outputMode("complete").option("checkpointLocation", checkpoint).start()
    )
