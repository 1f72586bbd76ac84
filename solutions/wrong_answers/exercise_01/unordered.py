def sex_summary_sql(spark, patients):
    patients.createOrReplaceTempView("patients")
    return spark.sql("SELECT sex, COUNT(*) AS patients, AVG(age) AS avg_age FROM patients GROUP BY sex ORDER BY sex DESC")
