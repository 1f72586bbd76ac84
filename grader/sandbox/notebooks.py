"""A student notebook as an importable module: definitions run, everything else is skipped.

Grading needs the functions a notebook defines, not its experiments: a top-level cell that
starts a query, waits on `awaitTermination()`, prints, or loops could hang or flood grading.
Kept: imports, function and class definitions, and assignments that call nothing in
`SIDE_EFFECTS` (so `schema = StructType()...` stays). Skipped, and listed for the student:
IPython magics and shell lines (`%`, `%%`, `!`), bare expressions, loops, `with`, `if` blocks,
and assignments that start or wait on queries, collect, show or print.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import nbformat

SIDE_EFFECTS = frozenset({
    "start", "awaitTermination", "awaitAnyTermination", "processAllAvailable", "show", "collect",
    "toPandas", "take", "head", "first", "count", "foreach", "print", "display", "input", "sleep",
    "stop", "system", "run", "Popen",
})
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookError(Exception):
    """The file is not a readable notebook; the message is for the student."""


@dataclass(frozen=True)
class Statement:
    where: str       # "cell 3, line 2", for the student
    source: str
    definition: bool  # an import, def or class (an error there is the student's to fix)


@dataclass(frozen=True)
class NotebookModule:
    statements: list[Statement]
    skipped: list[str]

    @property
    def source(self) -> str:
        return "\n".join(s.source for s in self.statements)


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Attribute):
            names.add(call.func.attr)
        elif isinstance(call.func, ast.Name):
            names.add(call.func.id)
    return names


def _runs(statement: ast.stmt) -> bool:
    if isinstance(statement, KEPT):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return not (_calls(statement) & SIDE_EFFECTS)
    return False


def _without_magics(source: str) -> tuple[str, list[str]]:
    """Blank out IPython-only lines, keeping line numbers; a `%%` cell magic drops the cell."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [lines[0].strip()]
    kept, dropped = [], []
    for line in lines:
        if line.lstrip().startswith(("%", "!")):
            dropped.append(line.strip())
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), dropped


def notebook_module(text: str, name: str) -> NotebookModule:
    """The definitions of notebook `text` as module source, and what was left out."""
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for broken JSON or schema
        raise NotebookError(
            f"{name} is not a readable Jupyter notebook ({type(error).__name__}: {str(error)[:200]}). "
            "Open it in Jupyter and save it again, or submit a .py file."
        ) from None
    statements, skipped = [], []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        source, magics = _without_magics(cell.source)
        skipped += [f"cell {number}: {m}" for m in magics]
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise NotebookError(
                f"Cell {number} of {name} has a syntax error at line {error.lineno}: {error.msg}.\n"
                f"    {(error.text or '').rstrip()}"
            ) from None
        for statement in tree.body:
            code = ast.get_source_segment(source, statement) or ""
            where = f"cell {number}, line {statement.lineno}"
            if _runs(statement):
                statements.append(Statement(where, code, isinstance(statement, KEPT)))
            else:
                first = code.splitlines()[0] if code else type(statement).__name__
                skipped.append(f"{where}: {first.strip()[:100]}")
    return NotebookModule(statements, skipped)
