"""Submissions that break the rules: each task fails with its own clear message, and the grader
goes on to grade every other task."""

import pytest

from conftest import SUBMISSIONS, run_grade, results_by_task

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def graded():
    code, result, stderr = run_grade("exercise-1", "exercise-2", "exercise-3", "exercise-4", "--submission",
                                    str(SUBMISSIONS / "misbehaving"), "--timeout", "25")
    assert result is not None, stderr
    return code, results_by_task(result)


EXPECTED_MESSAGES = {
    ("exercise-1", "adults"): "returned None",
    ("exercise-1", "treatment_summary"): "did not finish within 25 s",
    ("exercise-1", "sex_summary_sql"): "stopped the Spark session",
    ("exercise-1", "word_count"): "raised ValueError: cannot split this line",
    ("exercise-2", "read_lines"): "raised SystemExit",
    ("exercise-2", "streaming_word_count"): "failed (at fixture batch 2): RuntimeError: no kafka here",
    ("exercise-2", "start_update_query"): "did not finish within 25 s",
    ("exercise-3", "with_parity"): "ended abruptly",
    ("exercise-3", "parity_totals"): "did not finish within 25 s of the machine's time",
    ("exercise-3", "start_multiples_of_three"): "wrote more than 128 MiB",
    ("exercise-4", "read_people"): "could not be imported; see the note on exercise-4",
    ("exercise-4", "adults"): "could not be imported; see the note on exercise-4",
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("key", EXPECTED_MESSAGES, ids=lambda k: "::".join(k))
def test_each_misbehaviour_fails_its_task_with_a_clear_message(graded, key):
    _, tests = graded
    assert tests[key]["status"] == "failed"
    assert tests[key]["score"] == 0
    assert EXPECTED_MESSAGES[key] in tests[key]["output"], tests[key]["output"]


@pytest.mark.timeout(900)
def test_every_task_gets_a_result_and_the_grade_is_zero(graded):
    code, tests = graded
    assert len(tests) == 14
    assert all(t["score"] == 0 for t in tests.values())
    assert code == 1


@pytest.mark.timeout(900)
def test_printed_output_is_shown_trimmed_and_never_counts(graded):
    _, tests = graded
    output = tests[("exercise-1", "adults")]["output"]
    assert "Your code printed:" in output and "PASS 2/2 adults" in output
    assert len(output) < 5000


@pytest.mark.timeout(900)
def test_the_students_own_line_is_shown_for_an_exception(graded):
    _, tests = graded
    source = (SUBMISSIONS / "misbehaving" / "exercise_01_sql_recap.py").read_text().splitlines()
    line = next(n for n, text in enumerate(source, start=1) if "raise ValueError" in text)
    assert f"line {line}, in _split" in tests[("exercise-1", "word_count")]["output"]
