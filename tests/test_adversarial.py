"""Submissions that attack the grader: grades are computed outside the process that runs them,
what they are judged by is read before they run, and limits kill all they started."""

import os
import shutil

import pytest

from conftest import ROOT, SUBMISSIONS, run_grade, results_by_task
from grader import paths

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "fixtures", project / "fixtures")
    code, result, stderr = run_grade(
        "exercise-2", "--submission", str(SUBMISSIONS / "adversarial"), "--timeout", "60",
        env={"GRADER_PROJECT": str(project), "GRADER_CACHE": str(paths.CACHE), "GRADER_MEMORY_LIMIT_MB": "700"},
    )
    assert result is not None, stderr
    return project, code, results_by_task(result)


@pytest.mark.timeout(900)
def test_raising_keyboard_interrupt_fails_only_that_task(attacked):
    _, _, tests = attacked
    assert "raised KeyboardInterrupt" in tests[("exercise-2", "read_lines")]["output"]


@pytest.mark.timeout(900)
def test_patching_the_comparison_and_rewriting_the_expected_answer_gains_nothing(attacked):
    project, code, tests = attacked
    assert '"snapshots": []' in (project / "fixtures" / "expected" / "exercise-2.json").read_text()
    test = tests[("exercise-2", "streaming_word_count")]
    assert test["status"] == "failed" and test["score"] == 0
    assert code == 1


@pytest.mark.timeout(900)
def test_memory_without_bound_is_stopped_and_escaped_children_are_killed(attacked):
    project, _, tests = attacked
    assert "more than 700 MiB of memory" in tests[("exercise-2", "start_update_query")]["output"]
    escaped = int((project / "escaped.pid").read_text())
    assert not os.path.exists(f"/proc/{escaped}") or "Z" in open(f"/proc/{escaped}/stat").read().split(")")[1][:3]
