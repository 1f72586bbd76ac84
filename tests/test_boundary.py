"""The process and trust boundary, as the layout shows it: the student side (`grader.sandbox`,
and `grader.check` and `grader.kernel_session`, which run in the student's own notebook kernel)
is imported by nothing else, and the grading parent (every module but the referee's run, the
student side and the engine's session) imports no Spark."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import grader

PACKAGE = Path(grader.__file__).parent
STUDENT_SIDE = ("grader.sandbox", "grader.check", "grader.kernel_session")
# Modules that run in a process with Spark: the student's worker, the referee, and what they share.
SPARK_SIDE = (*STUDENT_SIDE, "grader.referee.run", "grader.referee.process", "grader.referee.results",
              "grader.referee.sinks", "grader.referee.kafka_topics", "grader.engine.session")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_nothing_outside_the_student_side_imports_it():
    offenders = {
        name: sorted(n for n in imported(path) if within(n, STUDENT_SIDE))
        for name, path in MODULES.items() if not within(name, STUDENT_SIDE)
    }
    assert not {name: found for name, found in offenders.items() if found}


@pytest.mark.timeout(120)
def test_the_grading_parent_imports_no_spark():
    parent = [name for name in MODULES if not within(name, SPARK_SIDE) and name != "grader.__main__"]
    check = f"import sys\nfor m in {parent!r}: __import__(m)\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'pyspark')[:5])"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout
