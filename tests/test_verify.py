"""`grade verify`: fresh runs match the stored expectations, every known mistake is caught with
its own message, a broken solution or an uncaught mistake is reported, and so is a parameter
mutant of the reference that the scenario cannot tell from the asked answer."""

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT
from grader import catalog, paths
from grader.engine import Engine
from grader.engine.lease import live_leases
from grader.engine.server import engine_for
from grader.authoring.record import run_all
from grader.authoring.verify import verify
from grader.supervision.supervisor import Run, WorkerPool

pytestmark = pytest.mark.spark


@pytest.mark.timeout(900)
@pytest.mark.parametrize("exercise", [e for e in catalog.EXERCISES.values() if not e.needs_kafka],
                         ids=lambda e: e.id)  # exercise 10 is verified in tests/kafka
def test_reference_passes_and_every_known_mistake_is_caught(exercise):
    assert verify(exercise).problems == []


@pytest.mark.timeout(900)
def test_a_broken_solution_and_an_uncaught_mistake_are_reported(tmp_path):
    exercise = catalog.exercise(3)
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    source = (paths.SOLUTIONS / f"{exercise.module_name}.py").read_text()
    broken = source.replace('F.col("value") % 3 == 0', 'F.col("value") % 3 == 1')
    (solutions / f"{exercise.module_name}.py").write_text(broken)
    wrong_answers = tmp_path / "wrong"
    shutil.copytree(paths.WRONG_ANSWERS, wrong_answers)
    # A "mistake" that is in fact the right answer: its check cannot catch it.
    (wrong_answers / "exercise_03" / "total_counts_rows.py").write_text(source)
    problems = verify(exercise, solutions=solutions, wrong_answers=wrong_answers, with_mutants=False).problems
    assert any("start_multiples_of_three: the reference solution fails its own check" in p for p in problems), problems
    assert any("wrong answer total_counts_rows passes the check" in p for p in problems), problems


@pytest.mark.timeout(600)
def test_the_same_scenario_twice_gives_identical_snapshots():
    solution = paths.SOLUTIONS / "exercise_02_streaming_word_count.py"
    runs = [Run(f"run{i}", 2, task, solution, 120) for i, task in enumerate(["start_update_query"] * 2)]
    with WorkerPool(runs, Engine.local()) as pool:
        first, second = pool.outcome("run0"), pool.outcome("run1")
    assert first.failure is None and len(first.snapshots) == 3
    canonical = [[sorted(map(repr, s.rows)) for s in o.snapshots] for o in (first, second)]
    assert canonical[0] == canonical[1]


@pytest.mark.timeout(1200)
def test_the_old_watermark_fixture_lets_a_30_second_watermark_earn_full_marks(tmp_path):
    """Before batches 6 and 7 of `readings`, no row was late by between 20 and 30 seconds."""
    project = tmp_path / "project"
    for part in ("fixtures", "solutions", "exercises"):
        shutil.copytree(ROOT / part, project / part)
    before = ROOT / "tests" / "readings_without_late_rows"
    shutil.copy(before / "readings.toml", project / "fixtures" / "streams" / "readings.toml")
    shutil.copy(before / "exercise-6.json", project / "fixtures" / "expected" / "exercise-6.json")
    done = subprocess.run([sys.executable, "-m", "grader", "verify", "exercise-6"], capture_output=True, text=True,
                          timeout=1150, cwd=ROOT, env={**os.environ, "GRADER_PROJECT": str(project),
                                                       "GRADER_CACHE": str(paths.CACHE)})
    assert done.returncode == 1, done.stdout + done.stderr
    surviving = [line for line in done.stdout.splitlines() if "earns full marks" in line]
    assert surviving and all("watermark '20 seconds' → '30 seconds' at line 10" in line for line in surviving), done.stdout
    assert "exercise-6 / live_window_counts: the mutant with watermark '20 seconds' → '30 seconds'" in done.stdout


@pytest.mark.timeout(300)
def test_verify_and_record_hold_a_lease_on_the_warm_engine_while_they_run():
    """Without one, the engine's host took the engine for unused and stopped it for a fuller heap
    in the middle of `grade verify` (a known mistake was then reported as not caught)."""
    engine = engine_for()
    solution = paths.SOLUTIONS / "exercise_02_streaming_word_count.py"
    ours = []
    with ThreadPoolExecutor(1) as thread:
        running = thread.submit(run_all, [Run("run0", 2, "start_update_query", solution, 120)], engine)
        while not running.done():
            ours += [lease for lease in live_leases(engine.port) if lease.name.startswith(f"{os.getpid()}-")]
            time.sleep(0.1)
    assert running.result()["run0"].failure is None
    assert ours, "no lease was held while the runs used the engine"
