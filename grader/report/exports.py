"""The instructor's exports of a batch, all rendered from the same `GradeResult`s: the
gradebook CSV (stable columns, for spreadsheets), Canvas's gradebook import CSV, Gradescope's
`results.json`, the student's `feedback.md` and `feedback.html` (with the pictures of the stream)
per student, and JUnit XML for CI systems."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.report.feedback_page import feedback_html
from grader.report.model import GradeResult
from grader.report.text import render


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _csv(rows: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def _scores(result: GradeResult, exercises: list[str]) -> list[str]:
    """The score per exercise in `exercises` order; 0 for one not graded for this student."""
    scores = result.exercise_scores()
    return [f"{scores.get(e, (0, 0))[0]:g}" for e in exercises]


def gradebook_csv(results: dict[str, GradeResult], exercises: list[str]) -> str:
    rows = [["student", *exercises, "total", "max_total"]]
    for student, result in results.items():
        rows.append([student, *_scores(result, exercises), f"{result.score:g}", f"{result.max_score:g}"])
    return _csv(rows)


# Canvas's gradebook CSV starts with these columns; it matches a row to a student by ID, SIS User
# ID or SIS Login ID, and each further column is an assignment (a new name makes a new one).
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_csv(results: dict[str, GradeResult], exercises: list[str]) -> str:
    """Canvas's gradebook import: one assignment per exercise, the "Points Possible" row first,
    each student's id as their SIS Login ID (name the entries of the submissions folder so)."""
    most = {e: max((r.exercise_scores().get(e, (0, 0))[1] for r in results.values()), default=0)
            for e in exercises}
    rows = [[*CANVAS_COLUMNS, *exercises], ["Points Possible", "", "", "", "", *[f"{most[e]:g}" for e in exercises]]]
    rows += [[student, "", "", student, "", *_scores(result, exercises)] for student, result in results.items()]
    return _csv(rows)


def feedback_markdown(student: str, result: GradeResult) -> str:
    return (f"# Feedback for {student}\n\nScore: {result.score:g} / {result.max_score:g}\n\n"
            f"```\n{render(result)}\n```\n")


def junit_xml(results: dict[str, GradeResult]) -> str:
    suites = ET.Element("testsuites")
    for student, result in results.items():
        failures = sum(not t.passed for t in result.tasks)
        suite = ET.SubElement(suites, "testsuite", name=student, tests=str(len(result.tasks)),
                              failures=str(failures), time=f"{result.execution_time:.2f}")
        for task in result.tasks:
            case = ET.SubElement(suite, "testcase", classname=f"{student}.{task.exercise}",
                                 name=task.task, time=f"{task.seconds:.2f}")
            if not task.passed:
                failure = ET.SubElement(case, "failure", message=task.feedback.splitlines()[0][:200])
                failure.text = task.feedback
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


# Gradescope's choices for when a student sees a result.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# The fields of a test that Gradescope's results.json specification defines; ours go in extra_data.
GRADESCOPE_TEST_FIELDS = ("name", "score", "max_score", "output", "visibility")


def gradescope_results(result: GradeResult, visibility: str = "visible",
                       stdout_visibility: str | None = None) -> dict:
    """`result` as Gradescope's autograder results.json: only the fields its specification
    defines (grader/gradescope/results.schema.json), a task not graded is `failed` there, and
    everything else we know of the submission and of each task is kept in their `extra_data`."""
    data = result.to_dict()
    tests = [{**{key: test[key] for key in GRADESCOPE_TEST_FIELDS},
              "status": "passed" if test["status"] == "passed" else "failed",
              "extra_data": {key: value for key, value in test.items() if key not in GRADESCOPE_TEST_FIELDS}}
             for test in data["tests"]]
    results = {"score": data["score"], "execution_time": data["execution_time"], "output": data["output"],
               "visibility": visibility, "tests": tests,
               "extra_data": {key: data[key] for key in ("max_score", "submission", "files")}}
    if stdout_visibility:
        results["stdout_visibility"] = stdout_visibility
    return results


def write_exports(results: dict[str, GradeResult], exercises: list[str], out: Path,
                  visibility: str = "visible") -> None:
    """Every export of `results`; `visibility` is when Gradescope shows each student's results."""
    write_atomically(out / "gradebook.csv", gradebook_csv(results, exercises))
    write_atomically(out / "canvas.csv", canvas_csv(results, exercises))
    write_atomically(out / "junit.xml", junit_xml(results))
    for student, result in results.items():
        write_atomically(out / student / "results.json",
                         json.dumps(gradescope_results(result, visibility), indent=2) + "\n")
        write_atomically(out / student / "feedback.md", feedback_markdown(student, result))
        write_atomically(out / student / "feedback.html", feedback_html(student, result))
