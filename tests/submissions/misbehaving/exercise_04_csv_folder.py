"""Exercise 4 with a syntax error: no task can be graded."""

def read_people(spark, folder)
    return spark.readStream.csv(folder)
