"""The student stubs in `exercises/`, generated from the declarations (never edited by hand)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader import catalog, paths
from grader.spec import Exercise

HEADER = "from pyspark.sql import DataFrame, SparkSession\nfrom pyspark.sql import functions as F\n"
QUERY_IMPORT = "from pyspark.sql.streaming import StreamingQuery\n"


def stub_source(exercise: Exercise) -> str:
    """The module a student fills in: the exercise's story, then one stub per task."""
    intro = textwrap.dedent(exercise.intro).strip()
    parts = [
        f'"""Exercise {exercise.number}: {exercise.title}.\n\n{intro}\n\n'
        f'Check your work with:  grade {exercise.id}\n"""\n',
        HEADER + (QUERY_IMPORT if any("StreamingQuery" in t.signature() for t in exercise.tasks) else ""),
    ]
    for task in exercise.tasks:
        doc = textwrap.indent(task.docstring(), "    ")
        prefix = "r" if "\\" in doc else ""
        parts.append(
            f"\n{task.signature()}\n"
            f'    {prefix}"""{task.title[:1].upper()}{task.title[1:]} ({task.points} points).\n\n{doc}\n    """\n'
            f"    raise NotImplementedError\n"
        )
    return "\n".join(parts)


def stub_path(exercise: Exercise, folder: Path | None = None) -> Path:
    return (folder or paths.EXERCISES) / f"{exercise.module_name}.py"


def generate_stubs(folder: Path | None = None) -> list[Path]:
    written = []
    for exercise in catalog.EXERCISES.values():
        path = stub_path(exercise, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stub_source(exercise))
        written.append(path)
    return written


def stale_stubs(folder: Path | None = None, exercises: list[Exercise] | None = None) -> list[Path]:
    """Stubs whose text differs from what the declarations (of `exercises`, default all) generate."""
    return [
        stub_path(e, folder)
        for e in (exercises or catalog.EXERCISES.values())
        if not stub_path(e, folder).exists() or stub_path(e, folder).read_text() != stub_source(e)
    ]
