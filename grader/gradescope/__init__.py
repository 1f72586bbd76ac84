"""A Gradescope autograder of the course: `grade gradescope build` packs the grader, its pinned
dependencies, the fixtures (hidden ones included) and the Kafka jars into the zip Gradescope
takes; `grade gradescope try` runs that zip as Gradescope would, in a bubblewrap sandbox.

Where things are, in Gradescope's container (its autograder specification) and in the zip.
"""

from __future__ import annotations

import json
from pathlib import Path

AUTOGRADER = Path("/autograder")
# Gradescope unpacks the zip into source/, puts the student's upload in submission/ and reads
# results/results.json; setup.sh makes venv/ beside them, so the image keeps it.
SOURCE, SUBMISSION, RESULTS, VENV = "source", "submission", "results", "venv"
# Inside source/: the grader's wheel, the pins, what the grader reads as its project (the
# fixtures) and as its cache (the Kafka jars), and the choices made at build time.
WHEELS, CONSTRAINTS, PROJECT, CACHE, SETTINGS = "wheels", "constraints.txt", "project", "cache", "autograder.json"
SCRIPTS = ("setup.sh", "run_autograder")
SCHEMA = Path(__file__).with_name("results.schema.json")


def results_problems(results: dict) -> list[str]:
    """How `results` departs from Gradescope's results.json specification (none: it is valid)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    return [f"{'/'.join(map(str, error.absolute_path)) or 'top level'}: {error.message}"
            for error in validator.iter_errors(results)]
