"""The picture of an event-time task's stream: drawn from the outcomes `grade record` stored (the
reference and each known mistake, run by Spark), it holds the rows, watermarks and windows the
text feedback tells, and shows where a wrong answer's output differs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from grader import catalog
from grader.judge import judge
from grader.judge.expected import expectation_for
from grader.judge.timeline import LATE, TOO_LATE, timeline
from grader.report.exports import write_exports
from grader.report.feedback_page import feedback_html
from grader.report.model import GradeResult, TaskResult
from grader.report.picture import stacked, task_picture
from grader.spec import load_scenario
from conftest import ROOT, results_by_task

pytestmark = pytest.mark.timeout(60)

EXERCISE = catalog.exercise("exercise-6")
READINGS = load_scenario("readings")


def graded(task_name: str, mistake: str | None = None):
    """(task, the outcome of the reference or of `mistake`, the stored expectation)."""
    task = EXERCISE.task(task_name)
    expected = expectation_for(EXERCISE, task)
    return task, expected.mistakes[mistake] if mistake else expected.reference, expected


def ids(svg: str) -> list[str]:
    return [element.get("id") for element in ET.fromstring(svg).iter() if element.get("id")]


def picture_ids(task_name: str, mistake: str | None = None) -> list[str]:
    task, got, expected = graded(task_name, mistake)
    return [i.removeprefix(f"{task.name}-") for i in ids(task_picture(task, READINGS, got, expected))
            if i.startswith(f"{task.name}-")]


def named(found: list[str], kind: str) -> list[str]:
    return [i for i in found if re.fullmatch(rf"{kind}-.*", i)]


def test_the_watermark_after_each_batch_is_recorded_from_spark():
    task, reference, _ = graded("closed_window_counts")
    # readings.toml's table: max event time so far minus 20 seconds
    assert reference.watermarks[:3] == ["2024-01-01T12:00:20.000Z", "2024-01-01T12:00:55.000Z",
                                        "2024-01-01T12:01:15.000Z"]
    assert len(reference.watermarks) == READINGS.batch_count
    _, no_watermark, _ = graded("live_window_counts", "late_rows_counted")
    assert no_watermark.watermarks == []


def test_a_right_answer_shows_every_row_every_watermark_and_only_shared_windows():
    found = picture_ids("closed_window_counts")
    fed = sum(len(batch.lines) for batch in READINGS.streams["readings"].batches)
    assert len(named(found, "row")) == fed
    assert len(named(found, r"watermark")) == READINGS.batch_count
    assert named(found, "span") and all(i.endswith("-both") for i in named(found, "span"))
    assert not named(found, "differs") and not named(found, "your-watermark")
    # the two readings whose window had closed (rows 9 and 14: batches 4 and 7), as the fixture's comments say
    assert [i for i in named(found, "row") if i.endswith("too-late")] == ["row-9-b4-too-late", "row-14-b7-too-late"]


def test_rows_are_told_late_or_too_late_under_the_asked_watermark():
    task, got, expected = graded("closed_window_counts")
    drawn = timeline(task, READINGS, got, expected.reference, None)
    late = [(r.batch + 1, r.event_time.time().isoformat(), r.lateness) for r in drawn.rows if r.lateness != "on time"]
    assert late == [(2, "12:00:50", LATE), (3, "12:00:58", LATE), (4, "12:00:30", TOO_LATE),
                    (5, "12:01:55", LATE), (7, "12:02:50", TOO_LATE)]


def plus_rows(feedback: str) -> set[tuple[str, int]]:
    """(sensor, count) of the rows the text diff marks '+'."""
    rows = re.findall(r"^\s*\+ .*'(s\d)'\s*\| (\d+)$", feedback, re.MULTILINE)
    return {(sensor, int(count)) for sensor, count in rows}


@pytest.mark.parametrize("task_name, mistake, differs_at", [
    ("closed_window_counts", "short_watermark", 2),
    ("live_window_counts", "late_rows_counted", 4),
    ("start_closed_window_counts", "update_mode", 1),
])
def test_a_wrong_answer_is_drawn_up_to_where_the_text_says_it_differs(task_name, mistake, differs_at):
    task, got, expected = graded(task_name, mistake)
    verdict = judge(task, READINGS, got, expected)
    assert f"After batch {differs_at} of {READINGS.batch_count}" in verdict.details
    found = picture_ids(task_name, mistake)
    assert named(found, "differs") == [f"differs-b{differs_at}"]
    assert max(int(re.search(r"-b(\d+)", i)[1]) for i in named(found, "row")) == differs_at
    drawn = timeline(task, READINGS, got, expected.reference, differs_at - 1)
    yours = {(span.label.split(", ")[0], int(span.label.split(", ")[1])) for span in drawn.spans
             if span.source == "yours only"}
    assert yours and yours == plus_rows(verdict.details)
    assert len([i for i in named(found, "span") if i.endswith("-yours")]) == len(yours)


def test_a_shorter_watermark_is_drawn_beside_the_asked_one_and_said_in_the_text():
    task, got, expected = graded("closed_window_counts", "short_watermark")
    assert "your-watermark-b2" in picture_ids("closed_window_counts", "short_watermark")
    details = judge(task, READINGS, got, expected).details
    assert "watermark now 2024-01-01T12:00:55 (yours: 2024-01-01T12:01:05)" in details


def test_a_query_without_a_watermark_draws_none_and_the_text_says_so():
    found = picture_ids("live_window_counts", "late_rows_counted")
    assert not named(found, "your-watermark")
    assert "row-9-b4-too-late" in found  # the reading it counted though its window had closed
    task, got, expected = graded("live_window_counts", "late_rows_counted")
    assert "(your query has none)" in judge(task, READINGS, got, expected).details


def test_no_picture_without_rows_to_place_or_without_event_time():
    task, refused, expected = graded("closed_window_counts", "no_watermark")
    assert refused.failure is not None and task_picture(task, READINGS, refused, expected) == ""
    words = catalog.exercise("exercise-2")
    count = words.tasks[0]
    stored = expectation_for(words, count)
    assert task_picture(count, load_scenario(count.scenario), stored.reference, stored) == ""


def test_the_feedback_page_holds_the_text_and_the_pictures_inline():
    task, got, expected = graded("closed_window_counts", "short_watermark")
    picture = task_picture(task, READINGS, got, expected)
    other, right, stored = graded("live_window_counts")
    result = GradeResult("alice.py", [
        TaskResult("exercise-6", task.name, task.title, 0, 3, "Expected 0 row(s), got 2.", picture=picture),
        TaskResult("exercise-6", other.name, other.title, 2, 2, "Passed.",
                   picture=task_picture(other, READINGS, right, stored)),
        TaskResult("exercise-2", "streaming_word_count", "count", 2, 2, "Passed."),
    ])
    page = feedback_html("alice", result)
    assert "<script" not in page and "<?xml" not in page
    assert page.count("<svg") == 2 and "Expected 0 row(s), got 2." in page
    assert f'id="{task.name}-differs-b2"' in page
    assert GradeResult.from_dict(json.loads(json.dumps(result.to_dict()))).tasks[0].picture == picture
    both = stacked([t.picture for t in result.tasks if t.picture])
    assert f"{task.name}-differs-b2" in ids(both) and f"{other.name}-watermark-b7" in ids(both)


def test_a_batch_writes_feedback_html_beside_feedback_md(tmp_path):
    task, got, expected = graded("closed_window_counts", "short_watermark")
    result = GradeResult("bob.py", [TaskResult("exercise-6", task.name, task.title, 0, 3, "Expected 0 row(s), got 2.",
                                               picture=task_picture(task, READINGS, got, expected))])
    write_exports({"bob": result}, ["exercise-6"], tmp_path)
    page = (tmp_path / "bob" / "feedback.html").read_text()
    assert (tmp_path / "bob" / "feedback.md").exists() and f'id="{task.name}-differs-b2"' in page


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_grade_writes_the_picture_of_a_wrong_answer(tmp_path, grade_cli):
    """A too-short watermark, graded for real: the picture is drawn from the run's own outcome."""
    submission = tmp_path / "exercise_06_watermarks.py"
    submission.write_text((ROOT / "solutions/wrong_answers/exercise_06/short_watermark.py").read_text())
    picture = tmp_path / "stream.svg"
    status, result, stderr = grade_cli("exercise-6", "--submission", str(submission), "--picture", str(picture))
    assert status == 1, stderr
    assert results_by_task(result)[("exercise-6", "closed_window_counts")]["mistake"] == "short_watermark"
    found = ids(picture.read_text())
    assert "closed_window_counts-differs-b2" in found and "closed_window_counts-your-watermark-b2" in found
    assert not any(i.startswith("live_window_counts-") for i in found)  # a missing function has no picture


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_pictures_are_drawn_only_when_asked_for():
    """Drawing takes a second or two per exercise: a terminal report, which shows no picture,
    skips it (`grade` asks for pictures with --json or --picture)."""
    script = (
        "import json\n"
        "from pathlib import Path\n"
        "from grader import catalog\n"
        "from grader.grading import grade\n"
        "exercise = catalog.exercise('exercise-6').narrowed_to('closed_window_counts')\n"
        "for pictures in (False, True):\n"
        "    result = grade([exercise], Path('solutions'), pictures=pictures)\n"
        "    print(json.dumps({t.task: bool(t.picture) for t in result.tasks if t.passed}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=500)
    assert done.stdout.split("\n")[:2] == ['{"closed_window_counts": false}', '{"closed_window_counts": true}'], \
        done.stdout + done.stderr


def test_a_join_is_drawn_with_its_rows_spanning_their_times():
    """Exercise 9: an inner join where a left outer one is asked leaves out ad2, whose impression
    nobody clicked; the picture shows that row expected, not written, in batch 5, as the text does."""
    joins = catalog.exercise("exercise-9")
    task = joins.task("clicks_within_a_minute")
    expected = expectation_for(joins, task)
    scenario = load_scenario(task.scenario)
    got = expected.mistakes["inner_join"]
    assert "  - 'ad2'          | '2024-01-01T12:00:05' | NULL" in judge(task, scenario, got, expected).details
    drawn = timeline(task, scenario, got, expected.reference, 4)
    assert [(s.batch + 1, s.label) for s in drawn.spans if s.source == "expected only"] == [(5, "ad2, NULL")]
    assert {r.label[:2] for r in drawn.rows} == {"i:", "c:"}  # both streams' rows, told apart
    found = ids(task_picture(task, scenario, got, expected))
    assert f"{task.name}-differs-b5" in found
    assert sum(i.startswith(f"{task.name}-watermark-") for i in found) == 4  # none before batch 2's


def test_no_picture_when_the_columns_differ_from_the_asked_ones():
    """The text then names the columns, and shows no rows: neither does the picture."""
    windows = catalog.exercise("exercise-5")
    task = windows.task("page_counts_per_minute")
    expected = expectation_for(windows, task)
    scenario = load_scenario(task.scenario)
    assert task_picture(task, scenario, expected.reference, expected)
    assert task_picture(task, scenario, expected.mistakes["window_struct"], expected) == ""
