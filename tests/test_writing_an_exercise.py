"""An instructor writes an exercise from the README alone, in a course folder apart from the
grader, and a second course works from its own folder on the same installed grader."""

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader import paths

pytestmark = [pytest.mark.spark]
GRADE = [sys.executable, "-m", "grader"]


def grade_in(course: Path, *args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """`grade ARGS` run from `cwd` (default `course`) as the instructor runs it there: the course
    is the folder found from where they stand, and the grader the one installed here."""
    env = {**{k: v for k, v in os.environ.items() if k != paths.COURSE_VARIABLE}, "GRADER_CACHE": str(paths.CACHE)}
    return subprocess.run([*GRADE, *args], cwd=cwd or course, capture_output=True, text=True, env=env,
                          timeout=timeout)


def readme_commands() -> set[tuple[str, ...]]:
    """The arguments of each `grade` command of the README's "Writing an exercise"."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Writing an exercise"):]
    section = section[:section.index("\n## ", 3)]
    found = set()
    for line in section.splitlines():
        command = line.split("#")[0].strip().removeprefix("cd ../for-students && ")
        if line.startswith("    ") and command.startswith("grade "):
            found.add(tuple(shlex.split(command))[1:])
    return found


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def said(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


@pytest.mark.timeout(900)
def test_an_exercise_is_written_by_following_the_readme(tmp_path):
    course = tmp_path / "course"
    for part in ("exercises", "solutions", "fixtures"):
        shutil.copytree(ROOT / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
    grader_before = fingerprint(ROOT / "grader")
    documented = readme_commands()

    def step(*args: str, status: int = 0, cwd: Path | None = None) -> str:
        assert args in documented, f"the README's walk has no `grade {' '.join(args)}`"
        done = grade_in(course, *args, cwd=cwd)
        assert done.returncode == status, said(done)
        return said(done)

    # 1. Scaffold: it grades at once, the reference in full and the stub not at all.
    step("new", "exercise-11", "Order totals")
    assert "Total: 2/2 points" in step("exercise-11", "--submission", "solutions")
    assert "Total: 0/2 points" in step("exercise-11", status=1)
    # 3, 4. Edit the stream (a fourth batch) and the solution (the filter as SQL): stale until recorded.
    stream = course / "fixtures" / "streams" / "order_totals.toml"
    stream.write_text(stream.read_text().replace(
        ' [  # batch 3: a new item\n  {item = "jam", amount = 10},\n ],\n',
        ' [  # batch 3: a new item\n  {item = "jam", amount = 10},\n ],\n'
        ' [  # batch 4: jam again, on the threshold\n  {item = "jam", amount = 10},\n ],\n'))
    solution = course / "solutions" / "exercise_11_order_totals.py"
    solution.write_text(solution.read_text().replace('orders.filter(F.col("amount") >= 10)', 'orders.where("amount >= 10")'))
    assert 'where("amount >= 10")' in solution.read_text()
    step("generate", "--check")
    assert "run `grade record exercise-11`" in step("exercise-11", "--submission", "solutions", status=3)
    step("record", "exercise-11")
    expected = json.loads((course / "fixtures" / "expected" / "exercise-11.json").read_text())
    assert len(expected["large_order_totals"]["reference"]["snapshots"]) == 4
    assert "Total: 2/2 points" in step("exercise-11", "--submission", "solutions")
    # 5, 6, 7: every scenario, the known mistake named, and the gate.
    assert "Total: 2/2 points" in step("exercise-11", "--submission", "solutions", "--hidden")
    assert "You kept the orders above 10 only" in step(
        "exercise-11", "--submission", "solutions/wrong_answers/exercise_11/strict_threshold.py", status=1)
    verified = step("verify", "exercise-11")
    assert re.search(r"exercise-11: ok \(\d+ mutants: \d+ caught, 0 accepted as equivalent, 0 surviving\)", verified), verified
    # 8. The bundle grades the stub, holds no solution and no hidden stream.
    step("bundle", "../for-students")
    students = tmp_path / "for-students"
    assert not (students / "solutions").exists() and not (students / "fixtures" / "hidden").exists()
    assert "Total: 0/2 points" in step("exercise-11", status=1, cwd=students)
    assert fingerprint(ROOT / "grader") == grader_before


@pytest.fixture(scope="module")
def second_course(tmp_path_factory):
    """A course of its own, begun empty: one exercise, made by `grade new`."""
    course = tmp_path_factory.mktemp("second") / "sensors-course"
    (course / "fixtures" / "declarations").mkdir(parents=True)
    done = grade_in(course, "new", "exercise-1", "Large orders")
    assert done.returncode == 0, said(done)
    return course


@pytest.mark.timeout(600)
def test_a_second_course_sees_only_its_own_exercises(second_course):
    done = grade_in(second_course, "all", "--submission", "../solutions", "--json", cwd=second_course / "exercises")
    assert done.returncode == 0, said(done)
    graded = {(t["exercise"], t["task"]) for t in json.loads(done.stdout)["tests"]}
    assert graded == {("exercise-1", "large_order_totals")}
    other = grade_in(second_course, "exercise-2")
    assert other.returncode == 2
    assert "There is no exercise 'exercise-2'. The exercises are: exercise-1." in other.stderr
    assert sorted(p.name for p in (second_course / "fixtures" / "declarations").glob("*.py")) == ["exercise_01_large_orders.py"]


def test_grade_new_refuses_an_exercise_that_exists(second_course):
    before = fingerprint(second_course / "fixtures")
    done = grade_in(second_course, "new", "exercise-1", "Something else")
    assert done.returncode == 2
    assert "exercise-1 exists already (Large orders)" in done.stderr
    assert fingerprint(second_course / "fixtures") == before


@pytest.mark.timeout(600)
def test_a_failing_reference_is_told_by_its_line_not_a_stack_trace(second_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(second_course, course, ignore=shutil.ignore_patterns(".cache"))
    solution = course / "solutions" / "exercise_01_large_orders.py"
    solution.write_text(solution.read_text().replace('F.col("amount")', 'F.col("amout")'))
    done = grade_in(course, "record", "exercise-1")
    assert done.returncode == 1
    assert "solutions/exercise_01_large_orders.py, line 8: the reference solution of exercise-1 / large_order_totals" in done.stderr
    assert "`amout` cannot be resolved" in done.stderr
    assert "JVM stacktrace" not in done.stderr and "Traceback" not in done.stderr


def test_a_task_reading_a_stream_its_scenario_lacks_is_told_by_the_declaration_line(second_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(second_course, course, ignore=shutil.ignore_patterns(".cache"))
    declaration = course / "fixtures" / "declarations" / "exercise_01_large_orders.py"
    declaration.write_text(declaration.read_text().replace('StreamOf("orders")', 'StreamOf("ordrs")'))
    done = grade_in(course, "record", "exercise-1")
    assert done.returncode == 1
    assert ("fixtures/declarations/exercise_01_large_orders.py, line 21: task large_order_totals reads stream "
            "'ordrs', which scenario large_orders does not have (its streams: orders)") in done.stderr


def test_a_declaration_that_does_not_parse_is_told_by_file_and_line(second_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(second_course, course, ignore=shutil.ignore_patterns(".cache"))
    declaration = course / "fixtures" / "declarations" / "exercise_01_large_orders.py"
    declaration.write_text(declaration.read_text().replace("points=2,", "points=2"))
    done = grade_in(course, "record", "exercise-1")
    assert done.returncode == 2
    assert done.stderr.startswith("grade: fixtures/declarations/exercise_01_large_orders.py, line 20: invalid syntax. "
                                  "Perhaps you forgot a comma?"), done.stderr
    assert "Traceback" not in done.stderr


def test_verify_reports_an_exercise_without_a_known_mistake_a_hidden_scenario_or_its_stub(second_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(second_course, course, ignore=shutil.ignore_patterns(".cache"))
    declaration = course / "fixtures" / "declarations" / "exercise_01_large_orders.py"
    text = declaration.read_text()
    text = text.replace('hidden_scenarios=("large_orders_edges",),\n', "")
    text = re.sub(r"mistakes=\(\n.*?\n            \),\n", "", text, flags=re.S)
    declaration.write_text(text.replace("Total the amounts", "Sum the amounts"))
    done = grade_in(course, "verify", "exercise-1")
    assert done.returncode == 1
    problems = [line for line in done.stdout.splitlines() if line.startswith("  - ")]
    assert len(problems) == 4, done.stdout
    assert "exercise-1 / large_order_totals: no known wrong answer, so nothing shows its check can fail." in done.stdout
    assert "exercise-1 / large_order_totals: no hidden scenario" in done.stdout
    assert ("exercise-1: exercises/exercise_01_large_orders.py is not what its declaration generates: run `grade "
            "generate`.") in done.stdout
    assert "exercises/notebooks/exercise_01_large_orders.ipynb is not what its declaration generates" in done.stdout


@pytest.mark.timeout(600)
def test_a_course_works_on_a_grader_installed_from_its_wheel(tmp_path):
    """Not the checkout's editable install: the package data (templates, the engine's gate) must
    travel in the wheel, and the course be found from where the instructor stands."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "grader", source / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "wheels"), str(source)], check=True, timeout=300)
    installed = tmp_path / "installed"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(installed), *map(str, (tmp_path / "wheels").glob("*.whl"))],
                   check=True, timeout=300)
    course = tmp_path / "course"
    (course / "fixtures" / "declarations").mkdir(parents=True)
    env = {**{k: v for k, v in os.environ.items() if k != paths.COURSE_VARIABLE},
           "GRADER_CACHE": str(paths.CACHE), "PYTHONPATH": str(installed)}

    def grade(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*GRADE, *args], cwd=course, capture_output=True, text=True, env=env, timeout=300)

    where = subprocess.run([sys.executable, "-c", "import grader, grader.paths as p; print(grader.__file__, p.PROJECT_ROOT)"],
                           cwd=course, capture_output=True, text=True, env=env, check=True).stdout.split()
    assert where == [str(installed / "grader" / "__init__.py"), str(course)]
    made = grade("new", "exercise-1", "Large orders")
    assert made.returncode == 0, said(made)
    graded = grade("exercise-1", "--submission", "solutions")
    assert graded.returncode == 0 and "Total: 2/2 points" in graded.stdout, said(graded)
