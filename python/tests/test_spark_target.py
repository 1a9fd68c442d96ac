"""The `spark` target: the same SQL models on a local Spark, equal to the DuckDB build.

Spark lands the raw file and runs the project's SQL from it to customer_features (the `spark`
selector) on the data of the session's DuckDB pipeline; every table it writes, the landed source
tables included, must equal DuckDB's, row for row. Spark's tables are parquet folders in its
warehouse, read back here with DuckDB, so no second Spark session is needed. The second step of
the two-step run (the clustering on DuckDB, from Spark's customer_features) runs on that build.
Each Spark run has a folder of its own (metastore and warehouse): the local Derby metastore
admits one process at a time. Every command is one Spark session (10-12 s to start).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BuiltPipeline, dbt_env, run_dbt
from readme_commands import readme_command, shell

from insiders.dbt_runner import DbtError, run_dbt_in_child
from insiders.generator.generate import generate
from insiders.landing.raw_file import open_landed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs java (make java)"),
]

# Floats agree to this relative difference: the engines sum and divide in different orders.
FLOAT_RELATIVE_TOLERANCE = 1e-12
# The README's commands (README, "Bigger than one machine"), run here as written: the two steps,
# then the SQL marts on Spark over the Python models' tables the DuckDB step exported.
SPARK_STEP = ".venv/bin/dbt build --target spark --selector spark --"
DUCKDB_STEP = ".venv/bin/dbt build --selector after_spark"
EXPORT_STEP = ".venv/bin/dbt run-operation export_python_model_tables"
REGISTER_STEP = ".venv/bin/dbt run-operation register_python_model_tables"
SPARK_MARTS_STEP = ".venv/bin/dbt build --target spark --selector spark_marts"
# Tables a first run leaves empty: nobody has joined or left yet.
EMPTY_ON_A_FIRST_RUN = ("insiders_membership_changes",)
# Columns that differ between any two builds: the clustering's timings, and the snapshot's
# row hash and load time; and the mapping's file, a path on DuckDB, the project's on Spark.
LEFT_OUT = ("fit_seconds", "dbt_scd_id", "dbt_updated_at", "mapping_file")

# A table by (schema, table), as a relation to compare.
Reader = Callable[[str, str], duckdb.DuckDBPyRelation]


def spark_env(root: Path, raw_path: Path, database: Path) -> dict[str, str]:
    env = dbt_env(root, raw_path, database)
    env.update(
        INSIDERS_SPARK_DIR=str(root / "spark"),
        INSIDERS_SPARK_DRIVER_MEMORY="1g",
        INSIDERS_SPARK_SHUFFLE_PARTITIONS="2",
    )
    return env


def spark_table_path(root: Path, schema: str, table: str) -> Path:
    return root / "spark" / "warehouse" / f"{schema}.db" / table


def spark_table(root: Path, schema: str, table: str) -> duckdb.DuckDBPyRelation:
    """A table of the Spark build in ``root``: its parquet folder in the warehouse."""
    return duckdb.read_parquet(f"{spark_table_path(root, schema, table)}/*.parquet")


@contextmanager
def duckdb_file(database: Path) -> Iterator[Reader]:
    """The tables of a DuckDB database, open read-only until the block ends."""
    with duckdb.connect(str(database), read_only=True) as con:
        yield lambda schema, table: con.table(f'"{schema}"."{table}"')


@pytest.fixture(scope="module")
def spark_build(pipeline: BuiltPipeline, tmp_path_factory) -> Path:
    """The `spark` selector built on the pipeline's raw file; returns its folder."""
    root = tmp_path_factory.mktemp("spark")
    shell(readme_command(SPARK_STEP), spark_env(root, pipeline.raw_path, root / "unused.duckdb"))
    return root


