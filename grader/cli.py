"""The `grade` command.

    grade exercise-3                      grade your exercises/ folder
    grade exercise-3 --submission PATH    grade another folder of exercise modules, or one file
    grade exercise-3 --task NAME          one task, and the tasks it builds on
    grade exercise-3 --hidden             instructors: also run the hidden scenarios
    grade all                             every exercise
    grade batch SUBMISSIONS --out RESULTS grade a class: gradebook, exports, report.html
    grade batch ... --shard K/N           grade slice K of N of the class (one slice per machine)
    grade merge RESULTS... --out MERGED   join the slices' results into one gradebook, exports and report
    grade record [exercise-N ...]         store what the solutions and known mistakes produce
    grade verify [exercise-N ...]         prove solutions pass, known mistakes and parameter mutants are caught
    grade bundle OUT                      the student bundle: no solution code, no hidden scenario inside
    grade github solutions|classroom DIR  a GitHub Actions workflow for the course's or a student's repository
    grade generate [--check]              write (or check) the stubs and notebooks in exercises/
    grade new exercise-N "Title"          a new exercise that already grades: declaration, streams, solution
    grade engine start|stop|status        the warm Spark engine (started by grading when needed)
    grade cluster start|stop|status       a Spark standalone cluster on this machine (grade with --remote)
    grade kafka start|stop|status|...     a local Kafka broker for the Kafka exercises
    grade gradescope build|try            a Gradescope autograder zip, and a sandboxed trial run of it
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from grader import catalog, paths
from grader.batch.shards import ShardError
from grader.engine.server import EngineError
from grader.report.exports import VISIBILITIES


def _exercise_list(refs: list[str]) -> list:
    if not refs or refs == ["all"]:
        return list(catalog.EXERCISES.values())
    return [catalog.exercise(ref) for ref in refs]


def _default_submission(exercises: list) -> Path:
    """The current folder when it holds one of `exercises` (a module or a notebook), else its
    exercises/ folder, else the project's."""
    here = Path.cwd()
    if any((here / f"{e.module_name}{suffix}").is_file() for e in exercises for suffix in (".py", ".ipynb")):
        return here
    local = here / "exercises"
    return local if local.is_dir() else paths.EXERCISES


def _refused_in_bundle(verb: str) -> bool:
    """Instructor verbs work from solutions/, which a student's bundle does not have: say so."""
    if not paths.in_student_bundle():
        return False
    print(f"grade {verb}: this is a student's copy of the exercises (it has no solutions/ folder), and "
          f"`grade {verb}` is for instructors, who work from the solutions. To check your work, run "
          "`grade exercise-N`.", file=sys.stderr)
    return True


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.engine.server import engine_for
    from grader.grading import grade
    from grader.report.classroom import classroom_line
    from grader.report.text import render

    exercises = _exercise_list(args.targets)
    if args.task:
        if len(exercises) != 1:
            print("grade: --task names a task of one exercise: give exactly one exercise-N.", file=sys.stderr)
            return 2
        try:
            exercises = [exercises[0].narrowed_to(args.task)]
        except KeyError as error:
            print(f"grade: {error.args[0]}", file=sys.stderr)
            return 2
    submission = Path(args.submission) if args.submission else _default_submission(exercises)
    if not submission.exists():
        print(f"grade: {submission} does not exist. Pass --submission with your exercises folder or file.",
              file=sys.stderr)
        return 2
    if args.kafka:  # the grading's processes and the engine it may start inherit it
        os.environ["GRADER_KAFKA_BOOTSTRAP"] = args.kafka
    # The pictures cost a second or two of drawing: only for the outputs that show them.
    result = grade(exercises, submission, engine_for(args.remote or args.engine), timeout=args.timeout,
                   lanes=args.parallel, hidden=args.hidden, pictures=bool(args.json or args.picture))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    elif args.classroom:
        print(classroom_line(result))
    else:
        print(render(result, color=sys.stdout.isatty()))
    if args.picture:
        _write_picture(result, Path(args.picture))
    return exit_status(result)


