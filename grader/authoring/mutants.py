"""Parameter mutants of a reference solution: the neighbouring answers a scenario must tell apart.

Each mutant is a copy of the solution's source with one parameter changed: a duration
("20 seconds" → "30 seconds"), a threshold (`>= 18` → `>= 19`), a comparison (`<` ↔ `<=`, also
inside SQL strings), an output mode, a join type or a separator. Only the task's function and
what it uses from its module (helpers, constants) are changed, so each mutant tests that task.
`grade verify` grades every mutant: one that earns full marks shows the scenario cannot tell
the changed parameter from the asked one.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass

SCALES = (1.5, 2, 0.5)
UNIT_SECONDS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600, "day": 86400}
DURATION = re.compile(r"\b(\d+(?:\.\d+)?)\s+(millisecond|second|minute|hour|day)s?\b", re.IGNORECASE)
SQL_COMPARISON = re.compile(r"(?<![<>!=])(<=|>=|<|>)(?![=>])")
SQL_THRESHOLD = re.compile(r"(?:<=|>=|<>|!=|==|<|>|=)\s*(-?\d+(?:\.\d+)?)\b")
FLIPPED = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
FLIPPED_NODES = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
OUTPUT_MODES = ("append", "update", "complete")
# Spark's spellings of each join type, by the name the mutant uses.
JOIN_TYPES = {
    "inner": {"inner"},
    "left_outer": {"left", "leftouter"},
    "right_outer": {"right", "rightouter"},
    "full_outer": {"full", "outer", "fullouter"},
    "left_semi": {"semi", "leftsemi"},
    "left_anti": {"anti", "leftanti"},
}
SEPARATORS = (",", ";", "|", "\t", " ")
WHITESPACE_PATTERN = r"\s+"
# What a string parameter is, by the call it is passed to; others are named by the call itself.
ROLES = {"withWatermark": "watermark", "window": "window", "session_window": "session gap",
         "outputMode": "output mode", "join": "join type", "split": "separator", "expr": "condition",
         "filter": "condition", "where": "condition", "selectExpr": "expression"}


@dataclass(frozen=True)
class Mutant:
    """The solution's source with one parameter changed. `change` names the change without
    its place, so an exercise can declare it an accepted equivalent."""

    change: str
    line: int
    source: str

    @property
    def description(self) -> str:
        return f"{self.change} at line {self.line}"


def mutants(source: str, function: str) -> list[Mutant]:
    """Every one-parameter mutant of `function` in `source` and of what it uses from its module."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    found: dict[str, Mutant] = {}
    for scope in _scopes(tree, function):
        for node in ast.walk(scope):
            for replacement, change, lines_in in _changes(node):
                mutated = _replace(source, node, replacement)
                if mutated != source and mutated not in found:
                    found[mutated] = Mutant(change, node.lineno + lines_in, mutated)
    return sorted(found.values(), key=lambda m: (m.line, m.change))


def _scopes(tree: ast.Module, function: str) -> list[ast.AST]:
    """The definition of `function` and, transitively, the module-level functions and
    constants it refers to by name."""
    definitions: dict[str, ast.AST] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            definitions[statement.name] = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and statement.value is not None:
                    definitions[target.id] = statement.value
    if function not in definitions:
        raise ValueError(f"The solution defines no function {function!r}.")
    reached, pending = [], [function]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.append(name)
        pending += [n.id for n in ast.walk(definitions[name]) if isinstance(n, ast.Name) and n.id in definitions]
    return [definitions[name] for name in reached]


def _changes(node: ast.AST) -> list[tuple[ast.AST, str, int]]:
    """(replacement node, change, lines into the node) for each mutant of `node` itself."""
    if isinstance(node, ast.Compare):
        return [(flipped, change, 0) for flipped, change in _flipped_comparisons(node)]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and not _is_docstring(node):
        return [(ast.Constant(value), change, node.value[:at].count("\n"))
                for value, change, at in _string_changes(node)]
    comparison = _comparison_around(node)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and comparison:
        return [(ast.Constant(value), f"threshold {node.value!r} → {value!r} in {ast.unparse(comparison)}", 0)
                for value in _nearby_numbers(node.value)]
    return []


