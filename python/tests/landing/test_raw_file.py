"""Choosing the reader: extensions, first bytes, the files that are no raw data; inspect."""

from __future__ import annotations

import pytest
from landing_files import UCI_HEADER, uci_workbook, write_bytes

from insiders.cli import main
from insiders.landing.raw_file import RawFileError, detect_shape


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
