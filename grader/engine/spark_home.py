"""The SPARK_HOME the engines run from: the installed pyspark's, without the jars a submission
could turn into code.

pyspark ships Apache Derby (for Hive's metastore, which the engines do not use). Through Spark's
JDBC source, Derby runs any SQL a query names (`sessionInitStatement`), including functions bound
to Java methods, inside the engine's JVM. The engines' SPARK_HOME is the installed one linked entry
by entry (built once, where the engines can read it but not write), its `jars/` without Derby's.

Its `python/lib/pyspark.zip` is not used either: the engines' Python workers run isolated (see
`grader.engine.python_workers`) and import the installed pyspark, whose compiled files pip wrote.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

from grader.engine.registry import pyspark_version

LEFT_OUT_JARS = ("derby",)


def installed_spark_home() -> Path:
    return Path(importlib.util.find_spec("pyspark").origin).parent


def engine_spark_home(cache: Path) -> Path:
    """The engines' SPARK_HOME, built under `cache` on first use."""
    original = installed_spark_home()
    # Named after the pyspark it mirrors: another version, or another install, gets its own.
    where = hashlib.sha256(str(original).encode()).hexdigest()[:8]
    home = cache / f"spark-home-{pyspark_version()}-{where}-no-derby"
    if home.is_dir():
        return home
    partial = home.with_name(home.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for entry in original.iterdir():
        if entry.name != "jars":
            (partial / entry.name).symlink_to(entry)
    (partial / "jars").mkdir()
    for jar in (original / "jars").iterdir():
        if not jar.name.startswith(LEFT_OUT_JARS):
            (partial / "jars" / jar.name).symlink_to(jar)
    partial.rename(home)
    return home
