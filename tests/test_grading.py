"""`grade` end to end, as a student runs it: reference solutions, stubs, correct variants."""

import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, run_grade, results_by_task
from grader import catalog
from grader.confinement import scratch_root

pytestmark = pytest.mark.spark
# Exercise 10 needs a Kafka broker: tests/kafka grades it.
EXERCISE_IDS = [e.id for e in catalog.EXERCISES.values() if not e.needs_kafka]


@pytest.fixture(scope="module")
def solutions_result():
    code, result, stderr = run_grade(*EXERCISE_IDS, "--submission", str(ROOT / "solutions"))
    assert result is not None, stderr
    return code, result


@pytest.fixture(scope="module")
def stubs_result():
    code, result, stderr = run_grade(*EXERCISE_IDS, "--submission", str(ROOT / "exercises"))
    assert result is not None, stderr
    return code, result


@pytest.mark.timeout(900)
def test_solutions_earn_full_marks(solutions_result):
    code, result = solutions_result
    failed = [t["name"] + ":\n" + t["output"] for t in result["tests"] if t["status"] != "passed"]
    assert not failed, "\n\n".join(failed)
    assert result["score"] == result["max_score"] > 0
    assert code == 0


@pytest.mark.timeout(900)
@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_every_exercise_is_graded(solutions_result, exercise):
    _, result = solutions_result
    graded = [t for t in result["tests"] if t["exercise"] == exercise]
    assert len(graded) == len(catalog.exercise(exercise).tasks)


@pytest.mark.timeout(900)
def test_stubs_earn_zero_with_a_clear_message(stubs_result):
    code, result = stubs_result
    assert code == 1
    assert result["score"] == 0
    for test in result["tests"]:
        assert test["status"] == "failed"
        assert "Not implemented yet" in test["output"], test["output"]


@pytest.mark.timeout(600)
def test_a_correct_answer_written_differently_earns_full_marks():
    code, result, stderr = run_grade("exercise-2", "--submission", str(SUBMISSIONS / "alternative"))
    assert result is not None, stderr
    assert [t["status"] for t in result["tests"]] == ["passed"] * 3, result
    assert code == 0


@pytest.mark.timeout(600)
def test_a_known_mistake_is_named_in_the_feedback():
    wrong = ROOT / "solutions" / "wrong_answers" / "exercise_02" / "complete_mode.py"
    code, result, _ = run_grade("exercise-2", "--submission", str(wrong))
    test = results_by_task(result)[("exercise-2", "start_update_query")]
    assert test["status"] == "failed" and test["mistake"] == "complete_mode"
    assert "Update mode writes only the words whose count changed" in test["output"]
    assert "After batch 2 of 3" in test["output"]  # batch 1 looks the same in both modes
    assert code == 1


@pytest.mark.timeout(60)
def test_a_missing_file_is_named_without_starting_spark(tmp_path):
    code, result, _ = run_grade("exercise-1", "--submission", str(tmp_path))
    assert code == 1
    assert result["output"].count("There is no file exercise_01_sql_recap.py") == 1, result["output"]
    assert "--submission" not in result["output"]  # batch feedback shows it too, where no option applies
    for test in result["tests"]:
        assert "could not be imported; see the note on exercise-1" in test["output"]


@pytest.mark.timeout(60)
def test_an_unknown_exercise_is_refused():
    code, result, stderr = run_grade("exercise-99")
    assert code == 2 and result is None
    assert "There is no exercise" in stderr and "exercise-1" in stderr


@pytest.mark.timeout(120)
def test_grade_all_names_every_missing_file(tmp_path):
    code, result, _ = run_grade("all", "--submission", str(tmp_path))
    assert code == 1
    assert len(result["tests"]) == sum(len(e.tasks) for e in catalog.EXERCISES.values())
    assert all("could not be imported" in t["output"] for t in result["tests"])
    assert all(f"There is no file {e.module_name}.py" in result["output"] for e in catalog.EXERCISES.values())


@pytest.mark.timeout(300)
def test_on_the_warm_engine_two_workers_grade_tasks_at_once(tmp_path):
    """Tasks are dealt to two workers working side by side; each task still gets its own result."""
    (tmp_path / "exercise_03_rate_source.py").write_text(
        "import time\n\n"
        "def with_parity(rate):\n    time.sleep(4)\n\n"
        "def parity_totals(rate):\n    time.sleep(4)\n\n"
        "def start_multiples_of_three(rate, query_name, checkpoint):\n    time.sleep(4)\n"
    )
    most, finished = 0, threading.Event()
    earlier = worker_jobs()  # another test's workers, still being torn down, are not this grading's

    def watch():
        nonlocal most
        while not finished.is_set():
            most = max(most, len(worker_jobs() - earlier))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        code, result, stderr = run_grade("exercise-3", "--submission", str(tmp_path))
    finally:
        finished.set()
        watcher.join()
    assert result is not None, stderr
    assert [t["status"] for t in result["tests"]] == ["failed"] * 3
    assert all("returned None" in t["output"] for t in result["tests"])
    assert most == 2


def worker_jobs() -> set[bytes]:
    """The running grading workers in this scratch root, one entry each (another checkout's
    gradings on the same machine are not counted). A lane's referee forks its worker, so a worker
    is a process with its parent's command line (the referee's, which names the lane's job); the
    worker's own short-lived children, forked and not yet exec'd, share it too and count once."""
    ours = str(scratch_root()).encode()
    commands, parents = {}, {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    return {command for pid, command in commands.items()
            if b"grader.referee.process" in command and ours in command
            and commands.get(parents.get(pid)) == command}


@pytest.mark.timeout(600)
def test_feedback_names_the_real_mistake_and_the_graded_file():
    submission = SUBMISSIONS / "misleading" / "exercise_02_streaming_word_count.py"
    code, result, stderr = run_grade("exercise-2", "--submission", str(submission))
    assert result is not None, stderr
    tests = results_by_task(result)
    assert "name the files' format" in tests[("exercise-2", "read_lines")]["output"]
    assert tests[("exercise-2", "streaming_word_count")]["mistake"] == "case_sensitive"
    builds = tests[("exercise-2", "start_update_query")]["output"]
    assert "This task builds on `streaming_word_count`, which failed too: fix that first" in builds, builds
    assert result["files"] == {"exercise-2": f"graded {submission.relative_to(ROOT)}"}  # run from ROOT
    assert code == 1


@pytest.mark.timeout(600)
def test_one_task_is_graded_with_the_tasks_it_builds_on():
    submission = SUBMISSIONS / "misleading" / "exercise_02_streaming_word_count.py"
    code, result, stderr = run_grade("exercise-2", "--task", "start_update_query", "--submission", str(submission))
    assert result is not None, stderr
    tests = results_by_task(result)
    assert set(tests) == {("exercise-2", "streaming_word_count"), ("exercise-2", "start_update_query")}
    builds = tests[("exercise-2", "start_update_query")]["output"]
    assert "This task builds on `streaming_word_count`, which failed too: fix that first" in builds, builds
    assert code == 1


@pytest.mark.timeout(60)
def test_a_task_the_exercise_does_not_have_is_refused():
    code, result, stderr = run_grade("exercise-2", "--task", "word_count")
    assert code == 2 and result is None
    assert "exercise-2 has no task 'word_count'. Its tasks are: read_lines, streaming_word_count" in stderr
