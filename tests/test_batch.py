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
from test_report_html import browser, rendered  # noqa: F401 (browser is a fixture)
from grader.report.exports import canvas_csv, gradebook_csv, junit_xml, write_exports
from grader.report.model import GradeResult, TaskResult

MODULE = "exercise_02_streaming_word_count"
SOLUTION = (ROOT / "solutions" / f"{MODULE}.py").read_text()
STUB = (ROOT / "exercises" / f"{MODULE}.py").read_text()


# An answer of one's own, unlike the reference; copied below with its names changed.
OWN_ANSWER = """from pyspark.sql import functions as F


def read_lines(spark, folder):
    stream = spark.readStream.format("text").load(folder)
    return stream


def _tokens(column_name):
    lowered = F.lower(F.col(column_name))
    pieces = F.split(lowered, r"\\s+")
    return F.explode(pieces)


def streaming_word_count(lines):
    tokens = lines.select(_tokens("value").alias("word"))
    kept = tokens.where(F.length("word") > 0)
    grouped = kept.groupBy(kept.word)
    return grouped.agg(F.count(F.lit(1)).alias("count"))


def start_update_query(lines, query_name, checkpoint):
    writer = streaming_word_count(lines).writeStream
    writer = writer.outputMode("update").format("memory").queryName(query_name)
    return writer.option("checkpointLocation", checkpoint).start()
"""
RENAMES = {"stream": "df", "lowered": "low", "pieces": "parts", "tokens": "toks", "kept": "nonempty",
           "grouped": "by_word", "writer": "w"}
GRADER_FAULT = "oscar"  # graded by a process that ends without a result (batch_with_a_grader_fault.py)


def make_class(folder):
    """Eleven students and three entries refused: right, partly wrong (zipped), a stub, a broken
    notebook, one that loops for ever, one that calls sys.exit() on import, an answer of one's
    own and its copy with renamed variables, two more known mistakes, one whose grading the
    grader loses; a .rar, and leo.py with leo.zip (one id twice)."""
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
    (folder / "grace").mkdir()
    (folder / "grace" / f"{MODULE}.py").write_text(OWN_ANSWER)
    copied = OWN_ANSWER
    for old, new in RENAMES.items():
        copied = re.sub(rf"\b{old}\b", new, copied)
    (folder / "heidi").mkdir()
    (folder / "heidi" / f"{MODULE}.py").write_text(copied)
    (folder / "ivan.py").write_text(SOLUTION.replace('.outputMode("update")', '.outputMode("complete")'))
    (folder / "judy.py").write_text(SOLUTION.replace('F.lower("value")', 'F.col("value")'))
    (folder / f"{GRADER_FAULT}.py").write_text(SOLUTION)
    (folder / "kim.rar").write_bytes(b"Rar!")
    (folder / "leo.py").write_text(SOLUTION)
    (folder / "leo.zip").write_bytes(b"")


def run_batch(submissions, out, *extra, grader_faults=()):
    """`grade batch` as the instructor runs it; with `grader_faults`, those students' gradings
    are lost as if the grader had failed (tests/batch_with_a_grader_fault.py)."""
    grade = [str(ROOT / "tests" / "batch_with_a_grader_fault.py")] if grader_faults else ["-m", "grader"]
    return subprocess.Popen(
        [sys.executable, *grade, "batch", str(submissions), "--out", str(out),
         "--exercises", "exercise-2", "--timeout", "30", "--workers", "2", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "GRADER_FAULT_STUDENTS": ",".join(grader_faults)},
    )


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    make_class(root / "submissions")
    process = run_batch(root / "submissions", root / "results", grader_faults=[GRADER_FAULT])
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
        "alice": "8", "bob": "2", "carol": "0", "dave": "0", "erin": "6", "frank": "0", "grace": "8",
        "heidi": "8", "ivan": "5", "judy": "2", GRADER_FAULT: "0"}
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
    assert junit.count("<testsuite ") == 11 and "<failure" in junit
    html = (root / "results" / "report.html").read_text()
    assert "11 submission(s)" in html and "dave" in html and "frank" in html