def built_tables(root: Path, kinds: tuple[str, ...] = ("table",)) -> list[tuple[str, str]]:
    """(schema, table) of every model (and snapshot) a build in ``root`` materialised as one of
    ``kinds``; every node of the build must have succeeded."""
    results = json.loads((root / "target" / "run_results.json").read_text())
    manifest = json.loads((root / "target" / "manifest.json").read_text())
    tables = []
    for result in results["results"]:
        assert result["status"] in ("success", "pass", "no-op"), result
        node = manifest["nodes"].get(result["unique_id"])  # unit tests are not nodes
        is_relation = node and node["resource_type"] in ("model", "snapshot")
        if is_relation and node["config"]["materialized"] in kinds:
            tables.append((node["schema"], node["alias"]))
    return tables


def ordered_rows(
    relation: duckdb.DuckDBPyRelation, leave_out: tuple[str, ...] = ()
) -> tuple[list[str], list]:
    columns = [c for c in relation.columns if c not in leave_out]
    listed = ", ".join(f'"{column}"' for column in columns)
    return columns, relation.select(listed).order("all").fetchall()


def same_value(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=FLOAT_RELATIVE_TOLERANCE, abs_tol=1e-12)
    return left == right


def assert_same_rows(name: str, duck: tuple[list[str], list], spark: tuple[list[str], list]):
    assert spark[0] == duck[0], f"{name}: columns differ"
    assert len(spark[1]) == len(duck[1]), f"{name}: {len(spark[1])} rows on Spark, {len(duck[1])}"
    for number, (duck_row, spark_row) in enumerate(zip(duck[1], spark[1], strict=True)):
        for column, left, right in zip(duck[0], duck_row, spark_row, strict=True):
            assert same_value(left, right), (
                f"{name}, row {number} (sorted), {column}: DuckDB {left!r}, Spark {right!r}"
            )


def assert_tables_equal(read: Reader, tables, expected: Path) -> None:
    """Every (schema, table) ``read`` gives equals the same table of the ``expected`` DuckDB
    database, row for row."""
    with duckdb_file(expected) as read_expected:
        for schema, table in tables:
            duck = ordered_rows(read_expected(schema, table), LEFT_OUT)
            built = ordered_rows(read(schema, table), LEFT_OUT)
            if table not in EMPTY_ON_A_FIRST_RUN:
                assert duck[1], f"{schema}.{table} is empty: the comparison would prove nothing"
            assert_same_rows(f"{schema}.{table}", duck, built)


def test_spark_builds_the_sql_models_equal_to_duckdb(pipeline, spark_build):
    tables = built_tables(spark_build)
    expected = {
        ("intermediate", "int_invoice_lines_screened"),
        ("intermediate", "int_invoice_lines_cleaned"),
        ("intermediate", "int_customer_value_windows"),
        ("audit", "invoice_line_accounting"),
        ("audit", "rejected_invoice_lines"),
        ("audit", "customer_accounting"),
        ("main", "customer_features"),
    }
    assert expected <= set(tables)
    compared = [*tables, ("raw", "invoice_lines"), ("raw", "mapping")]
    assert_tables_equal(partial(spark_table, spark_build), compared, pipeline.database)


@pytest.fixture(scope="module")
def second_step(spark_build) -> tuple[Path, dict[str, str]]:
    """The README's second step on a fresh database, from the Spark build's warehouse; the raw
    file does not exist, so nothing can read it."""
    root = spark_build / "second_step"
    env = spark_env(root, spark_build / "no_raw_file.parquet", root / "insiders.duckdb")
    env["INSIDERS_SPARK_DIR"] = str(spark_build / "spark")
    shell(readme_command(DUCKDB_STEP), env)
    return root, env


AFTER_SPARK_TABLES = {
    ("main", "cluster_model_selection"),
    ("main", "customer_segments"),
    ("main", "customer_value_predictions"),
    ("main", "customers"),
    ("main", "insiders"),
    ("main", "rpt_insiders_answers"),
    ("main", "insiders_membership_runs"),
    ("snapshots", "customer_segments_snapshot"),
}


