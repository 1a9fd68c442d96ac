"""Time the landing of one generated data set as csv, as xlsx (calamine) and as xlsx (openpyxl).

The xlsx is written from the csv with typed cells, as the UCI workbook has them (numbers,
dates). Each timing lands the whole file through ``open_landed`` (or, for openpyxl, the former
reader's loop: read-only openpyxl rows rendered by the same ``cell_text``), discarding the
batches; the xlsx timings include opening the workbook and reading every header. The result
replaces the "Landing" section of BENCHMARKS.md.

    .venv/bin/python -m benchmarks.landing --scale 1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from insiders.generator.generate import generate
from insiders.landing.landed import cell_text
from insiders.landing.raw_file import detect_shape, open_landed

REPO = Path(__file__).resolve().parents[1]
SECTION_START = "<!-- landing benchmark: written by benchmarks/landing.py -->"
SECTION_END = "<!-- end of landing benchmark -->"


def write_workbook(csv_path: Path, xlsx_path: Path) -> None:
    """The csv as a UCI-style workbook: numbers and dates typed, one sheet."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Online Retail")
    encoding = detect_shape(csv_path).encoding
    with csv_path.open(encoding=encoding, newline="") as text:
        rows = csv.reader(text)
        sheet.append(next(rows))
        for row in rows:
            sheet.append([_typed(value) for value in row])
    workbook.save(xlsx_path)


def _typed(value: str) -> object:
    if not value:
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}", value):
        return dt.datetime.strptime(value, "%m/%d/%Y %H:%M")
    return value


def land_with_calamine_or_duckdb(path: Path) -> int:
    return sum(batch.num_rows for batch in open_landed(path))


def land_with_openpyxl(path: Path) -> int:
    """The former xlsx reader's work: every row of every sheet, each cell rendered as text."""
    import openpyxl

    shape = detect_shape(path)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows_landed = 0
    try:
        for title in shape.sheets:
            for row in workbook[title].iter_rows(min_row=2, values_only=True):
                if all(cell is None for cell in row):
                    continue
                [cell_text(row[p]) if p < len(row) else None for p in shape.source_columns]
                rows_landed += 1
    finally:
        workbook.close()
    return rows_landed


def timed(land: Callable[[Path], int], path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    rows = land(path)
    return time.perf_counter() - started, rows


def render(scale: float, figures: dict[str, tuple[float, int]], sizes: dict[str, int]) -> str:
    csv_seconds = figures["csv (DuckDB)"][0]
    lines = [
        SECTION_START,
        "## Landing: csv and xlsx",
        "",
        f"`.venv/bin/python -m benchmarks.landing --scale {scale:g}` on the generated data "
        f"(seed 42), written as csv and as a one-sheet workbook with typed cells. Each figure is "
        "the wall time of one landing of the whole file in one process (`open_landed`, every "
        "batch read and discarded; openpyxl: the former reader's loop), on the shared machine "
        f"described above ({os.cpu_count()} cores).",
        "",
        "| file | reader | size | lines landed | seconds | vs csv |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for reader, (seconds, rows) in figures.items():
        kind = reader.split(" ")[0]
        lines.append(
            f"| {kind} | {reader} | {sizes[kind] / 1e6:.1f} MB | {rows:,} | {seconds:.1f} | "
            f"{seconds / csv_seconds:.1f}x |"
        )
    lines += ["", SECTION_END]
    return "\n".join(lines)


def write_section(markdown: Path, section: str) -> None:
    """Replace the landing section of BENCHMARKS.md, or add it at the end."""
    text = markdown.read_text() if markdown.exists() else ""
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    markdown.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data", type=Path, default=REPO / "data" / "bench")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    csv_path = args.data / f"online_retail_s{args.scale:g}_seed42.csv"
    xlsx_path = csv_path.with_suffix(".xlsx")
    if not csv_path.exists():
        generate(csv_path, scale=args.scale, seed=42)
    if not xlsx_path.exists():
        write_workbook(csv_path, xlsx_path)
    figures = {
        "csv (DuckDB)": timed(land_with_calamine_or_duckdb, csv_path),
        "xlsx (python-calamine)": timed(land_with_calamine_or_duckdb, xlsx_path),
        "xlsx (openpyxl, before)": timed(land_with_openpyxl, xlsx_path),
    }
    for reader, (seconds, rows) in figures.items():
        print(f"{reader:26} {seconds:7.1f} s  {rows:,} lines")
    sizes = {"csv": csv_path.stat().st_size, "xlsx": xlsx_path.stat().st_size}
    write_section(args.out, render(args.scale, figures, sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
