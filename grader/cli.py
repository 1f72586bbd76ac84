"""The `grade` command.

    grade exercise-3                      grade your exercises/ folder
    grade exercise-3 --submission PATH    grade another folder of exercise modules, or one file
    grade all                             every exercise
    grade record [exercise-N ...]         store what the solutions and known mistakes produce
    grade generate [--check]              write (or check) the stubs in exercises/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader import catalog, paths


def _exercise_list(refs: list[str]) -> list:
    if not refs or refs == ["all"]:
        return list(catalog.EXERCISES.values())
    return [catalog.exercise(ref) for ref in refs]


def _default_submission() -> Path:
    local = Path.cwd() / "exercises"
    return local if local.is_dir() else paths.EXERCISES


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.grading import grade
    from grader.report.text import render

    exercises = _exercise_list([args.target])
    submission = Path(args.submission) if args.submission else _default_submission()
    if not submission.exists():
        print(f"grade: {submission} does not exist. Pass --submission with your exercises folder or file.",
              file=sys.stderr)
        return 2
    result = grade(exercises, submission)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(render(result, color=sys.stdout.isatty()))
    return 0 if result.full_marks else 1


def cmd_record(args: argparse.Namespace) -> int:
    from grader.authoring.record import RecordingError, record

    for exercise in _exercise_list(args.exercises):
        try:
            path = record(exercise, Path(args.solutions) if args.solutions else None)
        except RecordingError as error:
            print(f"grade record: {error}", file=sys.stderr)
            return 1
        print(f"recorded {exercise.id} → {path.relative_to(paths.PROJECT_ROOT)}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from grader.authoring.stubs import generate_stubs, stale_stubs

    if args.check:
        stale = stale_stubs()
        for path in stale:
            print(f"out of date: {path.relative_to(paths.PROJECT_ROOT)} (run `grade generate`)")
        return 1 if stale else 0
    for path in generate_stubs():
        print(f"wrote {path.relative_to(paths.PROJECT_ROOT)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade PySpark Structured Streaming exercises on deterministic fixture streams.",
        epilog="Examples: grade exercise-2 | grade exercise-2 --submission solutions | grade all --json",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="exercise-N | all | record | generate")

    record = verbs.add_parser("record", help="store the outcomes of the solutions and known mistakes")
    record.add_argument("exercises", nargs="*", help="exercise-N ... (default: all)")
    record.add_argument("--solutions", help="folder of reference solutions (default: solutions/)")
    record.set_defaults(handler=cmd_record)

    generate = verbs.add_parser("generate", help="write the student stubs from the declarations")
    generate.add_argument("--check", action="store_true", help="only report stubs that are out of date")
    generate.set_defaults(handler=cmd_generate)
    return parser


def grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade", description="Grade one exercise, or all of them.")
    parser.add_argument("target", help="exercise-N or all")
    parser.add_argument("--submission", help="a folder of exercise modules, or one file (default: ./exercises)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (Gradescope's shape)")
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
    except catalog.UnknownExercise as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grade: interrupted.", file=sys.stderr)
        return 130
