"""The student bundle holds no solution code, and grades on its own."""

import ast
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.authoring.bundle import build_bundle


def function_sources(path):
    source = path.read_text()
    return [ast.get_source_segment(source, f) for f in ast.parse(source).body
            if isinstance(f, ast.FunctionDef)]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "streaming-exercises"
    build_bundle(out)
    return out


def test_no_solution_code_is_in_the_bundle(bundle):
    assert not (bundle / "solutions").exists()
    assert not (bundle / "tests").exists()
    texts = [p.read_text(errors="replace") for p in bundle.rglob("*") if p.is_file()]
    solved = [src for path in (ROOT / "solutions").glob("*.py") for src in function_sources(path)]
    wrong = [src for path in (ROOT / "tests" / "wrong_answers").rglob("*.py") for src in function_sources(path)]
    assert solved and wrong
    for body in solved + wrong:
        assert not any(body in text for text in texts), body.splitlines()[0]


def test_the_bundle_has_what_students_need(bundle):
    for needed in ("README.md", "pyproject.toml", "bin/setup", "exercises/notebooks",
                   "fixtures/expected/exercise-1.json", "grader/cli.py"):
        assert (bundle / needed).exists(), needed


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_the_bundle_grades_from_its_stored_expectations(bundle):
    (bundle / "exercises" / "exercise_01_sql_recap.py").write_text(
        (ROOT / "solutions" / "exercise_01_sql_recap.py").read_text())
    env = {k: v for k, v in os.environ.items() if k != "GRADER_PROJECT"}
    imported = subprocess.run([sys.executable, "-c", "import grader.paths as p; print(p.PROJECT_ROOT)"],
                              cwd=bundle, capture_output=True, text=True, env=env).stdout.strip()
    assert imported == str(bundle)
    done = subprocess.run([sys.executable, "-m", "grader", "exercise-1", "--json"], cwd=bundle,
                          capture_output=True, text=True, timeout=550, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"score": 9' in done.stdout
