"""`grade batch`: a class of mixed submissions graded in one command, resumable after a kill,
with every export rendered from the same results."""

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest

from conftest import ROOT, SUBMISSIONS, requires_confinement
from grader.report.exports import gradebook_csv, junit_xml, write_exports
from grader.report.model import GradeResult, TaskResult

MODULE = "exercise_02_streaming_word_count"
SOLUTION = (ROOT / "solutions" / f"{MODULE}.py").read_text()
STUB = (ROOT / "exercises" / f"{MODULE}.py").read_text()


def make_class(folder):
    """Six students: right, partly wrong (zipped), a stub, a broken notebook, one that loops
    for ever, one that calls sys.exit() on import."""
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / f"{MODULE}.py").write_text(SOLUTION)
    with zipfile.ZipFile(folder / "bob.zip", "w") as bundle:
        bundle.writestr(f"bob/{MODULE}.py", SOLUTION.replace('F.lower("value")', '"value"'))
    (folder / "carol").mkdir()
    (folder / "carol" / f"{MODULE}.py").write_text(STUB)
    (folder / "dave.ipynb").write_text("{ not a notebook")
    (folder / "erin").mkdir()
    (folder / "erin" / f"{MODULE}.py").write_text(
        SOLUTION.replace("    return spark.readStream.text(folder)", "    while True:\n        pass"))
    (folder / "frank.py").write_text("import sys\nsys.exit(1)\n")


def run_batch(submissions, out, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out),
         "--exercises", "exercise-2", "--timeout", "30", "--workers", "2", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    make_class(root / "submissions")
    process = run_batch(root / "submissions", root / "results")
    _, errors = process.communicate(timeout=1200)
    assert process.returncode == 0, errors
    return root, errors


