"""The tables under the answers and the profile rows come from the models' YAML meta."""

from __future__ import annotations

import duckdb
import pandas as pd

from insiders.commands.report_answers import (
    AnswerTable,
    answer_figures,
    answer_tables,
    format_value,
    profile_rows,
)


def test_each_of_the_nine_questions_has_its_table():
    tables = answer_tables()
    assert list(tables) == list(range(1, 10))
    assert all(table.formats for table in tables.values())
    assert tables[6].model == tables[7].model == "rpt_insiders_membership_criteria"
    assert tables[6].where != tables[7].where
    assert tables[1].sql().endswith("order by revenue_rank limit 10")


def test_the_profile_rows_are_in_their_stated_order():
    rows = profile_rows()
    assert rows[0] == ("customers", "customers", "{:,.0f}")
    assert len({name for name, _label, _pattern in rows}) == len(rows) == 16


def test_figures_are_formatted_as_the_meta_says():
    table = AnswerTable(4, "shares", {"label": "{}", "share": "{:.1%}"}, where="share > 0")
    with duckdb.connect() as con:
        con.execute(
            "create table shares as"
            " select * from (values ('a', 0.25), ('b', 0.0)) as t(label, share)"
        )
        figures = answer_figures(con, {4: table})
    assert figures == {4: {"columns": ["label", "share"], "rows": [["a", "25.0%"]]}}


def test_numbers_show_whole_money_and_small_ratios():
    assert format_value(1234.5, "number") == "1,234"
    assert format_value(0.01234, "number") == "0.0123"
    assert format_value(float("nan"), "{:.1%}") == "n/a"
    assert format_value(pd.Timestamp("2011-12-09"), "{:%Y-%m-%d}") == "2011-12-09"
