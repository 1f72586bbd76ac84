"""The GitHub Actions workflows a course gets from `grade github`: valid for actionlint, the
solutions branch's steps the very commands the README documents (and they work), and the
Classroom score in the shape GitHub Classroom's grading reporter reads."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from grader.github_workflows import WORKFLOWS, install
from grader.report.classroom import classroom_line
from grader.report.model import GradeResult, TaskResult

ACTIONLINT = shutil.which("actionlint", path=str(ROOT / ".cache" / "bin")) or shutil.which("actionlint")


def steps(kind: str) -> list[dict]:
    workflow = yaml.safe_load(WORKFLOWS[kind].read_text())
    (job,) = workflow["jobs"].values()
    return job["steps"]


def readme_solutions_commands() -> list[str]:
    """The commands the README says the solutions branch's workflow runs, in its order."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"exactly these commands, in this order:\n\n((?:    .+\n)+)", readme)
    assert block, "the README no longer documents the solutions workflow's commands"
    return [line.strip() for line in block.group(1).splitlines()]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", sorted(WORKFLOWS))
def test_the_workflows_pass_actionlint(kind, tmp_path):
    if ACTIONLINT is None:
        if os.environ.get("CI"):
            pytest.fail("bin/test builds actionlint into .cache/bin")
        pytest.skip("no actionlint here (bin/test builds it into .cache/bin)")
    written = install(kind, tmp_path)
    assert written == tmp_path / ".github" / "workflows" / WORKFLOWS[kind].name
    done = subprocess.run([ACTIONLINT, str(written)], capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.timeout(60)
def test_actionlint_rejects_a_broken_workflow(tmp_path):
    """The lint can fail: a step output read from a step id that does not exist."""
    if ACTIONLINT is None:
        pytest.skip("no actionlint here")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS["classroom"].read_text().replace("steps.grade.outputs", "steps.grading.outputs"))
    done = subprocess.run([ACTIONLINT, str(broken)], capture_output=True, text=True, timeout=50)
    assert done.returncode == 1 and "grading" in done.stdout, done.stdout


def test_the_solutions_workflow_runs_the_readme_commands_in_order():
    uses = [step["uses"].split("@")[0] for step in steps("solutions") if "uses" in step]
    assert uses == ["actions/checkout", "actions/setup-java", "actions/setup-python"]
    java = next(s for s in steps("solutions") if s.get("uses", "").startswith("actions/setup-java"))
    assert java["with"]["java-version"] == "17"
    assert [step["run"] for step in steps("solutions") if "run" in step] == readme_solutions_commands()


@pytest.mark.spark
@pytest.mark.kafka
@pytest.mark.timeout(900)
def test_the_readme_commands_of_the_solutions_workflow_work():
    """Each command for real, in order, from the project's root; `grade verify` on exercise 1
    only, since verifying every exercise takes far longer than the rest of the suite."""
    for command in readme_solutions_commands():
        argv = command.split()
        if argv[1:] == ["verify"]:
            argv.append("exercise-1")
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=800)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    assert "exercise-1: ok" in done.stdout


def test_the_classroom_workflow_hands_the_grade_to_the_reporter():
    grading = next(s for s in steps("classroom") if s.get("id") == "grade")
    assert "bin/grade all --classroom" in grading["run"] and '"$GITHUB_OUTPUT"' in grading["run"]
    reporter = next(s for s in steps("classroom") if "autograding-grading-reporter" in s.get("uses", ""))
    runner = reporter["with"]["runners"]
    # The reporter reads each runner's result from <RUNNER>_RESULTS.
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": "${{ steps.grade.outputs.result }}"}


def test_the_classroom_line_carries_every_tasks_points():
    tasks = [TaskResult("exercise-2", "read_lines", "readStream", 2, 2, "Passed."),
             TaskResult("exercise-2", "count", "count", 0, 3, "Expected 3 rows, got 2.", failure="wrong_result"),
             TaskResult("exercise-2", "sink", "sink", 0, 1, "The engine stopped answering.", failure="infrastructure")]
    payload = json.loads(base64.b64decode(classroom_line(GradeResult("s", tasks))))
    assert payload["max_score"] == 6 and sum(t["score"] for t in payload["tests"]) == 2
    assert [t["status"] for t in payload["tests"]] == ["pass", "fail", "error"]
    assert payload["status"] == "error" and payload["tests"][1]["message"] == "Expected 3 rows, got 2."
    full = json.loads(base64.b64decode(classroom_line(GradeResult("s", tasks[:1]))))
    assert full["status"] == "pass" and full["tests"][0]["message"] == ""


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_grade_prints_the_classroom_line_for_a_real_grading():
    done = subprocess.run([sys.executable, "-m", "grader", "exercise-1", "--submission", "exercises", "--classroom"],
                          cwd=ROOT, capture_output=True, text=True, timeout=580)
    payload = json.loads(base64.b64decode(done.stdout.strip()))
    assert done.returncode == 1 and payload["status"] == "fail", done.stderr
    assert payload["max_score"] > 0 and all(t["score"] == 0 for t in payload["tests"])
