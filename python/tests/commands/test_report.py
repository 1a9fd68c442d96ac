"""Tests of `insiders report`: the HTML report written from a database built by dbt."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from markupsafe import escape

from insiders.cli import main
from insiders.commands.report import load_study_silhouettes, write_report

SECTIONS = (
    "model-selection",
    "segment-profiles",
    "customer-map",
    "revenue-share",
    "value-tiers",
    "questions",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMBEDDED_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def report(pipeline, tmp_path_factory) -> str:
    path = write_report(pipeline.database, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


def answer(pipeline, number: int) -> str:
    return pipeline.scalar(
        f"select answer from rpt_insiders_answers where question_number = {number}"
    )


@pytest.mark.slow
def test_report_has_every_section_and_the_nine_questions(report):
    for section in SECTIONS:
        assert f'<section id="{section}">' in report
    for number in range(1, 10):
        assert f'<section id="question-{number}">' in report


@pytest.mark.slow
def test_report_compares_with_the_study_published_silhouettes(report):
    # the seed study_silhouette_scores is drawn by default (dashed lines in the chart)
    assert "Dashed lines: the study" in report


@pytest.mark.slow
def test_report_embeds_its_four_pictures_and_links_nothing(report):
    images = EMBEDDED_PNG.findall(report)
    # selection chart, profile chart, customer map, revenue share
    assert len(images) == 4
    for image in images:
        assert base64.b64decode(image).startswith(PNG_SIGNATURE)
    assert not re.search(r'(src|href)="(?!data:)', report), "the report must be self-contained"


@pytest.mark.slow
def test_report_prints_each_answer_of_the_database(pipeline, report):
    for number in range(1, 10):
        assert str(escape(answer(pipeline, number))) in report


@pytest.mark.slow
def test_answers_in_words_match_the_tables(pipeline):
    insiders = pipeline.scalar("select count(*) from insiders")
    labelled = pipeline.scalar("select count(*) from customer_segments where is_insider")
    customers = pipeline.scalar("select count(*) from customer_segments")
    assert insiders == labelled
    assert answer(pipeline, 2).startswith(f"{insiders:,} of {customers:,} customers")
    assert f"{insiders:,} customers" in answer(pipeline, 1)

    # Question 4, recomputed from the labelled customers and their features.
    share = pipeline.scalar(
        "select sum(f.gross_revenue) filter (where s.is_insider) / sum(f.gross_revenue) "
        "from customer_segments as s inner join customer_features as f using (customer_id)"
    )
    assert answer(pipeline, 4).startswith(f"{100 * share:.1f}% of the revenue")

    # Question 5: the members' expected revenue from customer_value, beside the run rate
    # recomputed from the cleaned lines (the Insiders' purchases of the last 90 days).
    expected = pipeline.scalar(
        "select sum(v.expected_revenue_next_period) from customer_value as v "
        "inner join customer_segments as s using (customer_id) where s.is_insider"
    )
    last_period = pipeline.scalar(
        "select sum(l.line_revenue) from intermediate.int_invoice_lines_cleaned as l "
        "inner join customer_segments as s using (customer_id) "
        "where s.is_insider and l.is_purchase and l.invoiced_on > "
        "(select max(invoiced_on) from intermediate.int_invoice_lines_cleaned) - 90"
    )
    assert answer(pipeline, 5).startswith(f"£{float(expected):,.0f} (95% interval £")
    assert f"the run rate would say £{float(last_period):,.0f}" in answer(pipeline, 5)

    # Question 8: the control group is the stated fifth of the members.
    control = pipeline.scalar("select count(*) from insiders where is_control_group")
    assert control == round(insiders * 0.2)
    assert f"{control:,} control against {insiders - control:,} members" in answer(pipeline, 8)

    # Question 9 names every segment.
    for (segment,) in pipeline.query("select segment from segment_profiles"):
        assert f"{segment}: " in answer(pipeline, 9)


@pytest.mark.slow
def test_report_is_byte_identical_on_the_same_database(pipeline, tmp_path):
    first = write_report(pipeline.database, tmp_path / "first.html").read_bytes()
    second = write_report(pipeline.database, tmp_path / "second.html").read_bytes()
    assert first == second


@pytest.mark.slow
def test_report_command_writes_the_file_and_draws_the_study(pipeline, tmp_path):
    study = tmp_path / "study.csv"
    study.write_text("algorithm,k,silhouette\nkmeans,2,0.5\nkmeans,3,0.45\n", encoding="utf-8")
    output = tmp_path / "nested" / "report.html"
    args = ["report", "--database", str(pipeline.database), "--output", str(output)]
    assert main([*args, "--study-silhouettes", str(study)]) == 0
    assert "Dashed lines: the study" in output.read_text(encoding="utf-8")


def test_report_command_without_a_database_fails_politely(tmp_path, capsys):
    missing = tmp_path / "missing.duckdb"
    assert main(["report", "--database", str(missing), "--output", str(tmp_path / "r.html")]) == 1
    assert "no database" in capsys.readouterr().out
    assert not (tmp_path / "r.html").exists()


def test_study_silhouettes_need_their_columns(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("method,clusters,score\nkmeans,2,0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        load_study_silhouettes(wrong)


def test_study_silhouettes_are_read_in_order(tmp_path):
    study = tmp_path / "study.csv"
    study.write_text("k,algorithm,silhouette\n3,kmeans,0.4\n2,kmeans,0.5\n", encoding="utf-8")
    frame = load_study_silhouettes(Path(study))
    assert list(frame.columns) == ["algorithm", "k", "silhouette"]
    assert list(frame["k"]) == [2, 3]
