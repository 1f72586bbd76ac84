"""The Gradescope autograder: the zip `grade gradescope build` writes, and `grade gradescope try`
running it as Gradescope would (setup.sh once, run_autograder per submission, in a bubblewrap
sandbox) on the solutions, the stubs, a forger and a link to the solutions.

The zip holds exercises 2 (with hidden scenarios) and 3 (the forger's) only, to keep CI short."""

import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from grader.gradescope import results_problems
from grader.gradescope.run import uploaded, without_paths
from grader.gradescope.trial import prepare, unavailable_reason
from grader.report.exports import gradescope_results
from grader.report.model import GradeResult, TaskResult
from test_forgery import write_forger

EXERCISES = ("exercise-2", "exercise-3")
LINKED_MODULE = "exercise_02_streaming_word_count.py"
SANDBOX_MISSING = unavailable_reason()
requires_sandbox = pytest.mark.skipif(bool(SANDBOX_MISSING) and not os.environ.get("CI"),
                                      reason=f"no bubblewrap sandbox here: {SANDBOX_MISSING}")


def gradescope(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "gradescope", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    started = time.monotonic()
    built = gradescope("build", str(out), "--exercises", *EXERCISES, timeout=300)
    assert built.returncode == 0, built.stderr
    print(f"build: {time.monotonic() - started:.0f} s")
    return out


def a_result(status_of_second: str | None = None) -> GradeResult:
    return GradeResult("/home/prof/course/submissions/ana", [
        TaskResult("exercise-2", "read_lines", "readStream", 2, 2, "Passed."),
        TaskResult("exercise-2", "streaming_word_count", "count", 0, 3, "The engine was lost.",
                   failure=status_of_second)])


def test_results_follow_gradescopes_specification_and_the_schema_rejects_what_does_not():
    exported = gradescope_results(a_result("not_graded"), "after_published", "hidden")
    assert results_problems(exported) == []
    assert exported["tests"][1]["status"] == "failed"  # Gradescope knows no "error"
    assert exported["tests"][1]["extra_data"]["failure"] == "not_graded"
    assert exported["stdout_visibility"] == "hidden" and exported["visibility"] == "after_published"

    ours = a_result().to_dict()  # the --json shape, with our own fields beside Gradescope's
    problems = results_problems({**ours, "visibility": "sometimes"})
    assert any("max_score" in p for p in problems) and any("sometimes" in p for p in problems), problems
    broken = {**exported, "tests": [{**exported["tests"][0], "status": "error"}]}
    assert any("tests/0/status" in p for p in results_problems(broken))


def test_no_path_of_the_container_reaches_the_student():
    text = "File \"/autograder/venv/lib/python3.11/site-packages/grader/x.py\" graded " \
           "/autograder/submission/exercise_02.py in /tmp/gradescope-x/unpacked/submission"
    roots = {"/autograder/submission/": "", "/autograder/venv/lib/python3.11/site-packages/grader": "grader",
             "/autograder/venv": "python", "/tmp/gradescope-x/": "", "/autograder": "autograder"}
    cleaned = without_paths({"tests": [{"output": text}]}, roots)["tests"][0]["output"]
    assert cleaned == 'File "grader/x.py" graded exercise_02.py in unpacked/submission'


def test_the_upload_is_its_one_zip_or_folder_else_the_whole_folder(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "work.zip").write_bytes(b"")
    assert uploaded(tmp_path / "one").path == tmp_path / "one" / "work.zip"
    (tmp_path / "one" / "work.zip").unlink()
    (tmp_path / "one" / "exercise_02_streaming_word_count.py").write_text("")
    assert uploaded(tmp_path / "one").path == tmp_path / "one"  # every exercise is graded


@pytest.mark.timeout(300)
def test_the_zip_holds_the_scripts_at_its_root_the_wheel_pins_and_hidden_fixtures(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as bundle:
        members = {m.filename: m for m in bundle.infolist()}
        constraints = bundle.read("constraints.txt").decode()
        settings = json.loads(bundle.read("autograder.json"))
    for script in ("setup.sh", "run_autograder"):
        assert members[script].external_attr >> 16 & stat.S_IXUSR, f"{script} is not executable"
    assert any(name.startswith("wheels/streaming_grader-") for name in members)
    assert "pyspark==4.2.0" in constraints.splitlines() and "streaming-grader" not in constraints
    assert "project/fixtures/hidden/expected/exercise-2.json" in members
    assert not any("solutions" in name or name.startswith("cache/") for name in members), \
        "no solution code, and no Kafka jars when no exercise needs them"
    assert settings["exercises"] == list(EXERCISES)


@requires_sandbox
def test_try_never_empties_a_folder_it_did_not_prepare(autograder_zip, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    tried = gradescope("try", str(autograder_zip), str(ROOT / "solutions"), "--prepared", str(tmp_path), timeout=120)
    assert tried.returncode == 2 and "no autograder set up" in tried.stderr, tried.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def linked(folder: Path) -> Path:
    folder.mkdir()
    (folder / LINKED_MODULE).symlink_to(ROOT / "solutions" / LINKED_MODULE)
    return folder


# (submission, what it earns): the whole of it, nothing at all, or at most a fifth (as the forger
# in test_forgery.py, whose unforged helpers may pass).
SUBMITTED = {
    "solutions": (lambda tmp: ROOT / "solutions", "all"),
    "stubs": (lambda tmp: ROOT / "exercises", "nothing"),
    "forger": (lambda tmp: write_forger(tmp / "forger"), "a fifth"),
    "linker": (lambda tmp: linked(tmp / "linker"), "nothing"),
}


@pytest.fixture(scope="module")
def prepared(autograder_zip, tmp_path_factory) -> Path:
    """The zip set up once (setup.sh in the sandbox), as Gradescope builds its image once."""
    folder = tmp_path_factory.mktemp("prepared") / "autograder"
    started = time.monotonic()
    setup = prepare(autograder_zip, folder)
    assert setup.status == 0, setup.output[-3000:]
    print(f"setup: {time.monotonic() - started:.0f} s")
    return folder


@requires_sandbox
@pytest.mark.spark
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("submitted", SUBMITTED)
def test_try_grades_as_gradescope_would(submitted, autograder_zip, prepared, tmp_path):
    make, earns = SUBMITTED[submitted]
    started = time.monotonic()
    tried = gradescope("try", str(autograder_zip), str(make(tmp_path)), "--prepared", str(prepared), timeout=900)
    print(f"{submitted}: {time.monotonic() - started:.0f} s")
    assert tried.returncode == 0, tried.stderr[-3000:]
    assert "setup.sh" not in tried.stderr, "the prepared autograder was set up again"
    results = json.loads(tried.stdout)
    assert results_problems(results) == []
    assert results["stdout_visibility"] == "hidden"
    shown = tried.stdout.replace(str(ROOT / "solutions" / LINKED_MODULE), "")  # the linker's own link
    for leaked in ("/autograder", str(ROOT), "/tmp/", "site-packages"):
        assert leaked not in shown, f"{leaked} is in results.json"
    tests = results["tests"]
    assert {t["extra_data"]["exercise"] for t in tests} == set(EXERCISES)
    most = sum(t["max_score"] for t in tests)
    assert not any(t["extra_data"]["failure"] == "not_graded" for t in tests), json.dumps(tests, indent=1)[:3000]
    if earns == "all":
        assert results["score"] == most > 0, json.dumps(tests, indent=1)[:3000]
    elif earns == "nothing":
        assert results["score"] == 0, json.dumps(tests, indent=1)[:3000]
    else:
        assert results["score"] <= most / 5, json.dumps(tests, indent=1)[:3000]
    if submitted == "linker":
        assert "symbolic link" in results["output"], results["output"]
