"""The exercise declarations are consistent, and everything derived from them is in sync."""

import ast
from dataclasses import replace

import pytest

from grader import catalog, paths
from grader.authoring.record import mistake_file
from grader.authoring.stubs import stale_stubs, stub_path
from grader.authoring.verify import declaration_problems
from grader.judge.expected import expectation_for
from grader.spec import FolderOf, KafkaStreamOf, StaticOf, StreamOf, TopicOf, load_scenario

EXERCISES = list(catalog.EXERCISES.values())
TASKS = [pytest.param(e, t, id=f"{e.id}::{t.name}") for e in EXERCISES for t in e.tasks]


def test_exercises_are_numbered_from_one():
    assert list(catalog.EXERCISES) == list(range(1, len(EXERCISES) + 1))


def test_stubs_are_generated_from_the_declarations():
    assert stale_stubs() == [], "run `grade generate`"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_stub_raises_not_implemented_and_is_documented(exercise):
    tree = ast.parse(stub_path(exercise).read_text())
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert list(functions) == [t.name for t in exercise.tasks]
    for function in functions.values():
        assert ast.get_docstring(function)
        assert isinstance(function.body[-1], ast.Raise)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_solutions_mirror_the_stubs(exercise):
    solution = paths.SOLUTIONS / f"{exercise.module_name}.py"
    defined = {f.name for f in ast.parse(solution.read_text()).body if isinstance(f, ast.FunctionDef)}
    assert {t.name for t in exercise.tasks} <= defined


@pytest.mark.parametrize("exercise, task", TASKS)
def test_task_inputs_name_streams_of_its_scenario(exercise, task):
    scenario = load_scenario(task.scenario)
    for kind in task.params.values():
        if isinstance(kind, (StreamOf, StaticOf, FolderOf, TopicOf, KafkaStreamOf)):
            assert kind.stream in scenario.streams


@pytest.mark.parametrize("exercise, task", TASKS)
def test_every_task_has_a_wrong_answer_on_file(exercise, task):
    assert task.mistakes, "a check no wrong answer fails proves nothing"
    for mistake in task.mistakes:
        assert mistake_file(exercise, mistake.id).is_file()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_task_has_a_wrong_answer_and_a_hidden_scenario(exercise):
    assert declaration_problems(exercise) == []


def test_a_task_without_a_hidden_scenario_is_reported():
    exercise = catalog.exercise(3)
    unguarded = replace(exercise.task("parity_totals"), hidden_scenarios=())
    problems = declaration_problems(replace(exercise, tasks=(unguarded,)))
    assert len(problems) == 1, problems
    assert problems[0].startswith("exercise-3 / parity_totals: no hidden scenario, so an answer that serves the public")
    assert "name it in the task's `hidden_scenarios`, and run `grade record exercise-3`" in problems[0]


@pytest.mark.parametrize("exercise, task", TASKS)
def test_expected_results_are_recorded_for_the_current_declaration(exercise, task):
    expected = expectation_for(exercise, task)  # raises when stale
    assert expected.reference.failure is None
    assert set(expected.mistakes) == {m.id for m in task.mistakes}
