"""Hidden scenarios: students' grading runs the public data only, instructor grading runs the
hidden scenarios too, and feedback from a hidden scenario never shows its rows."""

import pytest

from conftest import SUBMISSIONS, results_by_task
from grader import catalog, paths
from grader.judge import Verdict, on_hidden_data
from grader.spec import load_scenario

TUNED = SUBMISSIONS / "tuned"


def test_hidden_scenarios_are_apart_from_the_public_ones_and_named_once():
    hidden = {name for e in catalog.EXERCISES.values() for t in e.tasks for name in t.hidden_scenarios}
    assert {"readings_edges", "impressions_clicks_edges", "people_edges"} <= hidden
    for name in hidden:
        assert (paths.HIDDEN_STREAMS / f"{name}.toml").is_file(), name
        assert not (paths.STREAMS / f"{name}.toml").exists(), name
        assert load_scenario(name).name == name


@pytest.mark.timeout(10)
def test_a_verdict_on_hidden_data_keeps_its_sentence_and_mistake_and_drops_the_rows():
    failed = Verdict(False, "Expected 3 row(s), got 2.", "batch 1 → readings: (s3, 08:00:00)\n- (s3, 1)",
                     "short_watermark", "withWatermark before groupBy")
    told = on_hidden_data(failed)
    assert not told.passed and told.mistake == "short_watermark" and told.hint == failed.hint
    assert "right on the public data but not on a hidden scenario" in told.feedback
    assert "Expected 3 row(s), got 2." in told.feedback and "s3" not in told.feedback
    assert on_hidden_data(Verdict(True, "")).passed


@pytest.fixture(scope="module")
def tuned_grades(grade_cli):
    public = grade_cli("exercise-6", "--submission", str(TUNED))
    instructor = grade_cli("exercise-6", "--submission", str(TUNED), "--hidden")
    return public, instructor


@pytest.mark.spark
@pytest.mark.timeout(1200)
def test_a_submission_tuned_to_the_public_rows_passes_them_only(tuned_grades):
    (code, result, stderr), _ = tuned_grades
    assert result is not None, stderr
    assert code == 0 and result["score"] == result["max_score"], result


@pytest.mark.spark
@pytest.mark.timeout(1200)
def test_instructor_grading_runs_the_hidden_scenarios_without_showing_their_rows(tuned_grades):
    _, (code, result, stderr) = tuned_grades
    assert result is not None, stderr
    assert code == 1
    tasks = results_by_task(result)
    hidden_rows = load_scenario("readings_edges").streams["readings"].batches[0].lines
    for name in ("closed_window_counts", "live_window_counts", "start_closed_window_counts"):
        test = tasks[("exercise-6", name)]
        assert test["score"] == 0, test
        assert "right on the public data but not on a hidden scenario" in test["output"], test["output"]
        assert "s3" not in test["output"] and "08:0" not in test["output"], test["output"]
        assert "marked" not in test["output"]  # no legend for rows that are not shown
        assert not any(line in test["output"] for line in hidden_rows)
        assert "12:00:00" in test["picture"] and "08:0" not in test["picture"]  # drawn from the public rows only