def _write_picture(result, path: Path) -> None:
    """The pictures of the graded event-time tasks, one under the other, into `path`."""
    from grader.report.picture import stacked

    pictures = [task.picture for task in result.tasks if task.picture]
    if not pictures:
        print(f"grade: no picture written to {path}: none of the graded tasks is on event time "
              "(exercises 5, 6 and 9 are), or their queries failed before writing rows.", file=sys.stderr)
        return
    path.write_text(stacked(pictures), encoding="utf-8")
    print(f"The picture of your stream ({len(pictures)} task(s)) is in {path}: open it in a browser.",
          file=sys.stderr)


def exit_status(result) -> int:
    """0 at full marks, 1 when the submission lost points, 3 when the grader could not grade a task."""
    if not result.complete:
        return 3
    return 0 if result.full_marks else 1


def cmd_record(args: argparse.Namespace) -> int:
    from grader.authoring.record import RecordingError, record

    if _refused_in_bundle("record"):
        return 2
    for exercise in _exercise_list(args.exercises):
        try:
            written = record(exercise, Path(args.solutions) if args.solutions else None)
        except RecordingError as error:
            print(f"grade record: {error}", file=sys.stderr)
            return 1
        _say_recorded(exercise, written)
    return 0


def _say_recorded(exercise, written: list[Path]) -> None:
    print(f"recorded {exercise.id} → " + ", ".join(map(paths.shown, written)))


def cmd_verify(args: argparse.Namespace) -> int:
    from grader.authoring.verify import verify

    if _refused_in_bundle("verify"):
        return 2
    failed = False
    for exercise in _exercise_list(args.exercises):
        found = verify(exercise, Path(args.solutions) if args.solutions else None, with_mutants=args.mutants)
        failed = failed or bool(found.problems)
        status = "ok" if not found.problems else f"{len(found.problems)} problem(s)"
        print(f"{exercise.id}: {status}" + (f" ({found.mutants})" if args.mutants else ""), flush=True)
        for problem in found.problems:
            print(f"  - {problem}", flush=True)
    return 1 if failed else 0


def _say_refused(refused: dict[str, str], folder: Path, out: Path) -> None:
    """Tell the instructor, before grading starts, which entries will not be graded and why."""
    if not refused:
        return
    print(f"grade batch: {len(refused)} entr{'y' if len(refused) == 1 else 'ies'} of {folder} will not "
          f"be graded (also listed in {out / 'refused.json'} and the report):", file=sys.stderr)
    for entry, why in refused.items():
        print(f"  {entry}: {why}", file=sys.stderr)


def cmd_batch(args: argparse.Namespace) -> int:
    from grader.batch.runner import instructor_grade_args, run_batch
    from grader.batch.shards import WHOLE_CLASS, Shard
    from grader.batch.submissions import as_id, discover
    from grader.engine.server import engines_for_class
    from grader.confinement import unavailable_reason

    folder, out = Path(args.submissions), Path(args.out)
    shard = Shard.parse(args.shard) if args.shard else WHOLE_CLASS
    if not folder.is_dir():
        print(f"grade batch: {folder} is not a folder of submissions.", file=sys.stderr)
        return 2
    intake = discover(folder)
    _say_refused(intake.refused, folder, out)
    only = [as_id(student) for student in args.only or []]
    unknown = [student for student in only if student not in intake.students]
    if unknown:
        known = ", ".join(intake.students[:10]) + (", …" if len(intake.students) > 10 else "")
        print(f"grade batch: --only {' '.join(unknown)}: no student of {folder} has that id. An id is the "
              f"entry's name without .py, .ipynb or .zip; the ids are: {known or 'none'}.", file=sys.stderr)
        return 2
    unconfined = unavailable_reason()
    if unconfined:
        print(f"grade batch: warning: submissions will run unconfined ({unconfined}): they can read "
              "and write whatever you can.", file=sys.stderr)
    # Leased: the engines stay up between students too, however long the batch.
    exercises = _exercise_list(args.exercises)
    kafka = any(exercise.needs_kafka for exercise in exercises)
    with engines_for_class(args.remote or args.engine, max(1, args.workers), kafka) as slots:
        first = slots[0].engine
        finished = run_batch(intake, out, exercises, [instructor_grade_args(slot, args.timeout) for slot in slots],
                             args.submission_timeout, force=args.force, only=only, visibility=args.visibility,
                             engine=first.url if first.is_connect else "local", shard=shard)
    print(f"Gradebook: {out / 'gradebook.csv'}; report: {out / 'report.html'}", file=sys.stderr)
    return 0 if finished else 130