def test_second_step_builds_the_rest_from_spark_like_the_duckdb_build(pipeline, second_step):
    """The two-step run: DuckDB reads what Spark wrote (views over its parquet) and builds every
    model downstream of it, tests on, equal to the DuckDB build of the same file."""
    root, _ = second_step
    tables = built_tables(root, ("table", "incremental", "snapshot"))
    assert set(tables) >= AFTER_SPARK_TABLES
    assert ("main", "customer_features") not in tables
    with duckdb_file(root / "insiders.duckdb") as read:
        assert_tables_equal(read, tables, pipeline.database)
    with duckdb.connect(str(root / "insiders.duckdb"), read_only=True) as con:
        read_from_spark = con.sql(
            "select schema_name, view_name from duckdb_views() where sql like '%read_parquet%'"
        ).fetchall()
    assert ("main", "customer_features") in read_from_spark
    assert ("intermediate", "int_customer_value_windows") in read_from_spark


def test_second_step_again_on_the_used_database(pipeline, second_step):
    """The same month again on the database the first run left: the record of runs and the
    snapshot take the rerun's rows in place of the first run's, so the tables stay equal."""
    root, env = second_step
    shell(readme_command(DUCKDB_STEP), env)
    tables = built_tables(root, ("table", "incremental", "snapshot"))
    assert set(tables) >= AFTER_SPARK_TABLES
    with duckdb_file(root / "insiders.duckdb") as read:
        assert_tables_equal(read, tables, pipeline.database)


def test_spark_builds_the_sql_marts_over_the_python_models_tables(
    pipeline, spark_build, second_step
):
    """The SQL marts on Spark: the DuckDB step's Python-model tables exported into Spark's
    warehouse and registered there (a local Spark cannot run Python models), then every SQL mart
    built on Spark equals the DuckDB build's."""
    _, env = second_step
    shell(readme_command(EXPORT_STEP), env)
    marts_root = spark_build / "marts"
    marts_env = {**env, "DBT_TARGET_PATH": str(marts_root / "target")}
    shell(readme_command(REGISTER_STEP), marts_env)
    shell(readme_command(SPARK_MARTS_STEP), marts_env)
    tables = built_tables(marts_root)
    assert {
        ("main", "customers"),
        ("main", "segment_profiles"),
        ("main", "rpt_insiders_membership_criteria"),
        ("main", "rpt_insiders_answers"),
    } <= set(tables)
    assert_tables_equal(partial(spark_table, spark_build), tables, pipeline.database)


def test_spark_step_again_on_the_used_spark_folder(pipeline, spark_build):
    """The README's Spark step on the folder the earlier Spark commands left (metastore,
    warehouse, registered tables): it rebuilds its tables equal to DuckDB's again."""
    env = spark_env(spark_build, pipeline.raw_path, spark_build / "unused.duckdb")
    shell(readme_command(SPARK_STEP), env)
    tables = built_tables(spark_build)
    assert ("main", "customer_features") in tables
    assert_tables_equal(partial(spark_table, spark_build), tables, pipeline.database)


def with_traps(csv_path: Path) -> None:
    """A blank line, a quoted comma, a line a field too long, one a field short, and a last line
    cut short with no line break: line numbers and the line accounting must survive them. The
    generator writes latin-1 (the Kaggle file's encoding); Spark reads utf-8, so the file is
    written back in utf-8."""
    lines = csv_path.read_text(encoding="latin-1").splitlines()
    fields = next(csv.reader([lines[5]]))
    fields[2] = 'DOOR MAT, "RED"'
    written = io.StringIO()
    csv.writer(written, lineterminator="").writerow(fields)
    lines[5] = written.getvalue()
    lines[7] = lines[7] + ",extra"
    lines[8] = lines[8].rsplit(",", 1)[0]
    lines.insert(10, "")
    lines[-1] = lines[-1].rsplit(",", 2)[0]
    csv_path.write_text("\n".join(lines), encoding="utf-8")


