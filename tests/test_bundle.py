"""The student bundle holds no solution code and no hidden scenario, and grades on its own."""

import ast
import hashlib
import os
import shutil
import site
import socket
import subprocess
import sys

from pathlib import Path

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


def grade_in(folder, *args):
    """`grade ARGS` run with the grader and the folder of `folder`'s own copy."""
    env = {k: v for k, v in os.environ.items() if k != "GRADER_PROJECT"}
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_bundle_readme_is_the_students(bundle):
    readme = (bundle / "README.md").read_text()
    first = [line.split("#")[0].strip() for line in readme.splitlines()[1:5] if line.strip()]
    assert first == ["bin/grade exercise-2", "bin/grade exercise-2 --submission exercises/notebooks"]
    for instructor_only in ("bin/test", "grade record exercise", "grade bundle ../", "--hidden", "grade batch"):
        assert instructor_only not in readme, instructor_only
    assert "| 9 | Stream-stream joins |" in readme


@pytest.mark.parametrize("verb", [["record", "exercise-2"], ["verify", "exercise-2"], ["bundle", "elsewhere"],
                                  ["generate"], ["generate", "--check"]])
def test_instructor_verbs_refuse_in_the_bundle(bundle, verb):
    done = grade_in(bundle, *verb)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no solutions/ folder" in done.stderr, done.stderr
    assert not (bundle / "elsewhere").exists()


def test_generate_overwrites_a_solved_exercise_only_when_forced(bundle, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)
    solved = copy / "exercises" / "exercise_02_streaming_word_count.py"
    answer = (ROOT / "solutions" / solved.name).read_text()
    solved.write_text(answer)
    for args in (["generate"], ["generate", "--check"]):
        done = grade_in(copy, *args)
        assert "would replace your answers" in done.stderr or "no solutions/ folder" in done.stderr
        assert solved.read_text() == answer
    assert grade_in(copy, "generate", "--force").returncode == 0
    assert solved.read_text() != answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def installed(bundle):
    """What bin/setup's first run leaves in the bundle (its pip install needs the network, so this
    stands in for it): a .venv whose Python finds the bundle's grader and this interpreter's
    packages, a `grade` script, and the stamp that tells bin/setup it is done."""
    venv = bundle / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = subprocess.run([python, "-c", "import site; print(site.getsitepackages()[0])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    (Path(site_packages) / "bundle.pth").write_text("\n".join([str(bundle), *site.getsitepackages()]) + "\n")
    grade = venv / "bin" / "grade"
    grade.write_text(f"#!{python}\nimport sys\nfrom grader.cli import main\nsys.exit(main())\n")
    grade.chmod(0o755)
    (venv / ".installed").write_text(hashlib.sha256((bundle / "pyproject.toml").read_bytes()).hexdigest() + "\n")


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_the_readme_commands_work_in_the_bundle_as_written(bundle, tmp_path):
    """The README's first two commands, run in the bundle: the solved module earns full marks, the
    untouched notebook is graded as the notebook, and each report names the file it graded."""
    copy = tmp_path / "student"
    shutil.copytree(bundle, copy)
    installed(copy)
    solved = copy / "exercises" / "exercise_02_streaming_word_count.py"
    solved.write_text((ROOT / "solutions" / solved.name).read_text())
    readme = (copy / "README.md").read_text().splitlines()
    commands = [line.split("#")[0].strip() for line in readme[1:5] if line.strip()]
    # An engine of its own: its Python workers run the bundle's .venv, which goes with tmp_path.
    env = {**{k: v for k, v in os.environ.items() if k != "GRADER_PROJECT"}, "GRADER_ENGINE_PORT": str(free_port())}
    try:
        first, second = (subprocess.run(command, shell=True, cwd=copy, capture_output=True, text=True, env=env,
                                        timeout=400) for command in commands)
    finally:
        subprocess.run(["bin/grade", "engine", "stop"], cwd=copy, env=env, capture_output=True, timeout=60)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "graded exercises/exercise_02_streaming_word_count.py (the exercise is also in" in first.stdout
    assert second.returncode == 1, second.stdout + second.stderr
    assert "graded exercises/notebooks/exercise_02_streaming_word_count.ipynb" in second.stdout
    assert "Total: 0/8 points" in second.stdout


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
