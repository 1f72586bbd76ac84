"""`grade verify`: fresh runs match the stored expectations, every known mistake is caught with
its own message, and a broken solution or an uncaught mistake is reported."""

import shutil

import pytest

from grader import catalog, paths
from grader.authoring.verify import verify
from grader.sandbox.supervisor import Run, WorkerPool

pytestmark = pytest.mark.spark


@pytest.mark.timeout(900)
@pytest.mark.parametrize("exercise", [e for e in catalog.EXERCISES.values() if not e.needs_kafka],
                         ids=lambda e: e.id)  # exercise 10 is verified in tests/kafka
def test_reference_passes_and_every_known_mistake_is_caught(exercise):
    assert verify(exercise) == []


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
    problems = verify(exercise, solutions=solutions, wrong_answers=wrong_answers)
    assert any("start_multiples_of_three: the reference solution fails its own check" in p for p in problems), problems
    assert any("wrong answer total_counts_rows passes the check" in p for p in problems), problems


@pytest.mark.timeout(600)
def test_the_same_scenario_twice_gives_identical_snapshots():
    solution = paths.SOLUTIONS / "exercise_02_streaming_word_count.py"
    runs = [Run(f"run{i}", 2, task, solution, 120) for i, task in enumerate(["start_update_query"] * 2)]
    with WorkerPool(runs, {"kind": "local"}) as pool:
        first, second = pool.outcome("run0"), pool.outcome("run1")
    assert first.failure is None and len(first.snapshots) == 3
    canonical = [[sorted(map(repr, s.rows)) for s in o.snapshots] for o in (first, second)]
    assert canonical[0] == canonical[1]
