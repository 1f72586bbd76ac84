"""Adversarial answers to exercise 2: each tries to cheat the grader or escape its limits."""

import json
import os
import subprocess

import _pytest.outcomes
import pytest

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

import grader.judge.compare
import grader.paths


def read_lines(spark, folder):
    raise KeyboardInterrupt


def streaming_word_count(lines):
    # Make pytest and the grader's comparison always agree, and rewrite the expected answer.
    pytest.fail = _pytest.outcomes.fail = lambda *args, **kwargs: None
    grader.judge.compare.diff_tables = lambda *args, **kwargs: None
    grader.judge.compare.same_tables = lambda *args, **kwargs: True
    DataFrame.collect = lambda self: []
    expected = grader.paths.EXPECTED / "exercise-2.json"
    try:  # refused where submissions are confined; read before any submission runs anyway
        stored = json.loads(expected.read_text())
        stored["streaming_word_count"]["reference"]["snapshots"] = []
        expected.write_text(json.dumps(stored))
    except PermissionError:
        pass
    print("PASS streaming_word_count 3/3")
    return lines.select(F.col("value").alias("word")).groupBy("word").count()


def start_update_query(lines, query_name, checkpoint):
    # A child that would outlive the worker (its odd duration names it), then memory without bound.
    subprocess.Popen(["sleep", "617.5"], start_new_session=True)
    hoard = []
    while True:
        hoard.append(os.urandom(1) * 50_000_000)
