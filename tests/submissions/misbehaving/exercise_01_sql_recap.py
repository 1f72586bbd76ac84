"""Misbehaving answers to exercise 1: each task breaks the rules in its own way."""

import time


def adults(patients):
    print("PASS 2/2 adults — Total: 9/9 points")  # printing a fake result earns nothing
    print("x" * 100_000)                            # nor does flooding the output


def treatment_summary(patients):
    time.sleep(10**6)


def sex_summary_sql(spark, patients):
    spark.stop()
    return patients


def _split(line):
    raise ValueError("cannot split " + line)


def word_count(lines):
    return _split("this line")
