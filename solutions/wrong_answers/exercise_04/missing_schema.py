def read_people(spark, folder):
    return spark.readStream.option("sep", ";").csv(folder)