def report_section(dom: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">(.*?)</(?:table|ul|dl)>', dom, re.S).group(1)


@pytest.mark.spark
@pytest.mark.timeout(1300)
def test_the_report_shows_each_student_the_mistakes_made_and_whose_grading_failed(graded_class, browser, tmp_path):
    root, _ = graded_class
    results = root / "results"
    dom = rendered(results / "report.html", browser, tmp_path / "profile")
    students = report_section(dom, "students")
    rows = dict(re.findall(r'<tr class="student" data-student="(\w+)">(.*?)</tr>', students, re.S))
    gradebook = gradebook_rows(results)
    assert sorted(rows) == sorted(gradebook)
    for student, row in rows.items():
        assert re.search(rf'<td class="num[^"]*">{gradebook[student]["total"]}/8( \(not graded\))?</td><td>', row), row
    assert ">0/8 (not graded)</td>" in rows[GRADER_FAULT] and "the grader failed" in rows[GRADER_FAULT]
    for student in rows:
        for page in ("feedback.md", "results.json"):
            assert f'<a href="{student}/{page}">' in rows[student] and (results / student / page).is_file()
    mistakes = dict(re.findall(r'data-mistake="(\w+)" data-count="(\d+)"', report_section(dom, "mistakes")))
    assert mistakes == {"case_sensitive": "2", "complete_mode": "1"}
    faults = report_section(dom, "grader-faults")
    assert re.findall(r"<b>(\w+)</b>", faults) == [GRADER_FAULT] and "lost its engine" in faults
    failed_to_run = re.findall(r"<b>(\w+)</b>", report_section(dom, "failed-to-run"))
    assert {"dave", "erin", "frank"} <= set(failed_to_run) and GRADER_FAULT not in failed_to_run
    assert re.findall(r"<b>(\w+)</b>", report_section(dom, "similar")) == ["grace", "heidi"]
    assert re.findall(r'<li class="refused"><b>([\w.]+)</b>', report_section(dom, "not-graded")) == [
        "kim.rar", "leo.py", "leo.zip"]
    run = report_section(dom, "run")
    assert "exercise-2" in run and "sc://127.0.0.1:" in run


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
    assert canvas_csv({**results, "bo": GradeResult("bo", [good])}, ["exercise-2", "exercise-3"]).splitlines() == [
        "Student,ID,SIS User ID,SIS Login ID,Section,exercise-2,exercise-3",
        "Points Possible,,,,,5,0", "ana,,,ana,,3,0", "bo,,,bo,,3,0"]
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


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_an_import_that_never_returns_is_the_students_final_result(tmp_path):
    """Every task of the looping file fails at once, the result is stored as final, and a rerun
    grades nobody again."""
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    (submissions / "looper").mkdir(parents=True)
    (submissions / "looper" / f"{MODULE}.py").write_text(SOLUTION + "\nwhile True:\n    pass\n")
    started = time.monotonic()
    process = run_batch(submissions, results)
    _, errors = process.communicate(timeout=600)
    assert process.returncode == 0, errors
    assert time.monotonic() - started < 300  # one import budget, not a time limit per task and scenario
    stored = GradeResult.from_dict(json.loads(sqlite3.connect(results / "gradebook.sqlite").execute(
        "SELECT result FROM results WHERE student = 'looper'").fetchone()[0]))
    assert stored.complete and stored.score == 0
    assert {t.failure for t in stored.tasks} == {"load"}
    assert any("did not finish" in note for note in stored.notes), stored.notes
    first = sqlite3.connect(results / "gradebook.sqlite").execute("SELECT finished_at FROM results").fetchall()
    rerun = run_batch(submissions, results)
    _, errors = rerun.communicate(timeout=300)
    assert "0 to grade" in errors, errors
    assert sqlite3.connect(results / "gradebook.sqlite").execute("SELECT finished_at FROM results").fetchall() == first
