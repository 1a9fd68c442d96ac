"""Where a csv's rows are: line numbers, the lines DuckDB rejects, and lines of the wrong width.

DuckDB cannot read Windows-1252: such a file is read through a utf-8 copy in a temporary
folder (same bytes per line break, so the same line numbers), removed when landing ends.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from insiders.landing import duckdb_io
from insiders.landing.landed import RawFileError, Shape
from insiders.landing.text_scan import CHUNK_BYTES, TextScan

WRONG_FIELD_COUNT = "wrong_field_count"
TRUNCATED_LAST_LINE = "truncated_last_line"
# Read as null in place of the empty string, so that an empty field ('') and a field that the
# line lacks (null) differ; the landing turns empty fields into null afterwards.
_NULL_TEXT = "\x1f"


@dataclass
class CsvSource:
    """The bytes DuckDB reads for a csv: the file itself, or its utf-8 copy."""

    shape: Shape
    scan: TextScan
    data_path: str
    encoding: str
    copy_folder: str | None = None

    @classmethod
    def open(cls, shape: Shape, scan: TextScan) -> CsvSource:
        if scan.encoding != "cp1252":
            return cls(shape, scan, shape.path, scan.encoding)
        folder = tempfile.mkdtemp(prefix="insiders-landing-")
        copy = Path(folder) / "utf8.csv"
        with open(shape.path, "rb") as raw, copy.open("wb") as out:
            while chunk := raw.read(CHUNK_BYTES):
                out.write(chunk.decode("cp1252").encode("utf-8"))
        return cls(shape, scan, str(copy), "utf-8", folder)

    def close(self) -> None:
        if self.copy_folder is not None:
            shutil.rmtree(self.copy_folder, ignore_errors=True)
            self.copy_folder = None

    def read_csv_sql(self, parallel: bool = True) -> str:
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.shape.columns)))
        return (
            f"read_csv({duckdb_io.sql_string(self.data_path)}, columns = {{{columns}}}, "
            "header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', "
            f"null_padding = true, nullstr = '{_NULL_TEXT}', store_rejects = true, "
            f"auto_detect = false, encoding = '{self.encoding}', "
            f"parallel = {str(parallel).lower()})"
        )


@dataclass(frozen=True)
class RejectedLine:
    """A line DuckDB did not return as a row, landed with its reason."""

    line: int
    fields: list[str]
    error: str


def rejected_lines(con: duckdb.DuckDBPyConnection, source: CsvSource) -> list[RejectedLine]:
    """The lines the last scan rejected; RawFileError for a line that is not just too wide."""
    found = con.sql(
        "select line, min(error_type), any_value(csv_line), any_value(error_message) "
        "from reject_errors group by line order by line"
    ).fetchall()
    con.execute("delete from reject_errors")
    rejected = []
    for line, error_type, text, message in found:
        if error_type == "TOO MANY COLUMNS":
            error = WRONG_FIELD_COUNT
        elif _is_cut_short(int(line), error_type, source.scan):
            error = TRUNCATED_LAST_LINE
        else:
            raise RawFileError(
                f"{source.shape.path}: CSV Error on Line: {line}: {message} ({text.strip()!r})"
            )
        fields = next(csv.reader([text.strip("\r\n")]), [])
        rejected.append(RejectedLine(int(line), fields, error))
    return rejected


def _is_cut_short(line: int, error_type: str, scan: TextScan) -> bool:
    """A last line with no newline whose quoted value never closes was cut mid-field."""
    last = line == scan.physical_lines and not scan.ends_with_newline
    return last and error_type == "UNQUOTED VALUE"


def field_count_error(end_line: int, fields: int, width: int, scan: TextScan) -> str | None:
    """Why a row of ``fields`` fields ending on ``end_line`` is not a line of the csv; None."""
    if fields == width:
        return None
    if fields < width and end_line == scan.physical_lines and not scan.ends_with_newline:
        return TRUNCATED_LAST_LINE
    return WRONG_FIELD_COUNT


def skip_lines(blank_lines: np.ndarray, rejected: list[int]) -> np.ndarray:
    """The lines that yield no DuckDB row: blank ones and rejected ones, sorted."""
    return np.union1d(blank_lines, np.asarray(rejected, dtype=np.int64))


def line_numbers(first: int, count: int, skipped: np.ndarray) -> np.ndarray:
    """The next ``count`` line numbers from ``first`` on, leaving out ``skipped`` lines."""
    end = first + count
    while True:
        left_out = np.searchsorted(skipped, end) - np.searchsorted(skipped, first)
        if end - first - left_out >= count:
            break
        end = first + count + left_out
    candidates = np.arange(first, end, dtype=np.int64)
    return candidates[~np.isin(candidates, skipped)][:count]
