"""Input traps through dbt: UK dates, dates that cannot tell their order, broken csv lines."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PIPELINE_SEED, REPO, BuiltPipeline, dbt_env, run_dbt

from insiders.generator.generate import generate

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
FEATURES = "select * from main.customer_features order by customer_id"
# The model alone: dbt show would also run the tests next to it.
SHOW_STAGING = ("--select", "stg_retail__invoice_lines", "--indirect-selection", "empty")
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def rewrite_dates(source: Path, target: Path, date_format: str) -> None:
    """The generated csv (dates as 12/1/2010 8:26) with its dates in another format."""
    with (
        source.open(encoding="latin-1", newline="") as text,
        target.open("w", encoding="latin-1", newline="") as out,
    ):
        rows, writer = csv.reader(text), csv.writer(out, lineterminator="\n")
        header = next(rows)
        writer.writerow(header)
        position = header.index("InvoiceDate")
        for row in rows:
            invoiced_at = dt.datetime.strptime(row[position], "%m/%d/%Y %H:%M")
            row[position] = invoiced_at.strftime(date_format)
            writer.writerow(row)


def build_features(root: Path, raw_path: Path) -> BuiltPipeline:
    """The lines up to customer_features and the audit of rejections, built without tests."""
    database = root / f"{raw_path.stem}.duckdb"
    env = dbt_env(root / raw_path.stem, raw_path, database)
    run_dbt(env, "build", "--select", "+customer_features +rejected_invoice_lines", *NO_TESTS)
    return BuiltPipeline(root, raw_path, raw_path, database, env)


@pytest.mark.slow
def test_uk_dates_give_the_same_customer_features(tmp_path):
    files = generate(tmp_path / "us.csv", scale=0.02, seed=PIPELINE_SEED)
    uk_path = tmp_path / "uk.csv"
    rewrite_dates(Path(files.data_path), uk_path, "%d/%m/%Y %H:%M")

    us, uk = build_features(tmp_path, Path(files.data_path)), build_features(tmp_path, uk_path)

    rejected = "select rejection_reason, count(*) from audit.rejected_invoice_lines group by all"
    assert sorted(uk.query(rejected)) == sorted(us.query(rejected))
    assert uk.scalar("select count(*) from main.customer_features") > 50
    assert uk.frame(FEATURES).equals(us.frame(FEATURES))


def dbt_show(tmp_path: Path, raw_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dbt_env(tmp_path, raw_path, tmp_path / "dates.duckdb")
    return subprocess.run(
        [str(BIN / "dbt"), "show", *SHOW_STAGING, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            ["12/1/2010 8:26", "1/12/2010 9:00"],
            r"order of the invoice dates cannot be told: in all 2 slash dates \(lines 2 to 3\)",
        ),
        (
            ["13/1/2011 8:26", "1/12/2010 9:00", "1/13/2011 9:00"],
            r"disagree on the day/month order: line 2 \(13/1/2011 8:26\) has the day first, "
            r"line 4 \(1/13/2011 9:00\) the month first",
        ),
    ],
    ids=["cannot tell", "disagree"],
)
def test_dates_whose_order_is_unclear_stop_the_build_naming_lines(tmp_path, dates, message):
    lines = [f"{n},A,a,1,{date},2.55,17850,UK" for n, date in enumerate(dates)]
    raw_path = tmp_path / "dates.csv"
    raw_path.write_text("\n".join([UCI_HEADER, *lines]) + "\n")

    result = dbt_show(tmp_path, raw_path)

    assert result.returncode != 0
    assert re.search(r"dates\.csv: the .*" + message, result.stdout), result.stdout[-3000:]


@pytest.mark.slow
def test_a_declared_date_order_settles_dates_that_cannot_tell(tmp_path, monkeypatch):
    raw_path = tmp_path / "dates.csv"
    raw_path.write_text(f"{UCI_HEADER}\n1,A,a,1,1/12/2010 8:26,2.55,17850,UK\n")
    monkeypatch.setenv("INSIDERS_DATE_ORDER", "dmy")

    result = dbt_show(tmp_path, raw_path, "--output", "json")

    assert result.returncode == 0, result.stdout[-3000:]
    assert "2010-12-01T08:26:00" in result.stdout
