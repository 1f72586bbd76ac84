def read_people(spark, folder):
    return spark.readStream.schema("name STRING, age INT").csv(folder)
