"""The streaming pass over a text file: encoding, header, lines and blank lines."""

from __future__ import annotations

import pytest

from insiders.landing import text_scan
from insiders.landing.text_scan import TextScanError, declared_encoding, scan_text


@pytest.mark.parametrize("chunk_bytes", [3, 1024])
def test_the_scan_counts_lines_and_finds_blank_ones_across_chunks(
    tmp_path, monkeypatch, chunk_bytes
):
    monkeypatch.setattr(text_scan, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n\r\n3,4\n\n\n5,6")

    scan = scan_text(str(path), None)

    assert (scan.encoding, scan.header, scan.physical_lines) == ("utf-8", b"a,b\r", 7)
    assert scan.blank_lines.tolist() == [3, 5, 6]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("auto", None), (" AUTO ", None), ("utf8", "utf-8"), ("ISO-8859-1", "latin-1")],
)
def test_declared_encodings_take_their_duckdb_names(name, expected):
    assert declared_encoding(name) == expected


def test_an_unknown_encoding_is_refused():
    with pytest.raises(TextScanError, match="unsupported encoding 'utf-16'"):
        declared_encoding("utf-16")
