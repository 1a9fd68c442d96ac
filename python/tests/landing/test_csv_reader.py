"""Landing csv files: every csv shape, exact line numbers, encodings and the bad files."""

from __future__ import annotations

import pyarrow as pa
import pytest
from landing_files import RETAIL_II_HEADER, UCI_HEADER, landed, values, write_bytes

from insiders.landing import duckdb_io, text_scan
from insiders.landing.raw_file import LANDED_SCHEMA, RawFileError, detect_shape, open_landed


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
    assert [row["line_error"] for row in rows] == [None, None, "wrong_field_count"]


def test_many_batches_and_small_reads_keep_file_order_and_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(duckdb_io, "BATCH_ROWS", 1_000)
    monkeypatch.setattr(text_scan, "CHUNK_BYTES", 7)
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


def test_a_last_line_cut_short_lands_with_its_reason_and_the_fields_it_has(tmp_path):
    path = write_bytes(
        tmp_path / "data.csv",
        f"{UCI_HEADER}\n1,A,a,1,12/1/2010 8:26,2.55,17850.0,UK\n2,B,b,1,12/1/2010 8:26,2.55,161",
    )

    rows = landed(path)

    assert [(row["source_line"], row["line_error"]) for row in rows] == [
        (2, None),
        (3, "truncated_last_line"),
    ]
    assert values(rows[1])[-2:] == ["161", None]


@pytest.mark.parametrize("quoted_newline", ["", '"x\ny"'], ids=["duckdb", "csv module"])
def test_every_line_of_the_wrong_width_lands_with_its_reason(tmp_path, quoted_newline):
    path = write_bytes(
        tmp_path / "data.csv",
        f"{UCI_HEADER}\n"
        f"1,A,{quoted_newline},1,d,1,1,UK\n"
        "2,B,b, with comma,2,d,2,2,UK\n"
        "\n"
        "3,C,c,3,d,3\n"
        "4,D,d,4,d,4,4,UK,x,y\n"
        "5,E,e,5,d,5,5,UK\n"
        '6,F,"cut',
    )
    first = 2 + quoted_newline.count("\n")

    rows = sorted(landed(path), key=lambda row: row["source_line"])

    assert [(row["source_line"], row["line_error"]) for row in rows] == [
        (2, None),
        (first + 1, "wrong_field_count"),
        (first + 3, "wrong_field_count"),
        (first + 4, "wrong_field_count"),
        (first + 5, None),
        (first + 6, "truncated_last_line"),
    ]
    assert values(rows[1])[:3] == ["2", "B", "b"]
    assert values(rows[3])[-1] == "UK"


def test_a_full_last_line_without_a_newline_is_kept(tmp_path):
    path = write_bytes(tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK")

    assert [row["line_error"] for row in landed(path)] == [None]


BAD_CSVS = {
    "empty": (b"", r"empty\.csv: is empty \(0 bytes\)"),
    "header only": (f"{UCI_HEADER}\n\n".encode(), r"header_only\.csv: has a header but no data"),
    "blank first line": (f"\n{UCI_HEADER}\n".encode(), r"line 1 is empty; expected the header"),
    "missing column": (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,Country\n1,A,a,1,d,1,UK\n",
        r"missing_column\.csv: the columns match no layout of the mapping .online_retail. "
        r"\(.*\)\. Found: \['InvoiceNo',.*"
        r"missing \['CustomerID'\], unexpected \[\]\..*uci: InvoiceNo, .*"
        r"retail_ii: Invoice, StockCode, Description, Quantity, InvoiceDate, Price, Customer ID",
    ),
    "extra column": (
        f"{UCI_HEADER},Notes\n1,A,a,1,d,1,1,UK,x\n".encode(),
        r"extra_column\.csv: the columns match no layout.*unexpected \['Notes'\]",
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


WINDOWS_1252 = (
    f"{UCI_HEADER}\n1,A,it\u2019s \u20ac5,1,d,1,1,UK\n2,B,\u201cb\u201d \xe9,2,d,2,2,UK\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "windows-1252", "auto"])
def test_windows_1252_lands_declared_or_detected(tmp_path, encoding):
    path = write_bytes(tmp_path / "data.csv", WINDOWS_1252, "cp1252")

    rows = landed(path, encoding)

    assert detect_shape(path, encoding).encoding == "cp1252"
    assert [row["description"] for row in rows] == ["it\u2019s \u20ac5", "\u201cb\u201d \xe9"]


def test_latin1_without_windows_bytes_is_still_detected_as_latin1(tmp_path):
    path = write_bytes(tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,\xe9,1,d,1,1,UK\n", "latin-1")

    assert detect_shape(path).encoding == "latin-1"


@pytest.mark.parametrize(
    ("encoding", "content", "message"),
    [
        (
            "auto",
            b"2,B,\x92\x81,2,d,2,2,UK\n",
            r"byte 0x81 at offset 104 \(line 3\) is not valid cp1252",
        ),
        (
            "cp1252",
            b"2,B,\x81,2,d,2,2,UK\n",
            r"byte 0x81 at offset 103 \(line 3\) is not valid cp1252",
        ),
        (
            "latin-1",
            b"2,B,\x92,2,d,2,2,UK\n",
            r"byte 0x92 at offset 103 \(line 3\).*declare cp1252",
        ),
        (
            "utf-8",
            b"2,B,\x92,2,d,2,2,UK\n",
            r"byte 0x92 at offset 103 \(line 3\) is not valid utf-8",
        ),
    ],
)
def test_a_byte_that_cannot_be_decoded_names_its_line_and_offset(
    tmp_path, encoding, content, message
):
    path = tmp_path / "data.csv"
    path.write_bytes(f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK\n".encode() + content)

    with pytest.raises(RawFileError, match=r"data\.csv: " + message):
        detect_shape(path, encoding)


def test_a_file_ending_inside_a_utf8_character_is_not_utf8(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(f"{UCI_HEADER}\n1,A,a,1,d,1,1,UK\xc3".encode("latin-1"))

    with pytest.raises(RawFileError, match=r"data\.csv: the file ends inside a utf-8 character"):
        detect_shape(path, encoding="utf-8")
    assert detect_shape(path).encoding == "latin-1"
