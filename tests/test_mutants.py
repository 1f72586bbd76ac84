"""Parameter mutants: each is the reference with one parameter changed, named so an instructor
can tell which, and only the task's function and what it uses are changed."""

import textwrap

import pytest

from grader.authoring.mutants import mutants

WATERMARKED = textwrap.dedent('''
    from pyspark.sql import functions as F

    WITHIN = """
        clickAdId = impressionAdId AND
        clickTime >= impressionTime AND
        clickTime <= impressionTime + interval 1 minute
    """


    def counts(readings):
        """A docstring saying "20 seconds" is not a parameter."""
        return (readings.withWatermark("event_time", "20 seconds")
                .groupBy(F.window("event_time", "1 minute"), "sensor").count())


    def adults(people):
        return people.filter(F.col("age") >= 18)


    def joined(left, right):
        return left.join(right, F.expr(WITHIN), "leftOuter")


    def started(readings, name):
        return counts(readings).writeStream.queryName(name).outputMode("append").start()


    def words(lines):
        return lines.select(F.split("value", ";"))
''')

pytestmark = pytest.mark.timeout(30)


def changes(function):
    return [m.change for m in mutants(WATERMARKED, function)]


def test_a_20_second_watermark_yields_10_30_and_40_seconds():
    found = changes("counts")
    for delay in ("10 seconds", "30 seconds", "40 seconds"):
        assert f"watermark '20 seconds' → '{delay}'" in found, found
    assert {"window '1 minute' → '30 seconds'", "window '1 minute' → '90 seconds'",
            "window '1 minute' → '2 minutes'"} <= set(found)
    assert len(found) == 6  # nothing from the docstring


def test_a_mutant_is_the_source_with_one_change_and_says_where():
    mutant = next(m for m in mutants(WATERMARKED, "counts") if "30 seconds" in m.change)
    assert mutant.source == WATERMARKED.replace('"20 seconds")', "'30 seconds')")
    assert mutant.description == "watermark '20 seconds' → '30 seconds' at line 13"


def test_thresholds_and_comparisons_are_moved_by_one():
    found = changes("adults")
    assert "comparison F.col('age') >= 18 → F.col('age') > 18" in found
    assert {f"threshold 18 → {n} in F.col('age') >= 18" for n in (17, 19, 36)} <= set(found)


def test_comparisons_and_intervals_inside_sql_strings_and_join_types_are_mutated():
    mutated = {m.change: m for m in mutants(WATERMARKED, "joined")}
    strict = "comparison 'clickTime >= impressionTime AND' → 'clickTime > impressionTime AND'"
    assert strict in mutated, list(mutated)
    assert mutated[strict].line == 6  # the line inside the string, not where it starts
    assert "clickTime > impressionTime AND" in mutated[strict].source
    assert "interval '1 minute' → '30 seconds'" in mutated
    join_types = {c for c in mutated if c.startswith("join type")}
    # leftOuter, left and left_outer are one join type: none of them is a mutant of another
    assert join_types == {f"join type 'leftOuter' → '{t}'" for t in
                          ("inner", "right_outer", "full_outer", "left_semi", "left_anti")}


def test_output_modes_and_separators_become_the_others():
    assert {"output mode 'append' → 'update'", "output mode 'append' → 'complete'"} <= set(changes("started"))
    assert {"separator ';' → ','", "separator ';' → '|'", "separator ';' → '\\t'"} <= set(changes("words"))


def test_only_the_task_and_what_it_calls_are_mutated():
    assert not any("age" in c or "join" in c for c in changes("counts"))
    # started() calls counts(): its watermark mutants are started()'s too
    assert "watermark '20 seconds' → '30 seconds'" in changes("started")


def test_an_unknown_function_is_an_error():
    with pytest.raises(ValueError, match="no function 'missing'"):
        mutants(WATERMARKED, "missing")
