"""Grade many submissions: each in its own `grade` process, several at once, each bounded in
time and killed with everything it started when over, each result stored as it finishes.

The batch's main thread starts every grading process, so each can die with the batch
(`die_with_parent`): a batch killed -9 leaves none behind. Ctrl-C starts no one more, kills
those running, and keeps every result already stored.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from grader import outcome as kinds
from grader import paths
from grader.batch.archives import UnsafeArchive
from grader.batch.shards import WHOLE_CLASS, BatchRecord, Shard, ShardError
from grader.batch.similarity import near_identical
from grader.batch.store import Gradebook
from grader.batch.submissions import Intake, Submission, unpacked
from grader.lifecycle import die_with_parent
from grader.report.exports import write_atomically, write_exports
from grader.report.html import render_html
from grader.report.model import NOT_RUN, BatchRun, GradeResult, TaskResult
from grader.spec import Exercise

if TYPE_CHECKING:
    from grader.engine.server import GradingSlot

POLL_SECONDS = 0.1
# Scratch: unpacked zips, and each grading's output (<id>.json) and errors (<id>.log).
UNPACKED, LOGS = ".unpacked", ".logs"


def exercises_of(submission: Submission, exercises: list[Exercise]) -> list[Exercise]:
    """A single file named after one exercise's module is that exercise; anything else, all."""
    if submission.path.is_file():
        named = [e for e in exercises if submission.path.stem == e.module_name]
        return named or exercises
    return exercises


def failed_result(submission: Submission, exercises: list[Exercise], why: str, seconds: float,
                  kind: str = kinds.NOT_GRADED) -> GradeResult:
    """Every task failed for one reason: the submission's own (`kinds.LOAD`) or the grader's,
    said once in the notes; each task points there."""
    tasks = [
        TaskResult(e.id, t.name, t.title, 0, t.points, f"{NOT_RUN}see the note on this submission below the tasks.",
                   t.concept, failure=kind)
        for e in exercises
        for t in e.tasks
    ]
    return GradeResult(str(submission.path), tasks, seconds, [why])


def instructor_grade_args(slot: GradingSlot, timeout: float | None = None) -> list[str]:
    """The `grade` options of instructor grading in `slot`: every task on its hidden scenarios
    too, one task at a time (submissions are graded side by side already)."""
    args = ["--parallel", "1", "--hidden"]
    args += ["--remote", slot.engine.url] if slot.engine.is_connect else ["--engine", "local"]
    args += ["--kafka", slot.kafka_bootstrap] if slot.kafka_bootstrap else []
    return args + (["--timeout", str(timeout)] if timeout else [])


def grading_command(submission: Submission, exercises: list[Exercise], engine_args: list[str]) -> list[str]:
    """The `grade` command line that grades one submission and prints its result as JSON."""
    return [sys.executable, "-m", "grader", *[e.id for e in exercises],
            "--submission", str(submission.path), "--json", *engine_args]


