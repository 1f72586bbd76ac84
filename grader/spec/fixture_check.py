"""A fixture stream's rows against its own declaration, told as the instructor would fix them.

Spark reads a JSON row whose column is misspelt, or whose value does not fit the schema, as
NULL without a word, and the reference's recorded answer would quietly be wrong. So before any
run each row is checked against the stream's schema, and a mismatch names the file, the line,
the batch and the row, and what to change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

# The Python values TOML gives for each Spark type a fixture uses (a bool is no number).
TYPES = {
    "string": (str,), "int": (int,), "integer": (int,), "bigint": (int,), "long": (int,),
    "smallint": (int,), "tinyint": (int,), "double": (int, float), "float": (int, float),
    "decimal": (int, float), "boolean": (bool,), "timestamp": (dt.datetime,), "date": (dt.date,),
}


class FixtureError(ValueError):
    """A fixture stream that cannot be fed as declared; the message says where and what to change."""


def schema_columns(schema: str) -> dict[str, str]:
    """`"sensor STRING, amount DECIMAL(10,2)"` → {"sensor": "string", "amount": "decimal"}."""
    columns, depth, current = {}, 0, ""
    for char in schema + ",":
        depth += (char in "(<") - (char in ")>")
        if char == "," and depth == 0:
            name, _, kind = current.strip().partition(" ")
            if name:
                columns[name.strip("`")] = re.split(r"[(<\s]", kind.strip().lower())[0]
            current = ""
        else:
            current += char
    return columns


def check_stream(path: Path | str, text: str, name: str, table: dict, formats: tuple[str, ...]) -> None:
    """Raise `FixtureError` for the first row of stream `name` (TOML `table`, read from `text` at
    `path`) that does not match its schema."""
    where = _Places(path, text, name)
    fmt = table.get("format")
    if fmt not in formats:
        raise FixtureError(f"{where.at(where.line_of('format'))}: stream {name!r} has format {fmt!r}; write "
                           f"one of {', '.join(map(repr, formats))}.")
    if "batches" not in table:
        raise FixtureError(f"{where.at(where.line_of('format'))}: stream {name!r} has no `batches = [...]`: add "
                           "one list of rows per micro-batch.")
    schema = table.get("schema")
    columns = schema_columns(schema) if schema else {}
    event_time = table.get("event_time")
    if event_time and columns and event_time not in columns:
        raise FixtureError(f"{where.at(where.line_of('event_time'))}: event_time names column {event_time!r}, "
                           f"which the schema does not have{_did_you_mean(event_time, columns)}. The schema's "
                           f"columns are: {', '.join(columns)}.")
    for b, batch in enumerate(table["batches"]):
        for r, row in enumerate(batch):
            place = f"{where.at(where.row_line(b, r))}: batch {b + 1}, row {r + 1} of stream {name!r}"
            if not isinstance(row, dict if fmt == "json" else str):
                kind = "an inline table ({column = value, ...})" if fmt == "json" else "a string (one line)"
                raise FixtureError(f"{place} is {row!r}; each row of a {fmt} stream is {kind}.")
            if fmt == "json" and columns:
                _check_json_row(row, columns, schema, place)
            elif fmt == "csv" and columns:
                _check_csv_row(row, len(columns), table.get("options", {}), schema, place, first=(b, r) == (0, 0))


def _check_json_row(row: dict, columns: dict[str, str], schema: str, place: str) -> None:
    for column, value in row.items():
        if column not in columns:
            raise FixtureError(f"{place} has column {column!r}, which the schema ({schema}) does not have"
                               f"{_did_you_mean(column, columns)}. Spark would read it as nothing: correct "
                               "the column's name in the row, or add the column to the schema.")
        wanted = TYPES.get(columns[column])
        fits = wanted is None or (isinstance(value, wanted) and not (isinstance(value, bool) and bool not in wanted))
        if not fits:
            raise FixtureError(f"{place}: {column} = {value!r} does not fit type {columns[column].upper()}, which "
                               f"the schema ({schema}) declares; Spark would read it as NULL. Write a "
                               f"{_example(columns[column])}, or change the column's type in the schema.")


def _check_csv_row(row: str, count: int, options: dict, schema: str, place: str, first: bool) -> None:
    if first and str(options.get("header", "false")).lower() == "true":
        return
    separator = str(options.get("sep", options.get("delimiter", ",")))
    fields = len(row.split(separator))
    if fields != count:
        raise FixtureError(f"{place}: {row!r} has {fields} field(s) separated by {separator!r}, and the schema "
                           f"({schema}) {count} columns. Correct the row, or the separator (options = "
                           "{sep = ...}).")


def _did_you_mean(name: str, columns) -> str:
    close = difflib.get_close_matches(name, list(columns), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _example(kind: str) -> str:
    return {"string": 'string in quotes ("text")', "timestamp": "TOML datetime (2024-01-01T12:00:05)",
            "date": "TOML date (2024-01-01)", "boolean": "true or false"}.get(kind, "number without quotes")


class _Places:
    """Lines of the TOML text where a stream's keys and rows are written (1-based)."""

    def __init__(self, path: Path | str, text: str, stream: str):
        self.path, self.text = path, text
        section = re.search(rf"^\s*\[streams\.{re.escape(stream)}\]", text, re.M)
        self.start = section.start() if section else 0
        self.rows = self._rows()

    def at(self, line: int | None) -> str:
        return f"{self.path}, line {line}" if line else str(self.path)

    def line_of(self, key: str) -> int | None:
        found = re.compile(rf"^\s*{key}\s*=", re.M).search(self.text, self.start)
        return self.text.count("\n", 0, found.start()) + 1 if found else None

    def row_line(self, batch: int, row: int) -> int | None:
        rows = self.rows[batch] if batch < len(self.rows) else []
        return rows[row] if row < len(rows) else None

    def _rows(self) -> list[list[int]]:
        """The line each row starts on, batch by batch: the values two brackets deep in `batches`."""
        found: list[list[int]] = []
        start = re.compile(r"^\s*batches\s*=", re.M).search(self.text, self.start)
        if not start:
            return found
        text, i, depth = self.text, start.end(), 0
        line = text.count("\n", 0, i) + 1
        while i < len(text):
            char = text[i]
            if char == "\n":
                line += 1
            elif char == "#":
                end = text.find("\n", i)
                i = (end if end >= 0 else len(text)) - 1
            elif char in "\"'":
                if depth == 2:
                    found[-1].append(line)
                i += 1
                while i < len(text) and text[i] != char:
                    i += 2 if char == '"' and text[i] == "\\" else 1
            elif char in "[{":
                if depth == 1:
                    found.append([])
                elif depth == 2:
                    found[-1].append(line)
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        return found
