from pyspark.sql import functions as F


def treatment_summary(patients):
    return patients.groupBy("treatment").agg(F.count("*"), F.sum("duration"), F.avg("duration"))
