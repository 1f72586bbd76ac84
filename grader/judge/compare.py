"""Comparing result tables: column names and types, then rows as multisets (or lists when the
order is part of the answer), floats equal to nine significant digits."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from grader.outcome import Snapshot

SHOWN_ROWS = 20


def canonical_value(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [canonical_value(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical_value(v) for k, v in sorted(value.items())}
    return value


def row_key(row: list) -> str:
    return json.dumps(canonical_value(row), sort_keys=True)


@dataclass(frozen=True)
class TableDiff:
    """Why a snapshot differs from the expected one: a sentence and a row-level diff."""

    sentence: str
    rows: str = ""


def reorder(got: Snapshot, names: list[str]) -> list[list]:
    """`got`'s rows with their values in the order of `names` (column order is never graded)."""
    index = [g[0] for g in got.columns]
    return [[row[index.index(name)] for name in names] for row in got.rows]


def diff_tables(expected: Snapshot, got: Snapshot, ordered: bool) -> TableDiff | None:
    """None when `got` holds the expected answer."""
    exp_names = [c[0] for c in expected.columns]
    got_names = [c[0] for c in got.columns]
    repeated = sorted({n for n in got_names if got_names.count(n) > 1})
    if repeated:
        return TableDiff(
            f"Column(s) {', '.join(repeated)} appear more than once (after a join, drop or rename "
            f"one side's copy, or join on the column name). Expected exactly: {', '.join(exp_names)}."
        )
    if sorted(exp_names) != sorted(got_names):
        missing = [n for n in exp_names if n not in got_names]
        extra = [n for n in got_names if n not in exp_names]
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        return TableDiff(
            f"The columns are wrong: {'; '.join(parts)}. Expected exactly: {', '.join(exp_names)}."
        )
    got_types = dict(got.columns)
    wrong_types = [(name, kind, got_types[name]) for name, kind in expected.columns if got_types[name] != kind]
    if wrong_types:
        said = "; ".join(f"`{name}` should be {kind} but is {have}" for name, kind, have in wrong_types)
        casts = ", ".join(f"F.col('{name}').cast('{kind}')" for name, kind, _ in wrong_types)
        return TableDiff(
            f"Column types differ: {said}. The rows are compared once the types match: produce the "
            f"asked types, e.g. {casts}.",
            render_types(wrong_types),
        )
    got_rows = reorder(got, exp_names)
    if ordered:
        if [row_key(r) for r in expected.rows] == [row_key(r) for r in got_rows]:
            return None
        if Counter(map(row_key, expected.rows)) == Counter(map(row_key, got_rows)):
            return TableDiff(
                "The rows are right but in the wrong order.",
                render_rows(exp_names, expected.rows, got_rows, ordered=True),
            )
    elif Counter(map(row_key, expected.rows)) == Counter(map(row_key, got_rows)):
        return None
    # The legend goes with the rows: feedback on a hidden scenario shows the sentence alone.
    return TableDiff(
        f"Expected {len(expected.rows)} row(s), got {len(got_rows)}.",
        "The rows marked - are missing and those marked + should not be there:\n"
        + render_rows(exp_names, expected.rows, got_rows, ordered),
    )


def render_rows(names: list[str], expected: list[list], got: list[list], ordered: bool) -> str:
    """A diff of two row lists: ' ' in both, '-' only expected, '+' only got; trimmed."""
    if ordered:
        lines = [("-", r) for r in expected] + [("+", r) for r in got]
    else:
        remaining = Counter(map(row_key, got))
        lines = []
        for row in expected:
            key = row_key(row)
            if remaining[key] > 0:
                remaining[key] -= 1
                lines.append((" ", row))
            else:
                lines.append(("-", row))
        for row in got:
            key = row_key(row)
            if remaining[key] > 0:
                remaining[key] -= 1
                lines.append(("+", row))
        lines.sort(key=lambda item: (row_key(item[1]), item[0]))
    if ordered:
        header = "  expected, in order (-) then got, in order (+):"
    else:
        header = ""
    cells = [[_cell(v) for v in row] for _, row in lines] + [names]
    widths = [max(len(c[i]) for c in cells) for i in range(len(names))]
    table = [f"    {' | '.join(n.ljust(w) for n, w in zip(names, widths))}".rstrip()]
    for (mark, _), row_cells in zip(lines[:SHOWN_ROWS], cells):
        table.append(f"  {mark} {' | '.join(c.ljust(w) for c, w in zip(row_cells, widths))}".rstrip())
    if len(lines) > SHOWN_ROWS:
        table.append(f"    … {len(lines) - SHOWN_ROWS} more row(s)")
    return "\n".join(([header] if header else []) + table)


def render_types(wrong: list[tuple[str, str, str]]) -> str:
    """The columns whose type is wrong: the type expected against the type produced."""
    cells = [("column", "expected type", "your type"), *wrong]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    return "\n".join("    " + " | ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip() for c in cells)


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_cell(v)}" for k, v in value.items()) + "}"
    return json.dumps(canonical_value(value))


def first_difference(expected: list[Snapshot], got: list[Snapshot], ordered: bool) -> tuple[int, TableDiff] | None:
    """The first check (0-based) at which `got` differs from `expected`, and how; None if none does."""
    for index, (want, have) in enumerate(zip(expected, got)):
        difference = diff_tables(want, have, ordered)
        if difference is not None:
            return index, difference
    return None


def same_tables(first: list[Snapshot], second: list[Snapshot], ordered: bool) -> bool:
    """Whether two runs produced the same answers, batch by batch."""
    return len(first) == len(second) and all(
        diff_tables(a, b, ordered) is None for a, b in zip(first, second)
    )