def _flipped_comparisons(node: ast.Compare) -> list[tuple[ast.AST, str]]:
    changes = []
    for index, op in enumerate(node.ops):
        if type(op) in FLIPPED_NODES:
            flipped = copy.deepcopy(node)
            flipped.ops[index] = FLIPPED_NODES[type(op)]()
            changes.append((flipped, f"comparison {ast.unparse(node)} → {ast.unparse(flipped)}"))
    return changes


def _string_changes(node: ast.Constant) -> list[tuple[str, str, int]]:
    """(changed text, change, where in the text) for each mutant of a string parameter."""
    text, call = node.value, _called(node)
    role = ROLES.get(call or "", call or "string")
    changes = []
    if call == "outputMode" and text.lower() in OUTPUT_MODES:
        changes += [(mode, f"output mode '{text}' → '{mode}'", 0) for mode in OUTPUT_MODES if mode != text.lower()]
    joined = _join_type(text)
    if call == "join" and joined:
        changes += [(name, f"join type '{text}' → '{name}'", 0) for name in JOIN_TYPES if name != joined]
    if call and (text in SEPARATORS or text == WHITESPACE_PATTERN):
        changes += [(sep, f"separator {text!r} → {sep!r}", 0) for sep in SEPARATORS if sep != text]
    for match in DURATION.finditer(text):
        what = "interval" if text[:match.start()].rstrip().lower().endswith("interval") else role
        for scale in SCALES:
            duration = _scaled(float(match[1]) * UNIT_SECONDS[match[2].lower()] * scale)
            changed = text[:match.start()] + duration + text[match.end():]
            changes.append((changed, f"{what} '{match[0]}' → '{duration}'", match.start()))
    for match in SQL_COMPARISON.finditer(text):
        changed = text[:match.start()] + FLIPPED[match[1]] + text[match.end():]
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end()) % (len(text) + 1)  # the line's end, or the text's
        grown = len(changed) - len(text)
        changes.append((changed, f"comparison '{text[start:end].strip()}' → "
                                 f"'{changed[start:end + grown].strip()}'", match.start()))
    for match in SQL_THRESHOLD.finditer(text):
        number = float(match[1]) if "." in match[1] else int(match[1])
        for value in _nearby_numbers(number):
            changed = text[:match.start(1)] + repr(value) + text[match.end(1):]
            changes.append((changed, f"threshold {match[1]} → {value!r} in '{match[0]}'", match.start()))
    return changes


def _scaled(seconds: float) -> str:
    for unit in ("day", "hour", "minute", "second"):
        count = seconds / UNIT_SECONDS[unit]
        if count >= 1 and count == int(count):
            return f"{int(count)} {unit}{'s' if count != 1 else ''}"
    return f"{round(seconds * 1000)} milliseconds"


def _nearby_numbers(value: int | float) -> list[int | float]:
    return [v for v in dict.fromkeys((value + 1, value - 1, value * 2)) if v != value]


def _join_type(text: str) -> str | None:
    spelled = text.lower().replace("_", "")
    return next((name for name, spellings in JOIN_TYPES.items() if spelled in spellings), None)


def _called(node: ast.AST) -> str | None:
    """The name of the call `node` is an argument of, if it is one."""
    parent = getattr(node, "parent", None)
    if isinstance(parent, ast.keyword):
        parent = getattr(parent, "parent", None)
    if not isinstance(parent, ast.Call) or parent.func is node:
        return None
    func = parent.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _comparison_around(node: ast.AST) -> ast.Compare | None:
    """The comparison `node` is part of (a threshold, or arithmetic on one side), if any."""
    while (node := getattr(node, "parent", None)) is not None and isinstance(node, ast.expr):
        if isinstance(node, ast.Compare):
            return node
    return None


def _is_docstring(node: ast.Constant) -> bool:
    return isinstance(getattr(node, "parent", None), ast.Expr)


def _replace(source: str, node: ast.AST, replacement: ast.AST) -> str:
    """`source` with `node`'s text replaced by `replacement`'s."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()
    start = offsets[node.lineno - 1] + node.col_offset
    end = offsets[node.end_lineno - 1] + node.end_col_offset
    return (data[:start] + ast.unparse(replacement).encode() + data[end:]).decode()
