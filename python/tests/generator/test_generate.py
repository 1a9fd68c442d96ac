"""Tests for the built-in data generator: profile, shape, determinism and ground truth."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from insiders import cli
from insiders.generator import generate as generator
from insiders.generator.catalogue import build_catalogue
from insiders.generator.generate import GeneratedFiles, generate, register
from insiders.generator.plan import build_plan
from insiders.generator.sampling import fit_total

SPECIAL_CODES = (
    "POST", "D", "DOT", "M", "S", "AMAZONFEE", "m", "DCGSSBOY", "DCGSSGIRL", "PADS", "B",
    "CRUK", "BANK CHARGES", "C2",
)  # fmt: skip
EXPECTED_TYPES = {
    "InvoiceNo": "VARCHAR",
    "StockCode": "VARCHAR",
    "Description": "VARCHAR",
    "Quantity": "BIGINT",
    "InvoiceDate": "TIMESTAMP",
    "UnitPrice": "DOUBLE",
    "CustomerID": "DOUBLE",
    "Country": "VARCHAR",
}
HIGH_VALUE = {"loyal_high_value", "wholesaler"}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> GeneratedFiles:
    """The scale-0.01 data set, written once for the module."""
    return generate(tmp_path_factory.mktemp("small") / "retail.parquet", scale=0.01)


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> GeneratedFiles:
    return generate(tmp_path_factory.mktemp("small_csv") / "retail.csv", scale=0.01)


def _profile(path: Path) -> dict[str, float]:
    """The published profile figures, measured with DuckDB on a generated file."""
    con = duckdb.connect()
    con.execute(f"create view d as select * from read_parquet('{path}')")
    row = con.execute(
        """
        select
            count(*),
            count(distinct InvoiceNo),
            count(distinct StockCode),
            count(distinct CustomerID),
            count(distinct Country),
            count(*) filter (where CustomerID is null),
            count(*) filter (where Description is null),
            count(*) filter (where InvoiceNo like 'C%'),
            count(*) filter (where InvoiceNo like 'C%' and Quantity >= 0),
            count(*) filter (where UnitPrice < 0.04),
            count(*) filter (where UnitPrice = 0),
            count(*) filter (where InvoiceNo like 'A%' and UnitPrice < 0),
            count(*) filter (where Country = 'United Kingdom') / count(*),
            count(*) filter (where dayofweek(InvoiceDate) = 6),
            min(InvoiceDate),
            max(InvoiceDate)
        from d
        """
    ).fetchone()
    names = [
        "lines",
        "invoices",
        "stock_codes",
        "customers",
        "countries",
        "no_customer",
        "no_description",
        "cancellations",
        "positive_cancellations",
        "under_4p",
        "zero_price",
        "negative_adjustments",
        "uk_share",
        "saturdays",
        "first",
        "last",
    ]
    profile = dict(zip(names, row, strict=True))
    profile["duplicates"] = con.execute(
        "select count(*) - (select count(*) from (select distinct * from d)) from d"
    ).fetchone()[0]
    profile["top30_revenue_share"] = con.execute(
        """
        with revenue as (
            select CustomerID, sum(Quantity * UnitPrice) as revenue
            from d where CustomerID is not null group by 1
        ),
        ranked as (
            select revenue, row_number() over (order by revenue desc) as rank,
                count(*) over () as customers
            from revenue
        )
        select sum(revenue) filter (where rank <= ceil(0.3 * customers)) / sum(revenue)
        from ranked
        """
    ).fetchone()[0]
    return profile


def _close(actual: float, target: float, tolerance: float) -> bool:
    return abs(actual - target) <= tolerance * target


def test_columns_have_the_real_file_types(small: GeneratedFiles) -> None:
    described = duckdb.sql(f"describe select * from read_parquet('{small.data_path}')").fetchall()
    assert {name: kind for name, kind, *_ in described} == EXPECTED_TYPES
    assert [name for name, *_ in described] == list(EXPECTED_TYPES)


def test_small_scale_profile_is_roughly_the_real_one(small: GeneratedFiles) -> None:
    p = _profile(small.data_path)
    assert small.lines == p["lines"]
    for name, target in [
        ("lines", 5_419),
        ("invoices", 259),
        ("customers", 44),
        ("no_customer", 1_351),
        ("no_description", 15),
        ("cancellations", 93),
        ("duplicates", 53),
    ]:
        assert _close(p[name], target, 0.10), (name, p[name], target)
    assert p["positive_cancellations"] == 0
    assert p["negative_adjustments"] >= 1
    assert 0.85 <= p["uk_share"] <= 0.97
    assert p["countries"] >= 4
    assert p["saturdays"] == 0
    assert p["first"] == datetime(2010, 12, 1, 8, 26)
    assert p["last"] == datetime(2011, 12, 9, 12, 50)


@pytest.mark.slow
def test_default_scale_profile_matches_the_published_one(tmp_path: Path) -> None:
    files = generate(tmp_path / "retail.parquet")
    p = _profile(files.data_path)
    for name, target in [
        ("lines", 541_909),
        ("invoices", 25_900),
        ("stock_codes", 4_070),
        ("customers", 4_372),
        ("no_customer", 135_080),
        ("no_description", 1_454),
        ("cancellations", 9_288),
        ("duplicates", 5_268),
        ("under_4p", 2_500),
    ]:
        assert _close(p[name], target, 0.02), (name, p[name], target)
    assert p["countries"] == 38
    assert 0.895 <= p["uk_share"] <= 0.93
    assert p["positive_cancellations"] == 0
    assert 1 <= p["negative_adjustments"] <= 5
    assert p["zero_price"] > 1_454  # the description-less lines and some more
    # The real file's per-customer revenue quantiles (issue 16) and its top customers (a dozen
    # above 50,000) put the top 30% of customers at about 0.82 of revenue; measured 0.85 here.
    assert 0.78 <= p["top30_revenue_share"] <= 0.88
    assert p["saturdays"] == 0
    assert (p["first"], p["last"]) == (datetime(2010, 12, 1, 8, 26), datetime(2011, 12, 9, 12, 50))

    con = duckdb.connect()
    data = f"read_parquet('{files.data_path}')"
    countries = con.execute(
        f"select Country from {data} group by 1 order by count(*) desc limit 4"
    ).fetchall()
    assert [c for (c,) in countries] == ["United Kingdom", "Germany", "France", "EIRE"]
    present = dict(
        con.execute(
            f"select Country, count(*) from {data} "
            "where Country in ('European Community', 'Unspecified') group by 1"
        ).fetchall()
    )
    assert set(present) == {"European Community", "Unspecified"}
    months = con.execute(
        f"select month(InvoiceDate), count(*) from {data} "
        "where year(InvoiceDate) = 2011 group by 1 order by 2 desc"
    ).fetchall()
    assert months[0][0] == 11  # the November peak
    hours = con.execute(f"select min(hour(InvoiceDate)), max(hour(InvoiceDate)) from {data}")
    low, high = hours.fetchone()
    assert low >= 6 and high <= 20
    codes = dict(
        con.execute(
            f"select StockCode, count(*) from {data} where StockCode in {SPECIAL_CODES} group by 1"
        ).fetchall()
    )
    assert set(codes) == set(SPECIAL_CODES)
    assert 1_100 <= codes["POST"] <= 1_400
    assert 600 <= codes["DOT"] <= 800
    assert codes["B"] == 3


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a" / "retail.parquet", scale=0.01, seed=7)
    second = generate(tmp_path / "b" / "retail.parquet", scale=0.01, seed=7)
    other = generate(tmp_path / "c" / "retail.parquet", scale=0.01, seed=8)
    assert first.data_path.read_bytes() == second.data_path.read_bytes()
    assert first.truth_path.read_bytes() == second.truth_path.read_bytes()
    assert first.data_path.read_bytes() != other.data_path.read_bytes()


def test_chunk_size_does_not_change_the_lines(
    small: GeneratedFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "CHUNK_LINES", 700)
    chunked = generate(tmp_path / "retail.parquet", scale=0.01)
    assert pq.ParquetFile(chunked.data_path).num_row_groups > 5
    assert pq.read_table(chunked.data_path).equals(pq.read_table(small.data_path))


def test_csv_is_latin1_in_the_downloaded_shape(
    small: GeneratedFiles, small_csv: GeneratedFiles
) -> None:
    raw = small_csv.data_path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # latin-1 '£'/'É' bytes are not valid UTF-8
    text = raw.decode("latin-1")
    lines = text.splitlines()
    assert (
        lines[0]
        == "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
    )
    assert any(ch in text for ch in "£ÉéÈèÂÀÜÖÅÏ")

    frame = pd.read_csv(small_csv.data_path, encoding="latin-1", dtype=str, keep_default_na=False)
    assert frame["InvoiceDate"].iloc[0] == "12/1/2010 8:26"
    assert frame["InvoiceDate"].str.fullmatch(r"[1-9]\d?/[1-9]\d?/20(10|11) [1-9]\d?:\d\d").all()
    ids = frame["CustomerID"]
    assert ids.str.fullmatch(r"(\d{5,6}\.0)?").all()
    assert (ids == "").any()
    assert frame["UnitPrice"].str.fullmatch(r"-?\d+\.\d+").all()
    assert "2.55" in set(frame["UnitPrice"])
    assert '"PAPER CRAFT , LITTLE BIRDIE"' in text

    expected = pq.read_table(small.data_path).to_pandas()
    assert len(frame) == len(expected)
    assert (frame["InvoiceNo"] == expected["InvoiceNo"]).all()
    assert (frame["Quantity"].astype(np.int64) == expected["Quantity"]).all()
    assert np.array_equal(frame["UnitPrice"].astype(float), expected["UnitPrice"])
    parsed = pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")
    assert (parsed == expected["InvoiceDate"]).all()


def test_planted_wholesale_line_is_cancelled_minutes_later(small: GeneratedFiles) -> None:
    data = pq.read_table(small.data_path).to_pandas()
    big = data[data["Quantity"].abs() == 80_995]
    assert len(big) == 2
    bought = big[big["Quantity"] > 0].iloc[0]
    cancelled = big[big["Quantity"] < 0].iloc[0]
    assert bought["CustomerID"] == cancelled["CustomerID"] == 16446
    assert bought["StockCode"] == cancelled["StockCode"] == "23843"
    assert bought["Description"] == "PAPER CRAFT , LITTLE BIRDIE"
    assert bought["UnitPrice"] == cancelled["UnitPrice"] == 2.08
    assert bought["Country"] == "United Kingdom"
    assert bought["InvoiceDate"] == datetime(2011, 12, 9, 9, 15)
    assert cancelled["InvoiceNo"].startswith("C")
    assert not bought["InvoiceNo"].startswith("C")
    delay = cancelled["InvoiceDate"] - bought["InvoiceDate"]
    assert timedelta(0) < delay <= timedelta(minutes=30)
    others = data[data["StockCode"] != "23843"]
    assert others["Quantity"].abs().max() < 10_000


def test_truth_matches_the_data(small: GeneratedFiles) -> None:
    con = duckdb.connect()
    con.execute(f"create view d as select * from read_parquet('{small.data_path}')")
    con.execute(f"create view t as select * from read_parquet('{small.truth_path}')")
    types = dict(con.execute("select column_name, column_type from (describe t)").fetchall())
    assert types == {
        "customer_id": "BIGINT",
        "archetype": "VARCHAR",
        "is_high_value": "BOOLEAN",
        "stops_buying_on": "DATE",
    }
    truth = con.execute("select * from t").df()
    buyers = set(con.execute("select distinct CustomerID::bigint from d").df().iloc[:, 0].dropna())
    assert buyers == set(truth["customer_id"])
    assert truth["customer_id"].is_unique
    assert set(truth["archetype"]) >= {"one_off", "lapsed", "regular", "wholesaler"}
    assert (truth["is_high_value"] == truth["archetype"].isin(HIGH_VALUE)).all()
    assert (truth["stops_buying_on"].notna() == (truth["archetype"] == "lapsed")).all()
    late = con.execute(
        """
        select count(*) from d join t on d.CustomerID = t.customer_id
        where d.InvoiceDate::date > t.stops_buying_on
        """
    ).fetchone()[0]
    assert late == 0
    on_the_day = con.execute(
        """
        select count(distinct t.customer_id) from d join t on d.CustomerID = t.customer_id
        where d.InvoiceDate::date = t.stops_buying_on and d.Quantity > 0
        """
    ).fetchone()[0]
    assert on_the_day == int(truth["stops_buying_on"].notna().sum())


def test_lines_without_customer_are_on_invoices_without_customer(small: GeneratedFiles) -> None:
    mixed = duckdb.sql(
        f"""
        select InvoiceNo from read_parquet('{small.data_path}')
        group by 1 having count(distinct CustomerID is null) > 1
        """
    ).fetchall()
    assert mixed == []


def test_customer_ids_stay_in_the_real_range_then_jump_to_100000() -> None:
    plan = build_plan(seed=42, scale=1.2)
    ids = plan.customers.ids
    assert ids.size == round(4_372 * 1.2)
    real = ids[ids < 100_000]
    assert real.size == 4_372
    assert real.min() >= 12_346 and real.max() <= 18_287
    assert 16_446 in real
    assert ((ids < 19_000) | (ids >= 100_000)).all()
    assert np.unique(ids).size == ids.size


def test_catalogue_has_latin1_names_and_4056_products() -> None:
    catalogue = build_catalogue()
    assert len(set(catalogue.stock_codes)) == 4_056
    assert len(set(catalogue.descriptions)) == 4_056
    non_ascii = [d for d in catalogue.descriptions if not d.isascii()]
    assert len(non_ascii) >= 5
    for name in non_ascii:
        name.encode("latin-1")


def test_fit_total_hits_the_total_within_bounds() -> None:
    weights = np.random.default_rng(0).lognormal(0, 1, 500)
    counts = fit_total(weights, 10_000, 1, 60)
    assert counts.sum() == 10_000
    assert counts.min() >= 1 and counts.max() <= 60
    assert np.corrcoef(np.minimum(weights, np.quantile(weights, 0.9)), counts)[0, 1] > 0.9
    with pytest.raises(ValueError, match="cannot spread"):
        fit_total(weights, 100, 1, 60)


def test_rejects_scales_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path / "x.parquet", scale=0.001)
    assert not (tmp_path / "x.parquet").exists()


def test_cli_writes_then_leaves_existing_output_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "raw" / "retail.csv"
    assert cli.main(["generate", "--out", str(out), "--scale", "0.01", "--seed", "3"]) == 0
    written = capsys.readouterr().out.splitlines()
    assert len(written) == 2
    assert re.search(r"retail\.csv: 5,419 invoice lines", written[0])
    assert re.search(r"retail_truth\.parquet: 44 customers", written[1])
    assert out.read_bytes()[:9] == b"InvoiceNo"
    before = out.read_bytes()

    assert cli.main(["generate", "--out", str(out), "--scale", "0.02", "--seed", "3"]) == 0
    assert "left as it is" in capsys.readouterr().out
    assert out.read_bytes() == before

    args = ["generate", "--out", str(out), "--scale", "0.02", "--format", "parquet", "--force"]
    assert cli.main(args) == 0
    assert "10,838 invoice lines" in capsys.readouterr().out
    assert out.read_bytes()[:4] == b"PAR1"


def test_register_sets_the_documented_defaults() -> None:
    parser = argparse.ArgumentParser()
    register(parser)
    args = parser.parse_args([])
    assert args.out == Path("data/raw/online_retail.parquet")
    assert (args.scale, args.seed, args.format, args.force) == (1.0, 42, None, False)
    assert args.func is generator._run
    with pytest.raises(SystemExit):
        parser.parse_args(["--format", "xlsx"])
