"""Mistakes in a course's own parts are told as file, line and what to change (no Spark)."""

import pytest

from grader import catalog
from grader.spec import load_scenario
from grader.spec.fixture_check import FixtureError

STREAM = '''description = "Orders."

[streams.orders]
format = "{format}"
schema = "item STRING, amount INT"
batches = [
 [  # batch 1
  {first},
  {second},
 ],
]
'''


def scenario_with(tmp_path, first: str, second: str, fmt: str = "json"):
    (tmp_path / "orders.toml").write_text(STREAM.format(format=fmt, first=first, second=second))
    return load_scenario("orders", tmp_path)


def test_a_well_formed_stream_loads(tmp_path):
    scenario = scenario_with(tmp_path, '{item = "tea", amount = 10}', '{item = "jam", amount = 9}')
    assert scenario.streams["orders"].batches[0].lines[1] == '{"item": "jam", "amount": 9}'


def test_a_misspelt_column_in_a_row_is_told_by_file_line_and_the_column_meant(tmp_path):
    with pytest.raises(FixtureError) as refused:
        scenario_with(tmp_path, '{item = "tea", amount = 10}', '{item = "jam", amout = 9}')
    assert str(refused.value).startswith(f"{tmp_path / 'orders.toml'}, line 9: batch 1, row 2 of stream 'orders' "
                                         "has column 'amout', which the schema (item STRING, amount INT) does not "
                                         "have (did you mean 'amount'?).")


def test_a_value_that_does_not_fit_the_schema_is_told(tmp_path):
    with pytest.raises(FixtureError) as refused:
        scenario_with(tmp_path, '{item = "tea", amount = "ten"}', '{item = "jam", amount = 9}')
    assert "line 8: batch 1, row 1 of stream 'orders': amount = 'ten' does not fit type INT" in str(refused.value)
    assert "Write a number without quotes" in str(refused.value)


def test_a_csv_row_with_other_fields_than_the_schema_is_told(tmp_path):
    with pytest.raises(FixtureError) as refused:
        scenario_with(tmp_path, '"tea,10"', '"jam;9"', fmt="csv")
    assert "line 9: batch 1, row 2 of stream 'orders': 'jam;9' has 1 field(s) separated by ','" in str(refused.value)


def test_a_row_of_the_wrong_kind_and_broken_toml_are_told(tmp_path):
    with pytest.raises(FixtureError, match=r"line 8: batch 1, row 1 of stream 'orders' is 'tea'; each row of a json "
                                           r"stream is an inline table"):
        scenario_with(tmp_path, '"tea"', '{item = "jam", amount = 9}')
    with pytest.raises(FixtureError, match=r"orders.toml: .*\(at line 8, column .*\)\. Correct the TOML there\."):
        scenario_with(tmp_path, '{item = "tea" amount = 1}', '{item = "jam", amount = 9}')


def test_a_misspelt_kind_in_a_declaration_names_the_one_meant(tmp_path):
    (tmp_path / "exercise_01_orders.py").write_text(
        "from grader.spec import Exercise, MemorySink\n\n"
        "EXERCISE = Exercise(\n    number=1, slug='orders', title='Orders', intro='',\n"
        "    tasks=(MemorySnk('complete'),),\n)\n")
    with pytest.raises(catalog.DeclarationError) as refused:
        catalog.declared_in(tmp_path)
    assert str(refused.value) == (f"{tmp_path / 'exercise_01_orders.py'}, line 5: name 'MemorySnk' is not defined "
                                  "(did you mean MemorySink?). Correct its spelling, and import it from grader.spec.")


def test_two_declarations_of_one_number_are_told(tmp_path):
    for slug in ("orders", "sales"):
        (tmp_path / f"exercise_01_{slug}.py").write_text(
            f"from grader.spec import Exercise\n\nEXERCISE = Exercise(number=1, slug='{slug}', title='T', intro='')\n")
    with pytest.raises(catalog.DeclarationError, match="both declare exercise 1: give one of them another `number`"):
        catalog.declared_in(tmp_path)
