"""The SPARK_HOME every engine runs from: the installed pyspark's own.

Its `python/lib/pyspark.zip` holds no compiled files, so a Python worker importing pyspark from it
compiles it again (2 s of CPU; each `foreachBatch` call starts a fresh worker). The engines' Python
workers run isolated instead (see `grader.engine.python_workers`): they ignore the PYTHONPATH
Spark gives them and import the installed pyspark, whose compiled files pip wrote at install time.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def installed_spark_home() -> Path:
    return Path(importlib.util.find_spec("pyspark").origin).parent
