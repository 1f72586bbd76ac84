"""The `gradescope` command: build the autograder zip Gradescope takes, and try it here.

    grade gradescope build autograder.zip [--exercises exercise-2 ...] [--visibility ...]
    grade gradescope try autograder.zip SUBMISSION [--prepared DIR]

`add_gradescope_commands` plugs it into the main command line; every verb sets
`handler(args) -> exit code` on the namespace, the dispatch convention of `grader.cli`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from grader import catalog
from grader.report.exports import VISIBILITIES


def add_gradescope_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the `gradescope` sub-command and its verbs."""
    parser = subparsers.add_parser(
        "gradescope", help="build a Gradescope autograder zip, and try it in a sandbox",
        description="Build the autograder zip Gradescope takes, and run it here as Gradescope would.")
    verbs = parser.add_subparsers(dest="gradescope_verb", required=True, metavar="VERB")

    build = verbs.add_parser("build", help="write the autograder zip (grader, pinned dependencies, fixtures)")
    build.add_argument("out", type=Path, help="the zip to write, e.g. autograder.zip")
    build.add_argument("--exercises", nargs="*", default=[], help="exercise-N ... (default: all)")
    build.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                       help="when students see their results (default: visible); each task's own "
                            "visibility applies within it")
    build.add_argument("--stdout-visibility", choices=VISIBILITIES, default="hidden",
                       help="when students see the autograder's log (default: hidden: it is the "
                            "instructor's, with Spark's messages)")
    build.add_argument("--timeout", type=float, help="machine seconds each task may go without progress (default: from its reference's time)")
    build.add_argument("--submission-timeout", type=float, default=900,
                       help="seconds a submission may take in all (default 900; set Gradescope's "
                            "own limit above it)")
    build.set_defaults(handler=_build)

    run = verbs.add_parser("try", help="run the zip as Gradescope would, in a bubblewrap sandbox, "
                                       "and print results.json")
    run.add_argument("zip", type=Path, help="an autograder zip from `grade gradescope build`")
    run.add_argument("submission", type=Path, help="what a student would upload: a folder, .py, .ipynb or .zip")
    run.add_argument("--prepared", type=Path,
                     help="keep the set-up autograder here and reuse it while the zip is the same "
                          "(default: set up afresh in a temporary folder)")
    run.add_argument("--results", type=Path, help="also copy results/ (results.json) into this folder")
    run.set_defaults(handler=_try)


def _build(args: argparse.Namespace) -> int:
    from grader.gradescope.build import BuildError, build_autograder

    exercises = [catalog.exercise(ref) for ref in args.exercises] or list(catalog.EXERCISES.values())
    try:
        names = build_autograder(args.out, exercises, args.visibility, args.stdout_visibility,
                                 args.submission_timeout, args.timeout)
    except BuildError as error:
        print(f"grade gradescope build: {error}", file=sys.stderr)
        return 1
    print(f"Autograder: {args.out} ({len(names)} files; exercises {', '.join(e.id for e in exercises)}). "
          "Upload it to a Gradescope programming assignment; try it first with "
          f"`grade gradescope try {args.out} SUBMISSION`.")
    return 0


def _try(args: argparse.Namespace) -> int:
    from grader.gradescope import results_problems
    from grader.gradescope.trial import SandboxError, prepare, run_autograder, unavailable_reason

    for path in (args.zip, args.submission):
        if not path.exists() and not path.is_symlink():
            print(f"grade gradescope try: {path} does not exist.", file=sys.stderr)
            return 2
    reason = unavailable_reason()
    if reason:
        print(f"grade gradescope try: {reason}.", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="gradescope-try-") as scratch:
        prepared = args.prepared.resolve() if args.prepared else Path(scratch) / "prepared"
        started = time.monotonic()
        try:
            setup = prepare(args.zip.resolve(), prepared)
        except SandboxError as error:
            print(f"grade gradescope try: {error}", file=sys.stderr)
            return 2
        if setup is not None:
            print(f"setup.sh: exit status {setup.status} in {time.monotonic() - started:.0f} s.", file=sys.stderr)
            if setup.status != 0:
                print(setup.output[-4000:], file=sys.stderr)
                return 1
        started = time.monotonic()
        results = args.results or Path(scratch) / "results"
        graded = run_autograder(prepared, args.submission.absolute(), results)
        print(f"run_autograder: exit status {graded.status} in {time.monotonic() - started:.0f} s.", file=sys.stderr)
        produced = results / "results.json"
        if not produced.is_file():
            print(f"run_autograder wrote no results.json; its output:\n{graded.output[-4000:]}", file=sys.stderr)
            return 1
        data = json.loads(produced.read_text())
    print(json.dumps(data, indent=2))
    problems = results_problems(data)
    for problem in problems:
        print(f"results.json departs from Gradescope's specification: {problem}", file=sys.stderr)
    return 1 if problems else 0
