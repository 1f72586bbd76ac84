"""Comparing result tables: what counts as the same answer, and what the diff shows."""

from grader.judge.compare import diff_tables, same_tables
from grader.outcome import Snapshot

COLUMNS = [("word", "string"), ("count", "bigint")]


def table(rows, columns=COLUMNS):
    return Snapshot(list(columns), [list(r) for r in rows])


def test_row_order_is_ignored_unless_asked():
    expected = table([("a", 2), ("b", 1)])
    shuffled = table([("b", 1), ("a", 2)])
    assert diff_tables(expected, shuffled, ordered=False) is None
    difference = diff_tables(expected, shuffled, ordered=True)
    assert difference is not None and "wrong order" in difference.sentence


def test_column_order_is_ignored():
    expected = table([("a", 2)])
    swapped = Snapshot([("count", "bigint"), ("word", "string")], [[2, "a"]])
    assert diff_tables(expected, swapped, ordered=False) is None


def test_missing_and_unexpected_columns_are_named():
    got = Snapshot([("word", "string"), ("count(1)", "bigint")], [["a", 2]])
    difference = diff_tables(table([("a", 2)]), got, ordered=False)
    assert "missing column(s) count" in difference.sentence
    assert "unexpected column(s) count(1)" in difference.sentence


def test_types_are_checked():
    got = Snapshot([("word", "string"), ("count", "int")], [["a", 2]])
    difference = diff_tables(table([("a", 2)]), got, ordered=False)
    assert "`count` should be bigint but is int" in difference.sentence


def test_floats_compare_with_a_tolerance():
    columns = [("avg", "double")]
    assert diff_tables(table([(0.3,)], columns), table([(0.1 + 0.2,)], columns), ordered=False) is None
    assert diff_tables(table([(0.3,)], columns), table([(0.31,)], columns), ordered=False) is not None


def test_duplicates_count():
    assert diff_tables(table([("a", 1), ("a", 1)]), table([("a", 1)]), ordered=False) is not None


def test_diff_marks_missing_and_unexpected_rows():
    difference = diff_tables(table([("spark", 4), ("is", 2)]), table([("Spark", 2), ("spark", 2), ("is", 2)]), False)
    lines = difference.rows.splitlines()
    assert "- 'spark' | 4" in [line.strip() for line in lines]
    assert "+ 'Spark' | 2" in [line.strip() for line in lines]
    assert "'is'    | 2" in [line.strip() for line in lines]


def test_large_diffs_are_trimmed():
    difference = diff_tables(table([(str(i), i) for i in range(100)]), table([]), ordered=False)
    assert "more row(s)" in difference.rows
    assert len(difference.rows.splitlines()) < 30


def test_same_tables_batch_by_batch():
    first = [table([("a", 1)]), table([("a", 2)])]
    assert same_tables(first, [table([("a", 1)]), table([("a", 2)])], ordered=False)
    assert not same_tables(first, [table([("a", 1)])], ordered=False)
    assert not same_tables(first, [table([("a", 1)]), table([("a", 3)])], ordered=False)


def test_repeated_columns_are_named():
    got = Snapshot([("word", "string"), ("count", "bigint"), ("word", "string")], [["a", 2, "a"]])
    difference = diff_tables(table([("a", 2)]), got, ordered=False)
    assert "Column(s) word appear more than once" in difference.sentence