@dataclass(frozen=True)
class Grading:
    """One student's `grade` process, running in a process group of its own."""

    submission: Submission
    exercises: list[Exercise]
    process: subprocess.Popen
    slot: int  # which of the batch's engines it grades on
    output: Path  # its stdout: the result as JSON
    log: Path     # its stderr
    started: float

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> None:
        """Kill it and everything it started."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def result(self, time_limit: float) -> GradeResult:
        """What it printed once it ended, or why there is nothing to read (killed when over
        `time_limit`, or no result printed)."""
        if self.process.poll() is None:
            self.stop()
            return failed_result(self.submission, self.exercises,
                                 f"Grading this submission took longer than {time_limit:.0f} s, so it "
                                 "was stopped.", self.seconds())
        try:
            return GradeResult.from_dict(json.loads(self.output.read_text()))
        except (json.JSONDecodeError, KeyError):
            detail = self.log.read_text(errors="replace")[-800:]
            return failed_result(self.submission, self.exercises,
                                 f"The grader could not grade this submission:\n{detail}", self.seconds())


def start(submission: Submission, exercises: list[Exercise], engine_args: list[str], slot: int,
          unpack_to: Path, workdir: Path) -> Grading | GradeResult:
    """Start grading `submission` (unpacked first if zipped), or its result when it cannot be
    graded at all (an unsafe zip)."""
    try:
        submission = unpacked(submission, unpack_to)
    except UnsafeArchive as refusal:
        return failed_result(submission, exercises_of(submission, exercises), str(refusal), 0.0, kinds.LOAD)
    except OSError as error:
        return failed_result(submission, exercises_of(submission, exercises),
                             f"The grader could not unpack this submission: {error}", 0.0)
    exercises = exercises_of(submission, exercises)
    output, log = workdir / f"{submission.student}.json", workdir / f"{submission.student}.log"
    with open(output, "wb") as stdout, open(log, "wb") as stderr:
        process = subprocess.Popen(grading_command(submission, exercises, engine_args), stdout=stdout,
                                   stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True, env={**os.environ, **paths.COURSE},
                                   preexec_fn=die_with_parent)
    return Grading(submission, exercises, process, slot, output, log, time.monotonic())


@contextmanager
def ctrl_c_noted():
    """Inside, Ctrl-C (or SIGTERM, as a scheduler or `kill` sends) sets the event yielded instead
    of ending the batch wherever it happens to be, so the batch stops where nothing is half done."""
    noted = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: noted.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield noted
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def grade_all(submissions: list[Submission], exercises: list[Exercise], gradebook: Gradebook,
              slots: list[list[str]], time_limit: float, unpack_to: Path, workdir: Path) -> bool:
    """Grade `submissions`, one at a time in each of `slots` (the `grade` options of each: its
    own engine, see `instructor_grade_args`), saving each result as soon as it is known. False
    when Ctrl-C cut it short."""
    if not submissions:
        return True
    waiting, running = deque(submissions), []
    saved = full_marks = 0
    workdir.mkdir(parents=True, exist_ok=True)
    with tqdm(total=len(submissions), unit="student", file=sys.stderr, dynamic_ncols=True) as progress, \
            ctrl_c_noted() as interrupted:

        def save(student: str, result: GradeResult) -> None:
            nonlocal saved, full_marks
            gradebook.save(student, result)
            saved, full_marks = saved + 1, full_marks + result.full_marks
            progress.set_postfix_str(f"full marks {full_marks}, not {saved - full_marks}, last {student}")
            progress.update()

        while (waiting or running) and not interrupted.is_set():
            while waiting and len(running) < len(slots) and not interrupted.is_set():
                submission = waiting.popleft()
                slot = min(set(range(len(slots))) - {g.slot for g in running})
                grading = start(submission, exercises, slots[slot], slot, unpack_to, workdir)
                if isinstance(grading, GradeResult):
                    save(submission.student, grading)
                else:
                    running.append(grading)
            for grading in [g for g in running if g.process.poll() is not None or g.seconds() > time_limit]:
                running.remove(grading)
                save(grading.submission.student, grading.result(time_limit))
            time.sleep(POLL_SECONDS)
        for grading in running:
            grading.stop()
    if interrupted.is_set():
        print(f"grade batch: interrupted. {saved} result(s) saved in this run are kept; {len(running)} "
              f"grading(s) under way were stopped and {len(waiting)} not started. Run the same command "
              "again to grade the rest.", file=sys.stderr)
    return not interrupted.is_set()


def clear_leftovers(out: Path, stored: set[str]) -> None:
    """Remove what a killed run left in `out`: unpacked zips, and the output and logs of the
    gradings that stored no result (those of `stored` students are kept for the instructor)."""
    shutil.rmtree(out / UNPACKED, ignore_errors=True)
    for leftover in (out / LOGS).glob("*"):
        if leftover.stem not in stored:
            leftover.unlink()


def run_batch(intake: Intake, out: Path, exercises: list[Exercise], slots: list[list[str]], time_limit: float, force: bool = False, only: list[str] | None = None,
              visibility: str = "visible", engine: str = "local", shard: Shard = WHOLE_CLASS) -> bool:
    """Grade what is missing from the gradebook in `out` (or `only` these students, or all when
    `force`) among the `shard`'s students on `engine` (its URL, or "local"), then write every export from the whole gradebook.
    False when interrupted; ShardError when `out` holds another slice or another batch's grades."""
    submissions = [s for s in intake.submissions if shard.holds(s.student)]
    record = BatchRecord.of_this_grader([e.id for e in exercises], visibility, shard, engine)
    previous = BatchRecord.read(out)
    refusal = previous and previous.resumable_as(record)
    if refusal and not (force and previous.shard == record.shard):
        raise ShardError(f"The results folder {out} cannot be continued: {refusal}.")
    record.write(out)
    gradebook = Gradebook(out / "gradebook.sqlite")
    try:
        clear_leftovers(out, set(gradebook.results()))
        done = set() if force else gradebook.graded()
        pending = [s for s in submissions if (s.student in only if only else s.student not in done)]
        print(f"{len(submissions)} submission(s): {len(pending)} to grade, "
              f"{len(submissions) - len(pending)} kept from the gradebook.", file=sys.stderr)
        finished = grade_all(pending, exercises, gradebook, slots, time_limit, out / UNPACKED, out / LOGS)
        stored = gradebook.results()
    finally:
        gradebook.close()
    results = {student: stored[student] for student in sorted(s.student for s in submissions) if student in stored}
    write_class_exports(results, intake.refused, record, out, [s for s in submissions if s.student in results])
    return finished


def write_class_exports(results: dict[str, GradeResult], refused: dict[str, str], record: BatchRecord,
                        out: Path, compared: list[Submission]) -> None:
    """Every export of a class's `results` in `out` (a batch's, or merged slices'), and its record;
    the report flags near-identical code among the `compared` submissions."""
    write_exports(results, record.exercises, out, record.visibility)
    write_atomically(out / "refused.json", json.dumps(refused, indent=2, ensure_ascii=False) + "\n")
    feedback_pages = {student for student in results if (out / student / "feedback.html").is_file()}
    run = BatchRun(datetime.now(timezone.utc).isoformat(timespec="seconds"), record.grader_version,
                   record.pyspark_version, record.exercises, record.engine)
    write_atomically(out / "report.html", render_html(results, refused, run, near_identical(compared), feedback_pages))
    dataclasses.replace(record, students=list(results)).write(out)
