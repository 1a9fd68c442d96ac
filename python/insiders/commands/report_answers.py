"""The table printed under each of the nine answers, as the models' YAML states it.

Which columns answer which question, and how each is formatted, is written once, as ``meta`` of
the columns in the models' YAML (``meta: {format: "{:,.0f}", answers: [4]}``); a model's own
``meta`` may order the rows (``answer_order``), keep the first few (``answer_limit``) or keep
some rows for a question (``answer_rows: {"6": "criterion = 'join'"}``; the keys are strings,
because dbt's event log cannot carry a meta with integer keys and an in-process build stalls on
it). The rows of the segment profile table are the ``segment_profiles`` columns with
``meta: {profile_row, label, format}``.
The report reads the YAML and the tables, and writes no format of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from insiders import paths

MODELS_YAML = "models/**/_*__models.yml"
PROFILE_MODEL = "segment_profiles"


@dataclass(frozen=True)
class AnswerTable:
    """The detail behind one answer: a model's columns, their formats and which rows."""

    question: int
    model: str
    formats: dict[str, str]
    where: str | None = None
    order_by: str | None = None
    limit: int | None = None

    def sql(self) -> str:
        columns = ", ".join(f'"{column}"' for column in self.formats)
        clauses = [f"select {columns} from main.{self.model}"]
        if self.where:
            clauses.append(f"where {self.where}")
        if self.order_by:
            clauses.append(f"order by {self.order_by}")
        if self.limit:
            clauses.append(f"limit {int(self.limit)}")
        return " ".join(clauses)


def _tables_of(model: Mapping) -> list[AnswerTable]:
    meta = (model.get("config") or {}).get("meta") or model.get("meta") or {}
    by_question: dict[int, dict[str, str]] = {}
    for column in model.get("columns") or []:
        column_meta = column.get("meta") or {}
        for question in column_meta.get("answers") or []:
            by_question.setdefault(int(question), {})[column["name"]] = column_meta["format"]
    rows = {int(question): where for question, where in (meta.get("answer_rows") or {}).items()}
    return [
        AnswerTable(
            question,
            model["name"],
            formats,
            where=rows.get(question),
            order_by=meta.get("answer_order"),
            limit=meta.get("answer_limit"),
        )
        for question, formats in by_question.items()
    ]


def _models(project_dir: Path | None) -> Iterator[tuple[Path, dict]]:
    """Every model of the project's YAML files, with the file that describes it."""
    folder = paths.project_dir() if project_dir is None else Path(project_dir)
    for path in sorted(folder.glob(MODELS_YAML)):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            yield path, model


def profile_rows(project_dir: Path | None = None) -> list[tuple[str, str, str]]:
    """The rows of the segment profile table: (column, label, format) of the columns of
    ``segment_profiles`` whose meta has a ``profile_row``, in that order."""
    rows = [
        (meta["profile_row"], column["name"], meta["label"], meta["format"])
        for _path, model in _models(project_dir)
        if model["name"] == PROFILE_MODEL
        for column in model.get("columns") or []
        if "profile_row" in (meta := column.get("meta") or {})
    ]
    return [(name, label, pattern) for _row, name, label, pattern in sorted(rows)]


def answer_tables(project_dir: Path | None = None) -> dict[int, AnswerTable]:
    """Question number -> its table, from every models YAML of the project."""
    found: dict[int, AnswerTable] = {}
    for path, model in _models(project_dir):
        for table in _tables_of(model):
            if table.question in found:
                raise ValueError(
                    f"{path}: question {table.question} is answered by both "
                    f"{found[table.question].model} and {table.model}"
                )
            found[table.question] = table
    return dict(sorted(found.items()))


def format_value(value: object, pattern: str) -> str:
    """``pattern.format(value)``; the pattern "number" shows whole numbers from 100 up and three
    significant digits below, so money and tiny ratios share a column."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if pattern == "number":
        return f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:.3g}"
    return pattern.format(value)


def records(frame: pd.DataFrame, formats: Mapping[str, str]) -> dict[str, object]:
    """A frame as header and formatted rows for the template (columns of ``formats`` only)."""
    columns = [column for column in formats if column in frame.columns]
    return {
        "columns": columns,
        "rows": [
            [
                format_value(value, formats[column])
                for column, value in zip(columns, row, strict=True)
            ]
            for row in frame[columns].itertuples(index=False, name=None)
        ],
    }


def answer_figures(
    con: duckdb.DuckDBPyConnection, tables: Mapping[int, AnswerTable]
) -> dict[int, dict[str, object]]:
    """Question number -> the formatted table printed under its answer."""
    return {
        question: records(con.execute(table.sql()).df(), table.formats)
        for question, table in tables.items()
    }