def gradebook_rows(results):
    with open(results / "gradebook.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_every_student_gets_the_right_score(graded_class):
    root, _ = graded_class
    rows = gradebook_rows(root / "results")
    assert {s: rows[s]["total"] for s in rows} == {
        "alice": "8", "bob": "2", "carol": "0", "dave": "0", "erin": "6", "frank": "0"}
    assert all(rows[s]["max_total"] == "8" for s in rows)


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_each_student_gets_gradescope_results_and_feedback(graded_class):
    root, _ = graded_class
    for student in ("alice", "bob", "carol", "dave", "erin", "frank"):
        result = json.loads((root / "results" / student / "results.json").read_text())
        assert {"score", "execution_time", "tests"} <= set(result)
        for test in result["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        feedback = (root / "results" / student / "feedback.md").read_text()
        assert f"Score: {result['score']:g} / 8" in feedback
        page = (root / "results" / student / "feedback.html").read_text()
        assert f"Score: {result['score']:g} / 8" in page and "<svg" not in page  # exercise 2 has no event time
    erin = json.loads((root / "results" / "erin" / "results.json").read_text())
    assert "did not finish within 30 s" in erin["tests"][0]["output"]
    assert "not a readable Jupyter notebook" in (root / "results" / "dave" / "feedback.md").read_text()
    assert "SystemExit" in (root / "results" / "frank" / "feedback.md").read_text()


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_junit_and_report_are_written(graded_class):
    root, _ = graded_class
    junit = (root / "results" / "junit.xml").read_text()
    assert junit.count("<testsuite ") == 6 and "<failure" in junit
    html = (root / "results" / "report.html").read_text()
    assert "6 submission(s)" in html and "dave" in html and "frank" in html


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_a_rerun_grades_nothing_again_and_only_regrades_one(graded_class):
    root, _ = graded_class
    before = sqlite3.connect(root / "results" / "gradebook.sqlite").execute(
        "SELECT student, finished_at FROM results").fetchall()
    process = run_batch(root / "submissions", root / "results", "--only", "carol")
    _, errors = process.communicate(timeout=600)
    assert "1 to grade" in errors, errors
    after = dict(sqlite3.connect(root / "results" / "gradebook.sqlite").execute(
        "SELECT student, finished_at FROM results").fetchall())
    assert all(after[s] == t for s, t in before if s != "carol")
    assert after["carol"] > dict(before)["carol"]


def stored_count(store) -> int:
    """Results committed so far; 0 while the batch has yet to create the gradebook."""
    if not store.exists():
        return 0
    try:
        return sqlite3.connect(store).execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # the file is there, its table not yet
        return 0


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_killed_halfway_the_batch_finishes_the_rest_without_regrading(tmp_path):
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    for student in ("s1", "s2", "s3", "s4"):
        (submissions / student).mkdir(parents=True)
        (submissions / student / f"{MODULE}.py").write_text(SOLUTION)
    process = run_batch(submissions, results, "--workers", "1")
    store = results / "gradebook.sqlite"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if stored_count(store) >= 1:
            break
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    first = dict(sqlite3.connect(store).execute("SELECT student, finished_at FROM results").fetchall())
    assert 1 <= len(first) < 4
    rerun = run_batch(submissions, results)
    _, errors = rerun.communicate(timeout=900)
    assert f"{4 - len(first)} to grade" in errors, errors
    final = dict(sqlite3.connect(store).execute("SELECT student, finished_at FROM results").fetchall())
    assert set(final) == {"s1", "s2", "s3", "s4"}
    assert all(final[s] == t for s, t in first.items())


@requires_confinement
@pytest.mark.spark
@pytest.mark.timeout(900)
def test_an_intruder_in_the_class_harms_no_classmate_nor_the_gradebook(tmp_path):
    """Graded beside alice, mallory tries to copy her answer, overwrite it, overwrite the
    gradebook and kill the batch: all refused, and alice's grade is hers."""
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    for student, source in (("alice", SOLUTION),
                            ("mallory", (SUBMISSIONS / "intruding" / f"{MODULE}.py").read_text())):
        (submissions / student).mkdir(parents=True)
        (submissions / student / f"{MODULE}.py").write_text(source)
    process = run_batch(submissions, results)
    _, errors = process.communicate(timeout=800)
    assert process.returncode == 0, errors
    rows = gradebook_rows(results)
    assert (rows["alice"]["total"], rows["mallory"]["total"]) == ("8", "0")
    assert (submissions / "alice" / f"{MODULE}.py").read_text() == SOLUTION
    feedback = (results / "mallory" / "feedback.md").read_text()
    for what in ("classmate: refused", "classmate through Spark: refused", "overwrite classmate: refused",
                 "overwrite gradebook: refused", "overwrite results through Spark: refused"):
        assert what in feedback, feedback
    assert re.search(r"kill the batch process \d+: refused", feedback), feedback


def test_the_gradebook_and_junit_come_from_the_same_results():
    task = TaskResult("exercise-2", "read_lines", "readStream", 0, 2, "Not implemented yet.", failure="not_implemented")
    good = TaskResult("exercise-2", "streaming_word_count", "count", 3, 3, "Passed.")
    results = {"ana": GradeResult("ana", [task, good])}
    assert gradebook_csv(results, ["exercise-2"]).splitlines() == [
        "student,exercise-2,total,max_total", "ana,3,3,5"]
    assert 'failures="1"' in junit_xml(results) and "Not implemented yet." in junit_xml(results)
    round_trip = GradeResult.from_dict(results["ana"].to_dict())
    assert round_trip.tasks == results["ana"].tasks


@pytest.mark.parametrize("confine, warned", [pytest.param("1", False, marks=requires_confinement), ("0", True)])
def test_a_batch_says_when_submissions_run_unconfined(tmp_path, confine, warned):
    (tmp_path / "submissions").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(tmp_path / "submissions"), "--out", str(tmp_path / "out"),
         "--engine", "local"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "GRADER_CONFINE": confine})
    assert done.returncode == 0, done.stderr
    assert ("will run unconfined" in done.stderr) == warned, done.stderr


def test_gradescope_visibility_is_the_instructors_choice(tmp_path):
    results = {"ana": GradeResult("ana", [TaskResult("exercise-2", "read_lines", "readStream", 2, 2, "Passed.")])}
    write_exports(results, ["exercise-2"], tmp_path, visibility="after_published")
    exported = json.loads((tmp_path / "ana" / "results.json").read_text())
    assert exported["visibility"] == "after_published" and exported["score"] == 2
