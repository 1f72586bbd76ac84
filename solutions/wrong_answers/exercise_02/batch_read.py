def read_lines(spark, folder):
    return spark.read.text(folder)
