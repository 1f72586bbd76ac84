"""`grade bundle OUT`: what students receive — stubs, notebooks, the grader, the public fixtures
and their stored expected outcomes — and no reference solution code (no `solutions/`, no wrong
answers, no harness tests) and no hidden scenario (`fixtures/hidden/` stays out, and the bundle
is checked for any copy of it). The grader judges from `fixtures/expected/` alone, so the bundle
grades."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from string import Template

from grader import catalog, paths
from grader.judge.expected import entry_key
from grader.spec import load_scenario

# What students receive of the course, and of the grader that grades it (so it runs as `bin/grade`).
COURSE_PARTS = ("exercises", "fixtures")
GRADER_PARTS = ("pyproject.toml", "bin", "grader")
STUDENT_README = Path(__file__).with_name("student_readme.md")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "*.egg-info")


class HiddenDataInBundle(Exception):
    """Something of a hidden scenario got into the student bundle."""


def build_bundle(out: Path) -> list[Path]:
    """Copy the student-facing parts of the project into `out` (emptied first); remove it again
    and raise `HiddenDataInBundle` if any hidden scenario or expectation is inside."""
    if out.resolve() == paths.PROJECT_ROOT.resolve() or paths.PROJECT_ROOT.resolve() in out.resolve().parents:
        raise ValueError("Build the bundle outside the project folder.")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    parts = [paths.PROJECT_ROOT / name for name in COURSE_PARTS] + [paths.GRADER_CHECKOUT / name for name in GRADER_PARTS]
    # A grader installed from its wheel has no bin/ or pyproject.toml beside it: its package only.
    for source in [part for part in parts if part.exists()]:
        if source.is_dir():
            shutil.copytree(source, out / source.name, ignore=_ignored)
        else:
            shutil.copy2(source, out / source.name)
    (out / "README.md").write_text(student_readme())
    leaks = hidden_data_in(out)
    if leaks:
        shutil.rmtree(out)
        raise HiddenDataInBundle("The bundle was removed because hidden data got into it: " + "; ".join(leaks)
                                 + ". Keep hidden scenarios and their expectations in fixtures/hidden only.")
    return sorted(p for p in out.rglob("*") if p.is_file())


def student_readme() -> str:
    """The bundle's README: how to grade and what is graded, with the table of exercises."""
    table = "\n".join(f"| {e.number} | {e.title} |" for e in catalog.EXERCISES.values())
    return Template(STUDENT_README.read_text()).substitute(exercises=table)


def _ignored(folder: str, names: list[str]) -> set[str]:
    hidden = {paths.HIDDEN.name} if Path(folder).resolve() == paths.FIXTURES.resolve() else set()
    return IGNORED(folder, names) | hidden


def hidden_data_in(out: Path) -> list[str]:
    """What of the hidden scenarios is in `out`: a hidden folder, a copy of a hidden file, a
    scenario with a hidden one's data, or an expectation filed under a hidden scenario."""
    files = [p for p in out.rglob("*") if p.is_file()]
    found = [f"folder {p.relative_to(out)}" for p in out.rglob(paths.HIDDEN.name) if p.is_dir()]
    secret = {_digest(p): p.name for p in paths.HIDDEN.rglob("*") if p.is_file() and p.stat().st_size}
    found += [f"{p.relative_to(out)} is a copy of hidden {secret[_digest(p)]}" for p in files if _digest(p) in secret]
    hidden_names = {name for e in catalog.EXERCISES.values() for t in e.tasks for name in t.hidden_scenarios}
    hidden_data = {load_scenario(n).digest(): n for n in hidden_names if (paths.HIDDEN_STREAMS / f"{n}.toml").exists()}
    for path in files:
        if path.suffix == ".toml" and path.parent.name == "streams":
            digest = load_scenario(path.stem, path.parent).digest()
            if digest in hidden_data:
                found.append(f"{path.relative_to(out)} holds hidden scenario {hidden_data[digest]}")
    hidden_keys = {entry_key(t, n) for e in catalog.EXERCISES.values() for t in e.tasks for n in t.hidden_scenarios}
    for path in files:
        if path.suffix == ".json" and path.parent.name == "expected":
            filed = set(json.loads(path.read_text())) & hidden_keys
            found += [f"{path.relative_to(out)} holds the expectation {key}" for key in sorted(filed)]
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
