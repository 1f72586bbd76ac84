"""Grade many submissions: each in its own `grade` process, several at once, each bounded in
time and killed with everything it started when over, each result stored as it finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from grader import outcome as kinds
from grader.batch.store import Gradebook
from grader.batch.submissions import Submission, discover
from grader.report.exports import write_atomically, write_exports
from grader.report.html import render_html
from grader.report.model import GradeResult, TaskResult
from grader.spec import Exercise


def exercises_of(submission: Submission, exercises: list[Exercise]) -> list[Exercise]:
    """A single file named after one exercise's module is that exercise; anything else, all."""
    if submission.path.is_file():
        named = [e for e in exercises if submission.path.stem == e.module_name]
        return named or exercises
    return exercises


def failed_result(submission: Submission, exercises: list[Exercise], why: str, seconds: float,
                  kind: str = kinds.NOT_GRADED) -> GradeResult:
    """Every task failed for one reason: the submission's own (`kinds.LOAD`) or the grader's."""
    tasks = [
        TaskResult(e.id, t.name, t.title, 0, t.points, why, t.concept, failure=kind)
        for e in exercises
        for t in e.tasks
    ]
    return GradeResult(str(submission.path), tasks, seconds)


def grading_command(submission: Submission, exercises: list[Exercise], engine_args: list[str]) -> list[str]:
    """The `grade` command line that grades one submission and prints its result as JSON."""
    return [sys.executable, "-m", "grader", *[e.id for e in exercises],
            "--submission", str(submission.path), "--json", *engine_args]


def grade_one(submission: Submission, exercises: list[Exercise], engine_args: list[str],
              time_limit: float, workdir: Path) -> GradeResult:
    """Run `grade ... --json` on one submission in a process group of its own."""
    exercises = exercises_of(submission, exercises)
    started = time.monotonic()
    if submission.problem:
        return failed_result(submission, exercises, submission.problem, 0.0, kinds.LOAD)
    command = grading_command(submission, exercises, engine_args)
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{submission.student}.log"
    with open(log, "wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=time_limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return failed_result(submission, exercises,
                                 f"Grading this submission took longer than {time_limit:.0f} s, so it "
                                 "was stopped.", time.monotonic() - started)
    try:
        return GradeResult.from_dict(json.loads(output))
    except (json.JSONDecodeError, KeyError):
        detail = log.read_text(errors="replace")[-800:]
        return failed_result(submission, exercises,
                             f"The grader could not grade this submission:\n{detail}",
                             time.monotonic() - started)


def grade_all(submissions: list[Submission], exercises: list[Exercise], gradebook: Gradebook,
              engine_args: list[str], workers: int, time_limit: float, workdir: Path) -> None:
    """Grade `submissions` with `workers` at a time, saving each result as soon as it is known."""
    if not submissions:
        return
    passed = failed = 0
    with tqdm(total=len(submissions), unit="student", file=sys.stderr, dynamic_ncols=True) as progress, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(grade_one, s, exercises, engine_args, time_limit, workdir): s for s in submissions
        }
        for future in as_completed(futures):
            submission = futures[future]
            result = future.result()
            gradebook.save(submission.student, result)
            passed += result.full_marks
            failed += not result.full_marks
            progress.set_postfix_str(f"full marks {passed}, not {failed}, last {submission.student}")
            progress.update()


def run_batch(folder: Path, out: Path, exercises: list[Exercise], grade_args: list[str], workers: int,
              time_limit: float, force: bool = False, only: list[str] | None = None,
              visibility: str = "visible") -> dict[str, GradeResult]:
    """Grade what is missing from the gradebook in `out` (or `only` these students, or all when
    `force`), then write every export from the whole gradebook."""
    submissions = discover(folder, out / ".unpacked")
    gradebook = Gradebook(out / "gradebook.sqlite")
    try:
        done = set() if force else gradebook.graded()
        pending = [s for s in submissions if (s.student in only if only else s.student not in done)]
        print(f"{len(submissions)} submission(s): {len(pending)} to grade, "
              f"{len(submissions) - len(pending)} kept from the gradebook.", file=sys.stderr)
        grade_all(pending, exercises, gradebook, grade_args, workers, time_limit, out / ".logs")
        stored = gradebook.results()
    finally:
        gradebook.close()
    results = {s.student: stored[s.student] for s in submissions if s.student in stored}
    write_exports(results, [e.id for e in exercises], out, visibility)
    write_atomically(out / "report.html", render_html(results))
    return results
