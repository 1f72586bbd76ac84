"""A student notebook as an importable module: definitions run, everything else is skipped.

Grading needs the functions a notebook defines, not its experiments: a top-level cell that
starts a query, waits on `awaitTermination()`, prints, or loops could hang or flood grading.
Kept: imports, function and class definitions, and assignments that call nothing in
`SIDE_EFFECTS` (so `schema = StructType()...` stays). Skipped, and listed for the student:
IPython magics and shell lines (`%`, `%%`, `!`), bare expressions, loops, `with`, `if` blocks,
and assignments that start or wait on queries, collect, show, print or ask for the kernel's
`engine_folder()`. The setup cell's `spark = engine_session()` runs: beside the grading's session
it returns that session (see `grader.kernel_session`). (Bare strings and the
check cells' `check(...)` calls are left out without being listed.)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import nbformat

SIDE_EFFECTS = frozenset({
    "start", "awaitTermination", "awaitAnyTermination", "processAllAvailable", "show", "collect",
    "toPandas", "take", "head", "first", "count", "foreach", "print", "display", "input", "sleep",
    "stop", "system", "run", "Popen", "engine_folder",
})
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookError(Exception):
    """The file is not a readable notebook; the message is for the student."""


# How much of a skipped statement the list shows, on one line.
SHOWN_WIDTH = 72


@dataclass(frozen=True)
class Statement:
    where: str       # "In [7], line 2" (or "code cell 3", never run), as Jupyter shows the cell
    source: str
    definition: bool  # an import, def or class (an error there is the student's to fix)

    @property
    def shown(self) -> str:
        """Where it is and the whole statement on one line, trimmed with an ellipsis."""
        return f"{self.where}: {one_line(self.source)}"


def one_line(code: str) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= SHOWN_WIDTH else flat[:SHOWN_WIDTH - 1].rstrip() + "…"


def cell_label(cell: nbformat.NotebookNode, code_index: int) -> str:
    """A code cell as Jupyter shows it: by its execution count `In [7]` once run; a cell never
    run has none, and is named by its place among the code cells (markdown cells not counted)."""
    count = cell.get("execution_count")
    return f"In [{count}]" if count else f"code cell {code_index}"


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
    code_cells = (cell for cell in notebook.cells if cell.cell_type == "code")
    for index, cell in enumerate(code_cells, start=1):
        label = cell_label(cell, index)
        source, magics = _without_magics(cell.source)
        skipped += [f"{label}: {one_line(m)}" for m in magics]
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise NotebookError(
                f"{label[:1].upper()}{label[1:]} of {name} has a syntax error at line {error.lineno}: {error.msg}.\n"
                f"    {(error.text or '').rstrip()}"
            ) from None
        for statement in tree.body:
            code = ast.get_source_segment(source, statement) or type(statement).__name__
            where = label if statement.lineno == 1 else f"{label}, line {statement.lineno}"
            if _runs(statement):
                statements.append(Statement(where, code, isinstance(statement, KEPT)))
            elif not _not_worth_listing(statement):
                skipped.append(Statement(where, code, False).shown)
    return NotebookModule(statements, skipped)


def _not_worth_listing(statement: ast.stmt) -> bool:
    """A bare string (a cell's docstring, a note), which does nothing, or a call of the notebook's
    own `check` (`grader.check`), which grading has no use for: skipped without a word."""
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    return isinstance(value, ast.Constant) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "check")
