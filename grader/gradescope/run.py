"""What `run_autograder` does in Gradescope's container: grade the student's upload as `grade
batch` grades one student (the same intake, unsafe zips refused, the hidden scenarios too, on a
Spark engine it starts, so a submission never hosts the scenarios it is graded on), then write
results/results.json with the visibility chosen at build time and no path of the container.

    python -m grader.gradescope.run /autograder
"""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from grader import catalog, paths
from grader.batch.runner import failed_result, grade_all, instructor_grade_args
from grader.batch.store import Gradebook
from grader.batch.submissions import ARCHIVE, Submission
from grader.engine.handshake import spark_connect_answers
from grader.engine.lease import engine_lease
from grader.engine.server import EngineError, EngineServer, GradingSlot, engine_for
from grader.gradescope import RESULTS, SETTINGS, SOURCE, SUBMISSION
from grader.kafka import KafkaToolError
from grader.report.exports import gradescope_results, write_atomically

STUDENT = "submission"
FIRST_ANSWER_SECONDS = 120


def uploaded(folder: Path) -> Submission:
    """What the student uploaded: the one zip or folder it holds, or else the folder of files
    (even a single module: every exercise of the autograder is graded, a missing one said so)."""
    entries = [e for e in folder.iterdir() if not e.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and (entries[0].is_dir() or entries[0].suffix == ARCHIVE):
        return Submission(STUDENT, entries[0])
    return Submission(STUDENT, folder)


def without_paths(value, roots: dict[str, str]):
    """`value` (JSON data) with every occurrence of each root path in its text replaced by its
    stand-in: the student sees their own files by name and none of the container's folders."""
    if isinstance(value, str):
        for root, stand_in in sorted(roots.items(), key=lambda item: -len(item[0])):
            value = value.replace(root, stand_in)
        return value
    if isinstance(value, list):
        return [without_paths(item, roots) for item in value]
    if isinstance(value, dict):
        return {key: without_paths(item, roots) for key, item in value.items()}
    return value


def hidden_roots(autograder: Path, work: Path) -> dict[str, str]:
    """The folders whose paths must not reach the student, and what each reads as instead."""
    import grader

    roots = {f"{autograder / SUBMISSION}/": "", str(autograder / SUBMISSION): ".", f"{work}/": "",
             str(Path(grader.__file__).parent): "grader", sys.prefix: "python", str(paths.SCRATCH): "scratch"}
    return {**roots, str(autograder): "autograder"}


def grade_upload(autograder: Path, work: Path, exercises: list, settings: dict):
    """The upload's `GradeResult` on `exercises`, graded on an engine this container starts (and
    a Kafka broker when an exercise needs one)."""
    with ExitStack() as services:
        if any(e.needs_kafka for e in exercises):
            from grader.kafka.broker import KafkaBroker

            broker = KafkaBroker.from_env()
            broker.start()
            services.callback(broker.stop)
        engine = engine_for("auto")
        services.callback(EngineServer.from_env().stop)
        # A fresh engine's first answer can take longer than the seconds a grading waits for it.
        spark_connect_answers(engine.url, timeout=FIRST_ANSWER_SECONDS)
        services.enter_context(engine_lease(engine))
        gradebook = Gradebook(work / "gradebook.sqlite")
        services.callback(gradebook.close)
        grade_all([uploaded(autograder / SUBMISSION)], exercises, gradebook,
                  [instructor_grade_args(GradingSlot(engine), settings.get("timeout"))],
                  time_limit=settings["submission_timeout"], unpack_to=work / "unpacked", workdir=work / "logs")
        return gradebook.results()[STUDENT]


def main(argv: list[str]) -> int:
    autograder = Path(argv[0]) if argv else Path("/autograder")
    settings = json.loads((autograder / SOURCE / SETTINGS).read_text())
    exercises = [catalog.exercise(ref) for ref in settings["exercises"]]
    with tempfile.TemporaryDirectory(prefix="gradescope-") as work:
        try:
            result = grade_upload(autograder, Path(work), exercises, settings)
        except (EngineError, KafkaToolError) as error:  # the grader's own failure: every task says so
            result = failed_result(uploaded(autograder / SUBMISSION), exercises,
                                   f"The grader could not start its Spark engine or Kafka broker: {error}", 0.0)
        results = gradescope_results(result, settings["visibility"], settings["stdout_visibility"])
        results = without_paths(results, hidden_roots(autograder, Path(work)))
    write_atomically(autograder / RESULTS / "results.json", json.dumps(results, indent=2) + "\n")
    print(f"Graded: {result.score:g} / {result.max_score:g} in {result.execution_time:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
