"""The student bundle holds no solution code and no hidden scenario, and grades on its own."""

import ast
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from grader import catalog, paths
from grader.authoring.bundle import build_bundle, hidden_data_in


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
    wrong = [src for path in (ROOT / "solutions" / "wrong_answers").rglob("*.py") for src in function_sources(path)]
    assert solved and wrong
    for body in solved + wrong:
        assert not any(body in text for text in texts), body.splitlines()[0]


def test_no_hidden_scenario_or_expectation_is_in_the_bundle(bundle):
    hidden = [p for p in paths.HIDDEN.rglob("*") if p.is_file() and p.stat().st_size]
    assert len(hidden) >= 6  # three hidden scenarios and their exercises' expectations at least
    assert not (bundle / "fixtures" / "hidden").exists()
    contents = {p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    assert not any(p.read_bytes() in contents for p in hidden)
    assert hidden_data_in(bundle) == []


def test_a_hidden_scenario_copied_into_the_bundle_is_found(bundle, tmp_path):
    leaked = tmp_path / "leaked"
    shutil.copytree(bundle / "fixtures", leaked / "fixtures")
    # under another name and with other comments: the same data is still found
    text = (paths.HIDDEN_STREAMS / "readings_edges.toml").read_text().replace("# Hidden", "# Public")
    (leaked / "fixtures" / "streams" / "morning.toml").write_text(text)
    expected = leaked / "fixtures" / "expected" / "exercise-6.json"
    expected.write_text(expected.read_text().replace('"live_window_counts"', '"live_window_counts@readings_edges"', 1))
    found = hidden_data_in(leaked)
    assert any("morning.toml holds hidden scenario readings_edges" in f for f in found), found
    assert any("the expectation live_window_counts@readings_edges" in f for f in found), found


def test_the_bundle_has_what_students_need(bundle):
    for needed in ("README.md", "pyproject.toml", "bin/setup", "exercises/notebooks",
                   "fixtures/expected/exercise-1.json", "grader/cli.py"):
        assert (bundle / needed).exists(), needed


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_the_bundle_grades_from_its_stored_expectations(bundle):
    """Exercise 4 has hidden scenarios, which the bundle lacks: students grade on the public one."""
    (bundle / "exercises" / "exercise_04_csv_folder.py").write_text(
        (ROOT / "solutions" / "exercise_04_csv_folder.py").read_text())
    env = {k: v for k, v in os.environ.items() if k != "GRADER_PROJECT"}
    imported = subprocess.run([sys.executable, "-c", "import grader.paths as p; print(p.PROJECT_ROOT)"],
                              cwd=bundle, capture_output=True, text=True, env=env).stdout.strip()
    assert imported == str(bundle)
    done = subprocess.run([sys.executable, "-m", "grader", "exercise-4", "--json"], cwd=bundle,
                          capture_output=True, text=True, timeout=550, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f'"score": {catalog.exercise(4).max_score}' in done.stdout