def cmd_merge(args: argparse.Namespace) -> int:
    from grader.batch.merge import merge

    out = Path(args.out)
    missing = merge([Path(folder) for folder in args.results], out)
    if missing:
        print(f"grade merge: slice(s) {', '.join(missing)} not given: the merged gradebook lacks their "
              "students.", file=sys.stderr)
    print(f"Gradebook: {out / 'gradebook.csv'}; report: {out / 'report.html'}", file=sys.stderr)
    return 1 if missing else 0


def cmd_cluster(args: argparse.Namespace) -> int:
    from grader.cluster.standalone import StandaloneCluster

    cluster = StandaloneCluster.from_env()
    if args.cluster_verb == "start":
        started = cluster.start()
        print(f"Spark cluster {'started' if started else 'already running'}: grade on it with "
              f"--remote {cluster.url} (master {cluster.master_url}; logs in {cluster.state_dir}).")
    elif args.cluster_verb == "stop":
        print("Spark cluster stopped." if cluster.stop() else "No Spark cluster was running.")
    else:
        running = cluster.running()
        print(f"Spark cluster {'running: --remote ' + cluster.url if running else 'not running'}.")
        return 0 if running else 1
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from grader.authoring.bundle import HiddenDataInBundle, build_bundle

    if _refused_in_bundle("bundle"):
        return 2
    try:
        files = build_bundle(Path(args.out))
    except HiddenDataInBundle as error:
        print(f"grade bundle: {error}", file=sys.stderr)
        return 1
    print(f"Student bundle: {len(files)} files in {args.out} (no solutions, no hidden scenarios).")
    return 0


def cmd_github(args: argparse.Namespace) -> int:
    from grader.github_workflows import install

    written = install(args.kind, Path(args.repository))
    print(f"wrote {written}")
    return 0