def test_spark_lands_a_csv_like_the_duckdb_landing(tmp_path):
    files = generate(tmp_path / "online_retail.csv", scale=0.01, seed=3)
    raw = Path(files.data_path)
    with_traps(raw)
    env = spark_env(tmp_path, raw, tmp_path / "unused.duckdb")
    run_dbt(env, "run-operation", "land_raw_invoice_lines", "--target", "spark")
    landed = spark_table_path(tmp_path, "raw", "invoice_lines") / "*.parquet"
    expected = pa.Table.from_batches(list(open_landed(raw)))
    with duckdb.connect() as con:
        con.register("expected", expected)
        duck = ordered_rows(con.table("expected"))
        spark = ordered_rows(con.read_parquet(str(landed)))
        errors = con.sql("select line_error, count(*) from expected group by all").fetchall()
    assert any(row[7] == 'DOOR MAT, "RED"' for row in duck[1])
    assert dict(errors) == {
        None: len(duck[1]) - 3,
        "wrong_field_count": 2,
        "truncated_last_line": 1,
    }
    assert_same_rows("raw.invoice_lines", duck, spark)


def test_spark_lands_a_typed_parquet_like_the_duckdb_landing(tmp_path):
    """Each value lands as the DuckDB landing lands it (duckdb_io.typed_sql): numbers and dates
    typed in the *_value columns (a NaN null, an aware timestamp in UTC to the second), and as
    text a whole number beyond 2**53, a decimal and a code stored as a number."""
    raw = tmp_path / "online_retail.parquet"
    invoiced = [dt.datetime(2010, 12, 1, 8, 26, 59, 999999, tzinfo=dt.UTC), None]
    columns = {
        "InvoiceNo": pa.array([536365, 536366, 536367]),
        "StockCode": ["85123A", "D", "22633"],
        "Description": ["HEART", None, "WARMER"],
        "Quantity": pa.array([6, 2**53 + 1, None], pa.int64()),
        "InvoiceDate": pa.array(
            [*invoiced, dt.datetime(2011, 6, 30, 23, 30, tzinfo=dt.UTC)],
            pa.timestamp("us", tz="Europe/London"),
        ),
        "UnitPrice": pa.array([Decimal("2.55"), None, Decimal("27.50")], pa.decimal128(10, 2)),
        "CustomerID": pa.array([17850.0, float("nan"), 0.1 + 0.2]),
        "Country": ["United Kingdom", "France", None],
    }
    pq.write_table(pa.table(columns), raw)
    env = spark_env(tmp_path, raw, tmp_path / "unused.duckdb")
    run_dbt(env, "run-operation", "land_raw_invoice_lines", "--target", "spark")
    expected = pa.Table.from_batches(list(open_landed(raw)))
    with duckdb.connect() as con:
        con.register("expected", expected)
        duck = ordered_rows(con.table("expected"))
        spark = ordered_rows(spark_table(tmp_path, "raw", "invoice_lines"))
        typed = con.sql(
            "select count(quantity_value), count(invoice_date_value), count(customer_id_value),"
            " count(quantity), count(unit_price) from expected"
        )
        assert typed.fetchall() == [(1, 2, 2, 1, 2)]
    assert_same_rows("raw.invoice_lines", duck, spark)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"INSIDERS_RAW_PATH": "online_retail.xlsx"}, "xlsx is landed by the DuckDB target only"),
        ({"INSIDERS_MAPPING": "shopify"}, "the Spark landing reads the online_retail mapping only"),
    ],
)
def test_spark_refuses_what_it_cannot_land_with_a_clear_message(tmp_path, setting, message):
    env = spark_env(tmp_path, tmp_path / "online_retail.csv", tmp_path / "unused.duckdb")
    env.update(
        {
            key: str(tmp_path / value) if key.endswith("PATH") else value
            for key, value in setting.items()
        }
    )
    with pytest.raises(DbtError, match=message):
        run_dbt_in_child(("run-operation", "land_raw_invoice_lines", "--target", "spark"), env=env)
