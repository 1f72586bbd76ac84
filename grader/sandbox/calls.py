"""Calling a student's function inside the process that imported it: its arguments made from the
referee's recipes, its prints captured, stopped when its time is up (`interruptible`), every way
it can fail turned into a `Failure`, and what it returned described as a handle the referee can
rebuild."""

from __future__ import annotations

import base64
import contextlib
import errno
import io
import signal
import traceback
import types

from grader import outcome as kinds
from grader.engine.session import session_alive
from grader.outcome import Failure
from grader.referee.results import is_query
from grader.referee.streams import materialize
from grader.referee.student import StudentFailed
from grader.supervision.limits import FILE_LIMIT_MB
from grader.sandbox.loader import student_traceback
from grader.spec import Task
from grader.time_limits import STOP_SIGNAL, OutOfTime, out_of_time_message

PRINTED_LIMIT = 4000


class CappedText(io.StringIO):
    """Keeps the first `PRINTED_LIMIT` characters a task prints, so huge output costs nothing."""

    def write(self, text: str) -> int:
        room = PRINTED_LIMIT - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


def _stop(signum, frame):
    raise OutOfTime()


@contextlib.contextmanager
def interruptible():
    """Inside, the referee's STOP_SIGNAL raises OutOfTime where the student's code runs; outside,
    it is ignored (a stop that comes as the reply leaves is too late to matter)."""
    signal.signal(STOP_SIGNAL, _stop)
    try:
        yield
    finally:
        signal.signal(STOP_SIGNAL, signal.SIG_IGN)


def call_task(spark, module: types.ModuleType, task: Task, recipes: dict[str, dict],
              budget: float) -> tuple[object, str]:
    """(what the function returned, or the `Failure` it ended in; what it printed). Stopped by
    OutOfTime, it ends in a timeout that says where the code was; `budget` is the time it had."""
    function = getattr(module, task.name, None)
    if not callable(function):
        return Failure(
            kinds.MISSING,
            f"Your file defines no function `{task.name}`. Keep the stub's name and signature:\n"
            f"    {task.signature()}",
        ), ""
    printed = CappedText()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            arguments = {name: materialize(spark, recipe) for name, recipe in recipes.items()}
            returned = function(**arguments)
    except OutOfTime as out:
        if out.busy:  # the ceiling, on the local engine: the run ends, and is not graded
            raise
        where = student_traceback(out, getattr(module, "__file__", ""))
        returned = Failure(kinds.TIMEOUT, out_of_time_message(budget) + (f"\nIt was stopped at:\n{where}" if where else ""))
    except NotImplementedError:
        returned = Failure(kinds.NOT_IMPLEMENTED, "Not implemented yet: the stub still raises NotImplementedError.")
    except (SystemExit, KeyboardInterrupt) as error:
        returned = Failure(
            kinds.EXIT,
            f"Your code raised {type(error).__name__} (sys.exit() or similar). Exercise functions "
            "must return their result, never end the program.",
        )
    except BaseException as error:  # student code can raise anything; report it, keep grading
        returned = _describe(error, module, spark)
    return returned, printed.getvalue()


def _describe(error: BaseException, module: types.ModuleType, spark) -> Failure:
    from pyspark.errors import PySparkException

    if not session_alive(spark):
        return Failure(
            kinds.SPARK_STOPPED,
            "Your code stopped the Spark session (spark.stop()). The grader owns the session: "
            "remove the call; a fresh session was started for the next task.",
        )
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        return Failure(
            kinds.EXCEPTION,
            f"Your code wrote more than {FILE_LIMIT_MB:.0f} MiB to one file (or to its output), so "
            "writing was stopped. Look for a loop that prints or writes without end.",
        )
    where = student_traceback(error, getattr(module, "__file__", ""))
    first = next((line.strip() for line in str(error).splitlines() if line.strip()), str(error))[:500]
    return Failure(
        kinds.EXCEPTION,
        f"Your function raised {type(error).__name__}: {first}",
        error_class=error.getCondition() if isinstance(error, PySparkException) else None,
        detail=where or "".join(traceback.format_exception_only(type(error), error))[:2000],
    )


def handle_for(returned: object, spark) -> dict:
    """What the function returned, as the referee can rebuild it in its own session."""
    from pyspark.sql import DataFrame

    if returned is None:
        return {"kind": "none"}
    if isinstance(returned, DataFrame):
        proto = returned._plan.to_proto(spark.client).SerializeToString()
        return {"kind": "dataframe", "plan": base64.b64encode(proto).decode()}
    if is_query(returned):
        return {"kind": "query", "id": returned.id, "run_id": returned.runId, "name": returned.name}
    return {"kind": "object", "type": type(returned).__name__}


class LocalStudent:
    """The student's function called in this very process (the local engine, a notebook)."""

    def __init__(self, spark, module: types.ModuleType, task: Task, budget: float):
        self.spark = spark
        self.module = module
        self.task = task
        self.budget = budget
        self.printed = ""

    def call(self, recipes: dict[str, dict]) -> object:
        returned, printed = call_task(self.spark, self.module, self.task, recipes, self.budget)
        self.printed += printed
        if isinstance(returned, Failure):
            raise StudentFailed(returned)
        return returned