def cmd_engine(args: argparse.Namespace) -> int:
    from grader.engine.server import EngineServer

    server = EngineServer.from_env()
    if args.engine_verb == "start":
        started = server.start()
        print(f"Spark engine {'started' if started else 'already running'} at {server.url} "
              f"(stops after {server.idle_minutes:g} idle minutes; log: {server.log_file}).")
    elif args.engine_verb == "stop":
        print("Spark engine stopped." if server.stop() else "No Spark engine was running.")
    else:
        running = server.running()
        print(f"Spark engine {'running at ' + server.url if running else 'not running'}.")
        return 0 if running else 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from grader.authoring.record import RecordingError, record
    from grader.authoring.scaffold import ScaffoldError, new_exercise

    if _refused_in_bundle("new"):
        return 2
    try:
        exercise, written = new_exercise(args.exercise, args.title)
    except ScaffoldError as error:
        print(f"grade new: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {paths.shown(path)}")
    try:
        recorded = record(exercise)
    except RecordingError as error:
        print(f"grade new: {error}", file=sys.stderr)
        return 1
    _say_recorded(exercise, recorded)
    print(f"{exercise.id} grades: edit it from there, then `grade record {exercise.id}` and "
          f"`grade verify {exercise.id}` (see 'Writing an exercise' in the README).")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from grader.authoring.notebooks import generate_notebooks, stale_notebooks
    from grader.authoring.stubs import generate_stubs, stale_stubs

    if paths.in_student_bundle() and not args.force:
        print("grade generate: this is a student's copy of the exercises (it has no solutions/ folder): "
              "generating would replace your answers in exercises/ and its notebooks with blank stubs. "
              "To start every exercise over, losing those answers, run `grade generate --force`.",
              file=sys.stderr)
        return 2
    if args.check:
        stale = stale_stubs() + stale_notebooks()
        for path in stale:
            print(f"out of date: {path.relative_to(paths.PROJECT_ROOT)} (run `grade generate`)")
        return 1 if stale else 0
    for path in generate_stubs() + generate_notebooks():
        print(f"wrote {path.relative_to(paths.PROJECT_ROOT)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade PySpark Structured Streaming exercises on deterministic fixture streams.",
        epilog="Examples: grade exercise-2 | grade exercise-2 --submission solutions | grade all --json",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="exercise-N | all | batch | merge | record | verify | generate | new | bundle | github | engine | cluster | kafka | gradescope")

    record = verbs.add_parser("record", help="store the outcomes of the solutions and known mistakes")
    record.add_argument("exercises", nargs="*", help="exercise-N ... (default: all)")
    record.add_argument("--solutions", help="folder of reference solutions (default: solutions/)")
    record.set_defaults(handler=cmd_record)

    verify = verbs.add_parser("verify", help="check that the solutions pass and every known mistake is caught")
    verify.add_argument("exercises", nargs="*", help="exercise-N ... (default: all)")
    verify.add_argument("--solutions", help="folder of reference solutions (default: solutions/)")
    verify.add_argument("--no-mutants", dest="mutants", action="store_false",
                        help="skip grading the parameter mutants of each reference (faster, proves less)")
    verify.set_defaults(handler=cmd_verify)

    generate = verbs.add_parser("generate", help="write the student stubs and notebooks from the declarations")
    generate.add_argument("--check", action="store_true", help="only report stubs that are out of date")
    generate.add_argument("--force", action="store_true",
                          help="in a student's bundle: overwrite your exercises with blank stubs")
    generate.set_defaults(handler=cmd_generate)

    new = verbs.add_parser("new", help="scaffold a new exercise that already grades, to edit from")
    new.add_argument("exercise", metavar="exercise-N", help="the new exercise's number, as exercise-N")
    new.add_argument("title", help="its title, as students read it (its files are named after it)")
    new.set_defaults(handler=cmd_new)

    batch = verbs.add_parser("batch", help="grade a folder of student submissions into a gradebook")
    batch.add_argument("submissions", help="a folder with one entry per student: folder, .py, .ipynb or .zip")
    batch.add_argument("--out", required=True, help="the results folder (gradebook, exports, report)")
    batch.add_argument("--exercises", nargs="*", default=[], help="exercise-N ... (default: all)")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    batch.add_argument("--force", action="store_true", help="regrade every student")
    batch.add_argument("--only", nargs="+", metavar="ID", help="(re)grade only these students")
    batch.add_argument("--timeout", type=float,
                       help="machine seconds each task may go without progress (default: from its reference's time)")
    batch.add_argument("--submission-timeout", type=float, default=900, help="seconds per submission (default 900)")
    batch.add_argument("--engine", choices=["auto", "local"], help="as for grading one exercise")
    batch.add_argument("--remote", metavar="sc://HOST:PORT", help="grade on a running Spark Connect server")
    batch.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                       help="when Gradescope shows students their results.json (default: visible)")
    batch.add_argument("--shard", metavar="K/N",
                       help="grade only slice K of N of the class (by a hash of each id); `grade merge` joins the slices")
    batch.set_defaults(handler=cmd_batch)

    merge = verbs.add_parser("merge", help="join the results folders of a class's slices into one")
    merge.add_argument("results", nargs="+", help="results folders of `grade batch --shard K/N`")
    merge.add_argument("--out", required=True, help="the merged results folder")
    merge.set_defaults(handler=cmd_merge)

    bundle = verbs.add_parser("bundle", help="build what students receive: everything but the solutions")
    bundle.add_argument("out", help="the folder to write (emptied first; outside the project)")
    bundle.set_defaults(handler=cmd_bundle)

    github = verbs.add_parser("github", help="write a GitHub Actions workflow into a repository")
    github.add_argument("kind", choices=["solutions", "classroom"],
                        help="solutions: grade verify on the course's solutions branch; classroom: grade "
                             "a student's push and report the score to GitHub Classroom")
    github.add_argument("repository", help="the repository's folder (the workflow goes in .github/workflows/)")
    github.set_defaults(handler=cmd_github)

    engine = verbs.add_parser("engine", help="the warm Spark engine that gradings share")
    engine.add_argument("engine_verb", choices=["start", "stop", "status"])
    engine.set_defaults(handler=cmd_engine)

    cluster = verbs.add_parser("cluster", help="a Spark standalone cluster on this machine, graded on with --remote")
    cluster.add_argument("cluster_verb", choices=["start", "stop", "status"])
    cluster.set_defaults(handler=cmd_cluster)

    from grader.kafka.cli import add_kafka_commands

    add_kafka_commands(verbs)
    from grader.gradescope.cli import add_gradescope_commands

    add_gradescope_commands(verbs)
    return parser


def grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade", description="Grade one exercise, or all of them.")
    parser.add_argument("targets", nargs="+", metavar="exercise-N", help="exercise-N ... or all")
    parser.add_argument("--submission",
                        help="a folder of exercise modules or notebooks, or one file (default: the current "
                             "folder if it holds the exercise, else ./exercises); in a folder holding an "
                             "exercise twice, the newer file is graded")
    parser.add_argument("--task", metavar="NAME",
                        help="grade only this task of the exercise (and the tasks it builds on)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (Gradescope's shape)")
    parser.add_argument("--picture", metavar="FILE.svg",
                        help="also draw each event-time task's stream, batch by batch, into this SVG file")
    parser.add_argument("--classroom", action="store_true",
                        help="print the result as GitHub Classroom's grading reporter reads it (one base64 "
                             "line; see grade github classroom)")
    parser.add_argument("--timeout", type=float,
                        help="machine seconds each task may go without progress (default: from its reference's time)")
    parser.add_argument("--engine", choices=["auto", "local"],
                        help="auto: the warm local engine, started when needed (default); "
                             "local: a fresh Spark inside the grading process")
    parser.add_argument("--remote", metavar="sc://HOST:PORT", help="grade on a running Spark Connect server")
    parser.add_argument("--kafka", metavar="HOST:PORT",
                        help="the Kafka broker of the Kafka tasks (default: $GRADER_KAFKA_BOOTSTRAP, else "
                             "the local broker of `grade kafka start`)")
    parser.add_argument("--hidden", action="store_true",
                        help="instructors: also run each task's hidden scenarios (needs fixtures/hidden, "
                             "which students do not have); a task then passes only on every scenario")
    parser.add_argument("--parallel", type=int, metavar="N",
                        help="tasks graded at once (default: 2 on a Spark Connect engine, 1 on a local one)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and (argv[0] == "all" or argv[0].startswith("exercise")):
            return cmd_grade(grade_parser().parse_args(argv))
        args = build_parser().parse_args(argv)
        if not getattr(args, "handler", None):
            build_parser().print_help()
            return 2
        return args.handler(args)
    except (catalog.UnknownExercise, catalog.DeclarationError) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except (EngineError, paths.ForeignFolder) as error:  # the grader could not grade: exit_status's 3, not a student's lost points
        print(f"grade: {error}", file=sys.stderr)
        return 3
    except ShardError as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grade: interrupted.", file=sys.stderr)
        return 130
