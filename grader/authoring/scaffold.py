"""`grade new exercise-N "Title"`: a new exercise that already grades, for the instructor to edit.

It writes the declaration (one task), its public and hidden fixture streams, the reference
solution and one known mistake's wrong answer from the templates in `new_exercise/`, then the
stub and notebook students receive; `grade record` then stores what the solution produces.
Nothing existing is overwritten.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from grader import catalog, paths
from grader.authoring.notebooks import notebook_path, notebook_text
from grader.authoring.record import mistake_file
from grader.authoring.stubs import stub_path, stub_source
from grader.spec import Exercise

TEMPLATES = Path(__file__).with_name("new_exercise")
MISTAKE = "strict_threshold"  # the known mistake the template declares


class ScaffoldError(Exception):
    """The exercise cannot be made; the message says why and what to do."""


def slug_of(title: str) -> str:
    """`"Order totals, per item!"` → `"order_totals_per_item"`: the name of the exercise's files."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40].rstrip("_")


def new_exercise(ref: str, title: str) -> tuple[Exercise, list[Path]]:
    """Write exercise `ref` ("exercise-11") titled `title`; returns it and the files written."""
    number = _number(ref)
    slug = slug_of(title)
    if not slug or not slug[0].isalpha():
        raise ScaffoldError(f"the title {title!r} makes no file name: start it with a letter.")
    if number in catalog.EXERCISES:
        raise ScaffoldError(f"exercise-{number} exists already ({catalog.EXERCISES[number].title}): "
                            "edit its declaration, or give a number no exercise has.")
    title = title.replace('"', "'")  # it goes between double quotes in the declaration
    named = Exercise(number=number, slug=slug, title=title, intro="")  # its files' names, before it is declared
    values = {"number": number, "slug": slug, "title": title, "scenario": slug}
    declaration = paths.DECLARATIONS / f"{named.module_name}.py"
    planned = {
        declaration: "declaration.py.tmpl",
        paths.STREAMS / f"{slug}.toml": "stream.toml.tmpl",
        paths.HIDDEN_STREAMS / f"{slug}_edges.toml": "hidden_stream.toml.tmpl",
        paths.SOLUTIONS / f"{named.module_name}.py": "solution.py.tmpl",
        mistake_file(named, MISTAKE): "wrong_answer.py.tmpl",
    }
    students = (stub_path(named), notebook_path(named))
    taken = [path for path in (*planned, *students) if path.exists()]
    if taken:
        raise ScaffoldError("these files exist already, and are left as they are: "
                            + ", ".join(map(paths.shown, taken)) + ". Choose another title, or move them away.")
    for path, template in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template((TEMPLATES / template).read_text()).substitute(values))
    exercise = catalog.load_declaration(declaration)
    for path, text in zip(students, (stub_source(exercise), notebook_text(exercise))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return exercise, [*planned, *students]


def _number(ref: str) -> int:
    text = ref.removeprefix("exercise-")
    if not text.isdigit() or int(text) < 1:
        raise ScaffoldError(f"name the new exercise exercise-N, N a number from 1 (got {ref!r}).")
    return int(text)
