"""Landing raw files: every shape the data is downloaded in, and the bad files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt.adapters.duckdb.utils import SourceConfig

from insiders.cli import main
from insiders.landing import raw_file as landing
from insiders.landing.dbt_plugin import Plugin
from insiders.landing.raw_file import LANDED_SCHEMA, RawFileError, detect_shape, open_landed

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
RETAIL_II_HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"
VALUES = list(LANDED_SCHEMA.names[4:])


def write_bytes(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def landed(path: Path, encoding: str = "auto") -> list[dict]:
    reader = open_landed(path, encoding)
    assert reader.schema == LANDED_SCHEMA
    return reader.read_all().to_pylist()


def values(row: dict) -> list[str | None]:
    return [row[name] for name in VALUES]


def test_kaggle_csv_is_latin1_and_keeps_its_text(tmp_path):
    path = write_bytes(
        tmp_path / "data.csv",
        f"{UCI_HEADER}\n"
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,"
        "United Kingdom\n"
        '536370,22728,"ALARM CLOCK BAKELIKE PINK, £ 3",24,12/1/2010 8:45,3.75,12583.0,'
        "France\n"
        "C536379,D,Discount,-1,12/1/2010 9:41,27.5,,RÉUNION\n",
        encoding="latin-1",
    )

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format, shape.encoding) == ("kaggle_csv", "csv", "latin-1")
    assert [row["source_line"] for row in rows] == [2, 3, 4]
    assert {row["source_shape"] for row in rows} == {"kaggle_csv"}
    assert {row["source_file"] for row in rows} == {str(path)}
    assert {row["source_sheet"] for row in rows} == {None}
    assert values(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "12/1/2010 8:26",
        "2.55",
        "17850.0",
        "United Kingdom",
    ]
    assert rows[1]["description"] == "ALARM CLOCK BAKELIKE PINK, £ 3"
    assert values(rows[2])[5:] == ["27.5", None, "RÉUNION"]


def test_study_csv_with_unnamed_column_and_day_only_dates(tmp_path):
    path = write_bytes(
        tmp_path / "Ecommerce.csv",
        f"{UCI_HEADER},Unnamed: 8\n"
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,29-Nov-16,2.55,17850,"
        "United Kingdom,\n"
        "536366,22633,HAND WARMER UNION JACK,6,29-Nov-16,1.85,17850,United Kingdom,\n",
        encoding="latin-1",
    )

    rows = landed(path)

    assert detect_shape(path).name == "study_csv"
    assert [row["source_line"] for row in rows] == [2, 3]
    assert values(rows[1]) == [
        "536366",
        "22633",
        "HAND WARMER UNION JACK",
        "6",
        "29-Nov-16",
        "1.85",
        "17850",
        "United Kingdom",
    ]


def test_retail_ii_csv_is_utf8(tmp_path):
    path = write_bytes(
        tmp_path / "online_retail_II.csv",
        f"{RETAIL_II_HEADER}\n"
        "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,"
        "13085.0,United Kingdom\n"
        "489435,22350,CAFÉ CAT BOWL £,12,2009-12-01 07:46:00,2.55,,EIRE\n",
    )

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.encoding) == ("retail_ii_csv", "utf-8")
    assert values(rows[0]) == [
        "489434",
        "85048",
        "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
        "12",
        "2009-12-01 07:45:00",
        "6.95",
        "13085.0",
        "United Kingdom",
    ]
    assert rows[1]["description"] == "CAFÉ CAT BOWL £"
    assert rows[1]["customer_id"] is None


def test_header_names_match_trimmed_in_any_case_and_order(tmp_path):
    path = write_bytes(
        tmp_path / "shuffled.csv",
        " country , INVOICENO,stockcode,Description ,quantity,invoicedate,UNITPRICE,customerid\n"
        "France,536370,22728,ALARM CLOCK,24,12/1/2010 8:45,3.75,12583.0\n",
    )

    assert values(landed(path)[0]) == [
        "536370",
        "22728",
        "ALARM CLOCK",
        "24",
        "12/1/2010 8:45",
        "3.75",
        "12583.0",
        "France",
    ]


def test_line_numbers_stay_exact_with_blank_lines_crlf_and_bom(tmp_path):
    path = write_bytes(
        tmp_path / "data.csv",
        f"\ufeff{UCI_HEADER}\r\n"
        "1,A,a,1,d,1,1,UK\r\n"
        "\r\n"
        "\r\n"
        "2,B,b,2,d,2,2,UK\r\n"
        "\r\n"
        "3,C,c,3,d,3,3,UK\r\n",
    )

    rows = landed(path)

    assert detect_shape(path).columns[0] == "InvoiceNo"
    assert [(row["source_line"], row["invoice_no"]) for row in rows] == [
        (2, "1"),
        (5, "2"),
        (7, "3"),
    ]


def test_a_quoted_value_spanning_lines_keeps_the_line_its_row_starts_on(tmp_path):
    path = write_bytes(
        tmp_path / "data.csv",
        f"{UCI_HEADER}\n"
        '1,A,"two\nlines",1,d,1,1,UK\n'
        "\n"
        '2,B,"three\n\nlines",2,d,2,2,UK\n'
        "3,C,c,3,d,3\n",
    )

    rows = landed(path)

    assert [(row["source_line"], row["description"]) for row in rows] == [
        (2, "two\nlines"),
        (5, "three\n\nlines"),
        (8, "c"),
    ]
    assert values(rows[2])[-2:] == [None, None]


def test_many_batches_and_small_reads_keep_file_order_and_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(landing, "_BATCH_ROWS", 1_000)
    monkeypatch.setattr(landing, "_CHUNK_BYTES", 7)
    lines = [UCI_HEADER]
    for number in range(5_000):
        lines.append(f"{number},S,É,1,d,1,1,UK")
        if number % 997 == 0:
            lines.append("")
    path = write_bytes(tmp_path / "data.csv", "\n".join(lines) + "\n")

    reader = open_landed(path)
    batches = list(reader)
    rows = pa.Table.from_batches(batches, LANDED_SCHEMA).to_pylist()

    expected = [(n + 1, text.split(",")[0]) for n, text in enumerate(lines) if n > 0 and text]
    assert len(batches) > 1
    assert detect_shape(path).encoding == "utf-8"
    assert [(row["source_line"], row["invoice_no"]) for row in rows] == expected


def test_truncated_last_line_lands_with_nulls(tmp_path):
    path = write_bytes(
        tmp_path / "data.csv",
        f"{UCI_HEADER}\n1,A,a,1,12/1/2010 8:26,2.55,17850.0,UK\n2,B,bro",
    )

    rows = landed(path)

    assert [row["source_line"] for row in rows] == [2, 3]
    assert values(rows[1]) == ["2", "B", "bro", None, None, None, None, None]


def uci_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Online Retail"
    sheet.append(UCI_HEADER.split(","))
    sheet.append(
        [
            "536365",
            "85123A",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            6,
            dt.datetime(2010, 12, 1, 8, 26),
            2.55,
            17850,
            "United Kingdom",
        ]
    )
    sheet.append([536366, 22633, "HAND WARMER ", 6, dt.datetime(2010, 12, 1, 8, 28), 1.85, 17850.0])
    sheet.append([])
    sheet.append(["C536379", "D", "Discount", -1, dt.datetime(2010, 12, 1, 9, 41), 27.5, None, "É"])
    workbook.save(path)
    return path


def test_uci_xlsx_renders_typed_cells_as_canonical_text(tmp_path):
    path = uci_workbook(tmp_path / "Online Retail.xlsx")

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format, shape.encoding) == ("uci_xlsx", "xlsx", None)
    assert shape.sheets == ("Online Retail",)
    assert [(row["source_sheet"], row["source_line"]) for row in rows] == [
        ("Online Retail", 2),
        ("Online Retail", 3),
        ("Online Retail", 5),
    ]
    assert values(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "2010-12-01 08:26:00",
        "2.55",
        "17850",
        "United Kingdom",
    ]
    assert values(rows[1]) == [
        "536366",
        "22633",
        "HAND WARMER ",
        "6",
        "2010-12-01 08:28:00",
        "1.85",
        "17850",
        None,
    ]
    assert values(rows[2])[5:] == ["27.5", None, "É"]


def test_retail_ii_xlsx_reads_every_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Year 2009-2010"
    first.append(RETAIL_II_HEADER.split(","))
    first.append([489434, "85048", "GLASS BALL", 12, dt.datetime(2009, 12, 1, 7, 45), 6.95, 13085])
    second = workbook.create_sheet("Year 2010-2011")
    second.append(RETAIL_II_HEADER.split(","))
    second.append([536365, "85123A", "HEART", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850])
    second.append([536366, "22633", "WARMER", 6, dt.datetime(2010, 12, 1, 8, 28), 1.85, None])
    path = tmp_path / "online_retail_II.xlsx"
    workbook.save(path)

    shape = detect_shape(path)
    rows = landed(path)

    assert shape.name == "retail_ii_xlsx"
    assert shape.sheets == ("Year 2009-2010", "Year 2010-2011")
    assert [(row["source_sheet"], row["source_line"], row["invoice_no"]) for row in rows] == [
        ("Year 2009-2010", 2, "489434"),
        ("Year 2010-2011", 2, "536365"),
        ("Year 2010-2011", 3, "536366"),
    ]
    assert rows[0]["invoice_date"] == "2009-12-01 07:45:00"
    assert rows[2]["customer_id"] is None


def uci_parquet(path: Path, names: list[str]) -> Path:
    table = pa.table(
        [
            pa.array(["536365", "C536379"]),
            pa.array(["85123A", "D"]),
            pa.array(["WHITE HANGING HEART T-LIGHT HOLDER", None]),
            pa.array([6, -1], pa.int64()),
            pa.array(
                [dt.datetime(2010, 12, 1, 8, 26), dt.datetime(2011, 1, 2, 9, 41, 5)],
                pa.timestamp("us"),
            ),
            pa.array([2.55, 0.1 + 0.2], pa.float64()),
            pa.array([17850.0, None], pa.float64()),
            pa.array(["United Kingdom", "France"]),
        ],
        names=names,
    )
    pq.write_table(table, path)
    return path


def test_parquet_with_uci_names_renders_types_as_canonical_text(tmp_path):
    path = uci_parquet(tmp_path / "online_retail.parquet", UCI_HEADER.split(","))

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format) == ("parquet_uci", "parquet")
    assert [row["source_line"] for row in rows] == [1, 2]
    assert values(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "2010-12-01 08:26:00",
        "2.55",
        "17850",
        "United Kingdom",
    ]
    assert values(rows[1]) == [
        "C536379",
        "D",
        None,
        "-1",
        "2011-01-02 09:41:05",
        "0.30000000000000004",
        None,
        "France",
    ]


def test_parquet_with_lower_case_retail_ii_names(tmp_path):
    names = [name.lower() for name in RETAIL_II_HEADER.split(",")]
    path = uci_parquet(tmp_path / "retail.PARQUET", names)

    rows = landed(path)

    assert detect_shape(path).name == "parquet_retail_ii"
    assert values(rows[0])[4:] == ["2010-12-01 08:26:00", "2.55", "17850", "United Kingdom"]


def test_a_header_only_xlsx_and_an_empty_parquet_are_errors(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(UCI_HEADER.split(","))
    workbook.save(tmp_path / "header.xlsx")
    pq.write_table(
        pa.table({name: pa.array([], pa.string()) for name in UCI_HEADER.split(",")}),
        tmp_path / "empty.parquet",
    )

    with pytest.raises(RawFileError, match=r"header\.xlsx: has a header but no data rows"):
        detect_shape(tmp_path / "header.xlsx")
    with pytest.raises(RawFileError, match=r"empty\.parquet: has columns but no rows"):
        detect_shape(tmp_path / "empty.parquet")


def test_sheets_with_different_column_sets_are_an_error(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(UCI_HEADER.split(","))
    workbook.active.append([1, "A", "a", 1, dt.datetime(2010, 12, 1), 1.0, 1, "UK"])
    workbook.create_sheet("II").append(RETAIL_II_HEADER.split(","))
    workbook.save(tmp_path / "mixed.xlsx")

    with pytest.raises(RawFileError, match=r"mixed\.xlsx \(sheet 'II'\).*same columns"):
        detect_shape(tmp_path / "mixed.xlsx")


BAD_CSVS = {
    "empty": (b"", r"empty\.csv: is empty \(0 bytes\)"),
    "header only": (f"{UCI_HEADER}\n\n".encode(), r"header_only\.csv: has a header but no data"),
    "blank first line": (f"\n{UCI_HEADER}\n".encode(), r"line 1 is empty; expected the header"),
    "missing column": (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,Country\n1,A,a,1,d,1,UK\n",
        r"missing_column\.csv: the columns match no known shape\. Found: \['InvoiceNo',.*"
        r"missing \['CustomerID'\], unexpected \[\]\..*uci: InvoiceNo, .*"
        r"retail_ii: Invoice, StockCode, Description, Quantity, InvoiceDate, Price, Customer ID",
    ),
    "extra column": (
        f"{UCI_HEADER},Notes\n1,A,a,1,d,1,1,UK,x\n".encode(),
        r"extra_column\.csv: the columns match no known shape.*unexpected \['Notes'\]",
    ),
    "duplicated column": (
        f"{UCI_HEADER},country\n1,A,a,1,d,1,1,UK,x\n".encode(),
        r"duplicated_column\.csv: columns appear more than once: \['country'\]",
    ),
    "wrong delimiter": (
        f"{UCI_HEADER.replace(',', ';')}\n1;A;a;1;d;1;1;UK\n".encode(),
        r"wrong_delimiter\.csv: the header reads as one column .*the delimiter looks wrong "
        r"\(it contains the semicolon ';', expected a comma\)",
    ),
    "too many fields": (
        f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK\n2,B,b, with comma,2,d,2,2,UK\n".encode(),
        r"(?s)too_many_fields\.csv: CSV Error on Line: 3.*Expected Number of Columns: 8 Found: 9",
    ),
    "unterminated quote": (
        f'{UCI_HEADER}\n1,A,"a,1,d,1,1,UK\n2,B,b,2,d,2,2,UK\n'.encode(),
        r"(?s)unterminated_quote\.csv: CSV Error on Line: 2.*unterminated quote",
    ),
}


@pytest.mark.parametrize("case", BAD_CSVS)
def test_bad_csv_files_are_clear_errors(tmp_path, case):
    content, message = BAD_CSVS[case]
    path = tmp_path / f"{case.replace(' ', '_')}.csv"
    path.write_bytes(content)

    with pytest.raises(RawFileError, match=message):
        open_landed(path)


def test_bytes_invalid_in_the_declared_encoding_name_their_offset_and_line(tmp_path):
    content = f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK\n2,B,\xa3,2,d,2,2,UK\n".encode("latin-1")
    path = tmp_path / "data.csv"
    path.write_bytes(content)

    with pytest.raises(RawFileError, match=r"data\.csv: byte 0xa3 at offset (\d+) \(line 3\)") as e:
        open_landed(path, encoding="utf-8")

    pound_offset = content.index("£".encode("latin-1"))
    assert f"offset {pound_offset} " in str(e.value)
    assert landed(path, encoding="latin-1")[1]["description"] == "£"
    assert detect_shape(path).encoding == "latin-1"


def test_a_file_ending_inside_a_utf8_character_is_not_utf8(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK\xc3".encode("latin-1"))

    with pytest.raises(RawFileError, match=r"data\.csv: the file ends inside a utf-8 character"):
        detect_shape(path, encoding="utf-8")
    assert detect_shape(path).encoding == "latin-1"


@pytest.mark.parametrize(
    ("name", "content", "encoding", "message"),
    [
        ("missing.csv", None, "auto", r"missing\.csv: no such file"),
        ("data.xls", b"x", "auto", r"data\.xls: unsupported extension '\.xls'"),
        ("data", b"x", "auto", r"data: unsupported extension '\(none\)'"),
        (
            "data.csv",
            b"PAR1xxxx",
            "auto",
            r"data\.csv: the extension says csv but the content is parquet",
        ),
        (
            "data.xlsx",
            b"a,b\n",
            "auto",
            r"data\.xlsx: the extension says xlsx but the content is text",
        ),
        ("data.xlsx", b"PK\x03\x04broken", "auto", r"data\.xlsx: not a readable xlsx workbook"),
        ("data.parquet", b"PAR1broken", "auto", r"data\.parquet: not a readable parquet file"),
        ("data.csv", b"a\n", "utf-16", r"data\.csv: unsupported encoding 'utf-16'"),
    ],
)
def test_files_that_are_not_raw_data_are_clear_errors(tmp_path, name, content, encoding, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(RawFileError, match=message):
        detect_shape(path, encoding)


def test_inspect_prints_the_shape_and_row_count(tmp_path, monkeypatch, capsys):
    path = uci_workbook(tmp_path / "Online Retail.xlsx")
    monkeypatch.setenv("INSIDERS_RAW_PATH", str(path))

    assert main(["inspect"]) == 0

    out = capsys.readouterr().out
    assert "shape:    uci_xlsx (xlsx)" in out
    assert "sheets:   Online Retail" in out
    assert "rows:     3" in out


def test_inspect_exits_1_with_the_reason(tmp_path, capsys):
    path = write_bytes(tmp_path / "data.csv", f"{UCI_HEADER}\n")

    assert main(["inspect", str(path), "--encoding", "latin-1"]) == 1
    assert "data.csv: has a header but no data lines" in capsys.readouterr().err


def source_config(meta: dict) -> SourceConfig:
    return SourceConfig(
        name="invoice_lines",
        identifier="invoice_lines",
        schema="raw",
        database=None,
        meta=meta,
        tags=[],
    )


def test_plugin_loads_the_raw_path_with_its_encoding(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,\xa3,1,d,1,1,UK\n", "latin-1")
    plugin = Plugin("insiders_raw", {})

    reader = plugin.load(source_config({"raw_path": str(path), "encoding": "latin-1"}))

    assert reader.read_all().column("description").to_pylist() == ["£"]
    # No raw_path: the default raw file (insiders.paths), taken from the folder dbt runs in.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RawFileError, match=r"online_retail\.parquet: no such file"):
        plugin.load(source_config({}))
    with pytest.raises(RawFileError, match="must be materialized as a table"):
        plugin.load(source_config({"raw_path": str(path), "materialization": "view"}))


def dbt_project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: landing_check\nversion: '1.0'\nconfig-version: 2\nprofile: landing_check\n"
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(
            f"""\
            landing_check:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: "{root / "landing.duckdb"}"
                  threads: 1
                  plugins:
                    - module: insiders.landing.dbt_plugin
                      alias: insiders_raw
            """
        )
    )
    (root / "models" / "_sources.yml").write_text(
        textwrap.dedent(
            """\
            sources:
              - name: retail
                schema: raw
                tables:
                  - name: invoice_lines
                    meta:
                      plugin: insiders_raw
                      raw_path: "{{ env_var('INSIDERS_RAW_PATH') }}"
                      encoding: auto
            """
        )
    )
    (root / "models" / "landed_lines.sql").write_text(
        "select * from {{ source('retail', 'invoice_lines') }}\n"
    )
    return root


def run_dbt(project: Path, raw_path: Path) -> subprocess.CompletedProcess[str]:
    # A subprocess: dbt's in-process runner keeps global state and logging between runs.
    environment = {
        **os.environ,
        "INSIDERS_RAW_PATH": str(raw_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": os.pathsep.join([str(Path(landing.__file__).parents[2]), *sys.path]),
    }
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), "run", "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=project,
        check=False,
    )


@pytest.mark.slow
def test_dbt_lands_every_shape_through_the_plugin(tmp_path):
    project = dbt_project(tmp_path / "project")
    raw_files = [
        write_bytes(
            tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,\xa3,1,d,1,1.0,UK\n2,B,b,2,d,2", "latin-1"
        ),
        uci_workbook(tmp_path / "Online Retail.xlsx"),
        uci_parquet(tmp_path / "online_retail.parquet", UCI_HEADER.upper().split(",")),
    ]
    landed_by_dbt = {}
    for raw_path in raw_files:
        result = run_dbt(project, raw_path)
        assert result.returncode == 0, result.stdout + result.stderr
        with duckdb.connect(str(project / "landing.duckdb"), read_only=True) as con:
            table = con.sql("select * from raw.invoice_lines").to_arrow_table()
            model = con.sql("select count(*) from main.landed_lines").fetchall()
        assert table.schema.names == LANDED_SCHEMA.names
        assert model == [(table.num_rows,)]
        landed_by_dbt[raw_path.name] = table.to_pylist()

    for raw_path in raw_files:
        assert landed_by_dbt[raw_path.name] == landed(raw_path)
    assert landed_by_dbt["data.csv"][0]["description"] == "£"


@pytest.mark.slow
def test_dbt_fails_before_building_on_a_bad_file(tmp_path):
    project = dbt_project(tmp_path / "project")
    raw_path = write_bytes(tmp_path / "data.csv", "a;b;c\n1;2;3\n")

    result = run_dbt(project, raw_path)

    assert result.returncode != 0
    assert "the delimiter looks wrong" in result.stdout
