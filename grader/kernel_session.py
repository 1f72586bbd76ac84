"""The Spark session of a notebook's own cells, on the user's grading engine:

    from grader.kernel_session import engine_folder, engine_session
    spark = engine_session()

A notebook's cells need Spark besides its check cells (`grader.check`); a local Spark started in
the kernel would be a second JVM per student beside the engine the checks grade on. Instead the
kernel takes a Spark Connect session on that engine, admitted by its gate for as long as the
kernel runs, and `engine_folder()` is where that session's queries keep their files: the engine,
confined, reaches no other folder of the student's.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.engine import Engine


class EngineSessionError(RuntimeError):
    """No session for the notebook's cells; the message says why and what to do."""


# Once this kernel has a session on an engine: that engine, and the folder of the engine's area
# that is this kernel's (named after it, so kept while it runs: see grader.confinement.sweep_gradings).
KERNEL_ENGINE: Engine | None = None
KERNEL_FOLDER: Path | None = None
# The engine closes a session that has asked it nothing for 5 minutes, queries and all (its
# defaultSessionTimeout, set for gradings killed before they could release theirs): a notebook
# left to think over keeps its session by asking the engine something this often.
KEEP_ALIVE_SECONDS = 60.0


def engine_session():
    """The Spark session of this notebook's own cells: a Spark Connect session on your warm
    grading engine (started when needed), the one the check cells grade on, so that this kernel
    runs no Spark of its own. Run again, it returns the same session while that answers, else a
    new one (the engine stopped after its idle time, say).

    Where the notebook is graded, its definitions are imported beside the grading's own session:
    there it returns that session and opens none."""
    from pyspark.sql import SparkSession

    current = SparkSession.getActiveSession()
    shell = kernel_shell()
    if shell is None:  # the grading worker (or a script): the session it has, never a new one
        if current is None:
            raise EngineSessionError("engine_session() opens the Spark session of a Jupyter kernel, and "
                                     "this is not one: in a script, use SparkSession.builder.getOrCreate().")
        return current
    if current is not None and _still_serves(current):
        return current
    return _open_on_engine(shell)


def _still_serves(spark) -> bool:
    """Whether this kernel's session still answers; asked of an engine that is gone or stopping,
    pyspark's client would retry for minutes, so the engine is looked at first."""
    from grader.engine.registry import serving
    from grader.engine.session import session_alive

    if KERNEL_ENGINE is not None and not serving(KERNEL_ENGINE):
        return False
    return session_alive(spark)


def _open_on_engine(shell):
    """A session on the user's engine, admitted for as long as this kernel runs (the engine's host
    strikes it off when the kernel ends) and released when the kernel exits. It is a session like
    a grading's, apart from every grading's: its queries, temporary views and memory tables are
    its own, and a grading's query runs in a session whose id only the grader knows."""
    global KERNEL_ENGINE, KERNEL_FOLDER
    from pyspark.sql import SparkSession

    from grader.confinement import grading_folder
    from grader.engine.admission import admit
    from grader.engine.server import EngineError, engine_for
    from grader.engine.session import create_session

    try:
        engine = engine_for()
    except EngineError as error:
        raise EngineSessionError(f"This notebook has no Spark engine to run on: {error}") from None
    if not engine.is_connect:  # GRADER_ENGINE=local: Spark in this process, as asked
        return SparkSession.builder.getOrCreate()
    session_id, _ = admit(engine.url)
    folder = grading_folder(engine.port)
    spark = create_session(engine.with_session(session_id), folder)
    atexit.register(_release, spark, engine)
    threading.Thread(target=_keep_alive, args=(spark, engine), name="engine-session-keep-alive",
                     daemon=True).start()
    KERNEL_ENGINE, KERNEL_FOLDER = engine, folder
    if _mark_engine_used not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _mark_engine_used)
    print(f"Spark runs on your grading engine ({engine.url}), not in this kernel. Of your files, it "
          f"reaches only those in engine_folder() ({folder}): put your queries' input, checkpoints "
          "and output there.")
    return spark


def _keep_alive(spark, engine: Engine) -> None:
    """Until the session is stopped, read one of its settings now and then, so that an idle
    notebook's session and queries are not closed under it. (A setting, as no query is needed; not
    Spark's version, which the engine answers without counting it as the session's use.)"""
    from grader.engine.registry import serving

    while not spark.is_stopped:
        time.sleep(KEEP_ALIVE_SECONDS)
        if serving(engine) and not spark.is_stopped:
            with suppress(Exception):  # a session the engine lost: the setup cell, run again, opens another
                spark.conf.get("spark.sql.shuffle.partitions")


def _release(spark, engine: Engine) -> None:
    """At the kernel's exit, give its session back (its queries stop); an engine gone or stopping
    has nothing to release, and asking it would keep the kernel waiting on pyspark's retries."""
    from grader.engine.registry import serving

    if serving(engine):
        with suppress(Exception):  # the kernel is ending either way
            spark.stop()


def engine_folder() -> Path:
    """The folder where this kernel's queries may read and write files (their input, checkpoints,
    file sinks): the engine, confined, reaches no other folder of yours. Removed once the kernel
    has ended."""
    if KERNEL_FOLDER is None:
        raise EngineSessionError("This kernel has no Spark session on the engine yet: run "
                                 "`spark = engine_session()` first.")
    return KERNEL_FOLDER


def _mark_engine_used(_result) -> None:
    """IPython's `post_run_cell` event: a notebook being worked in keeps its engine from stopping
    idle under its session."""
    from grader.engine.registry import read_identity

    identity = read_identity(KERNEL_ENGINE.port)
    if identity is not None:
        identity.mark_used()


def kernel_shell():
    """The IPython shell this runs in, or None (the grading worker, a script)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython else None
