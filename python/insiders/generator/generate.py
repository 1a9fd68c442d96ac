"""Generate invoice lines shaped like the UCI "Online Retail" file, with their ground truth.

``insiders generate`` writes the project's built-in data: a year of a UK gift wholesaler's
invoice lines (December 2010 to December 2011) with the columns, types and misbehaviour of
the real file (anonymous web orders, cancellations, zero prices, bad-debt adjustments,
duplicate lines, postage and fee codes), and beside it ``<stem>_truth.parquet`` saying which
archetype each customer was drawn from, so a segmentation can be scored.

At scale 1 the profile matches the published one; ``--scale`` multiplies lines, invoices and
customers (0.01 for fast tests up to 100 for about 54 million lines). The invoice plan is
drawn in memory (a few dozen bytes per invoice, see ``insiders.generator.plan``) and lines are made
and written in chunks (``insiders.generator.lines``), so memory stays flat as the scale grows. The
same seed and scale always give byte-identical files.

Ground truth: ``is_high_value`` is true for the ``loyal_high_value`` regulars and the
``wholesaler`` customers: they buy often, recently and for large amounts, and a loyalty
programme should find them. ``lapsed`` customers bought like regulars and then stopped:
``stops_buying_on`` is the date of their last invoice, after which they buy nothing, so a
programme run after that date should let them go; they are not high value.
"""

from __future__ import annotations

import argparse
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from insiders.generator.catalogue import ADJUSTMENT_NOTES, SPECIAL_CODES, Catalogue, build_catalogue
from insiders.generator.countries import COUNTRY_NAMES
from insiders.generator.customers import ARCHETYPES, HIGH_VALUE_ARCHETYPES
from insiders.generator.lines import Lines, chunk_lines
from insiders.generator.plan import Plan, build_plan
from insiders.paths import DEFAULT_RAW_PATH
from insiders.progress import progress

DEFAULT_OUT = Path(DEFAULT_RAW_PATH)
FORMATS = ("parquet", "csv")
CHUNK_LINES = 250_000
MIN_SCALE, MAX_SCALE = 0.01, 1000.0
SCHEMA = pa.schema(
    [
        ("InvoiceNo", pa.string()),
        ("StockCode", pa.string()),
        ("Description", pa.string()),
        ("Quantity", pa.int64()),
        ("InvoiceDate", pa.timestamp("us")),
        ("UnitPrice", pa.float64()),
        ("CustomerID", pa.float64()),
        ("Country", pa.string()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("archetype", pa.string()),
        ("is_high_value", pa.bool_()),
        ("stops_buying_on", pa.date32()),
    ]
)
_PREFIXES = ("", "C", "A")


@dataclass(frozen=True)
class GeneratedFiles:
    """What ``generate`` wrote: the invoice lines, the ground truth and the line count."""

    data_path: Path
    truth_path: Path
    lines: int


def truth_path_for(data_path: Path) -> Path:
    """The ground truth sits beside the data: ``<stem>_truth.parquet``."""
    return data_path.with_name(f"{data_path.stem}_truth.parquet")


def format_for(out_path: Path, fmt: str | None) -> str:
    """The explicit format, else ``csv`` for a ``.csv`` path, else ``parquet``."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        return fmt
    return "csv" if out_path.suffix.lower() == ".csv" else "parquet"


class _Tables:
    """Lookup tables shared by every chunk: codes, descriptions, countries, customer ids."""

    def __init__(self, plan: Plan, catalogue: Catalogue) -> None:
        self.codes = pa.array(
            list(catalogue.stock_codes) + [s.code for s in SPECIAL_CODES], pa.string()
        )
        self.descriptions = pa.array(
            list(catalogue.descriptions)
            + [s.description for s in SPECIAL_CODES]
            + list(ADJUSTMENT_NOTES),
            pa.string(),
        )
        self.countries = pa.array(COUNTRY_NAMES, pa.string())
        self.customer_ids = plan.customers.ids.astype(np.float64)


def _invoice_numbers(plan: Plan, start: int, stop: int) -> pa.Array:
    prefix = plan.prefix[start:stop].tolist()
    number = plan.number[start:stop].tolist()
    return pa.array([f"{_PREFIXES[p]}{n}" for p, n in zip(prefix, number, strict=True)])


def _chunk_table(plan: Plan, tables: _Tables, lines: Lines, start: int) -> pa.Table:
    """The chunk's lines as an Arrow table with the file's exact columns and types."""
    local = pa.array(lines.invoice - start)
    customer = plan.customer[lines.invoice]
    description = pa.array(lines.description, mask=lines.description < 0)
    return pa.Table.from_arrays(
        [
            _invoice_numbers(plan, start, int(lines.invoice.max()) + 1).take(local),
            tables.codes.take(pa.array(lines.item)),
            tables.descriptions.take(description),
            pa.array(lines.quantity, pa.int64()),
            pa.array(plan.timestamp[lines.invoice], pa.timestamp("us")),
            pa.array(lines.price, pa.float64()),
            pa.array(tables.customer_ids[np.maximum(customer, 0)], mask=customer < 0),
            tables.countries.take(pa.array(plan.country[lines.invoice])),
        ],
        schema=SCHEMA,
    )


def _csv_dates(timestamps: np.ndarray) -> list[str]:
    """Dates as the downloadable file writes them: ``12/1/2010 8:26``."""
    day = timestamps.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]")
    minutes = ((timestamps - day) // np.timedelta64(1, "m")).astype(np.int64)
    parts = zip(
        (month - year).astype(np.int64).tolist(),
        (day - month).astype(np.int64).tolist(),
        (year.astype(np.int64) + 1970).tolist(),
        (minutes // 60).tolist(),
        (minutes % 60).tolist(),
        strict=True,
    )
    return [f"{m + 1}/{d + 1}/{y} {h}:{mi:02d}" for m, d, y, h, mi in parts]


def _csv_text_table(table: pa.Table) -> pa.Table:
    """Turn typed columns into the text the downloadable CSV has (pandas-style floats)."""
    invoice_date = table.column("InvoiceDate").to_numpy()
    unique_dates, date_index = np.unique(invoice_date, return_inverse=True)
    prices = table.column("UnitPrice").to_numpy()
    unique_prices, price_index = np.unique(prices, return_inverse=True)
    customer = table.column("CustomerID")
    customer_values = customer.to_numpy(zero_copy_only=False)
    unique_customers, customer_index = np.unique(
        np.nan_to_num(customer_values, nan=-1.0), return_inverse=True
    )
    customer_text = pa.array([repr(float(c)) for c in unique_customers.tolist()])
    return pa.Table.from_arrays(
        [
            table.column("InvoiceNo"),
            table.column("StockCode"),
            table.column("Description"),
            table.column("Quantity"),
            pa.array(_csv_dates(unique_dates)).take(pa.array(date_index)),
            pa.array([repr(p) for p in unique_prices.tolist()]).take(pa.array(price_index)),
            customer_text.take(pa.array(customer_index, mask=np.isnan(customer_values))),
            table.column("Country"),
        ],
        names=SCHEMA.names,
    )


class _ParquetSink:
    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


class _CsvSink:
    """Latin-1 CSV as pandas writes it: header once, a field quoted only when it must be."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self._file.write((",".join(SCHEMA.names) + "\n").encode("latin-1"))

    def write(self, table: pa.Table) -> None:
        text = _csv_text_table(table)
        columns = []
        for name in SCHEMA.names:
            column = pc.cast(text.column(name), pa.string())
            needs_quotes = pc.match_substring_regex(column, '[,"\n]')
            quoted = pc.binary_join_element_wise(
                '"', pc.replace_substring(column, '"', '""'), '"', ""
            )
            columns.append(pc.if_else(needs_quotes, quoted, column))
        rows = pc.binary_join_element_wise(
            *columns, ",", null_handling="replace", null_replacement=""
        )
        body = "\n".join(rows.to_pylist()) + "\n"
        self._file.write(body.encode("latin-1"))

    def close(self) -> None:
        self._file.close()


def _truth_table(plan: Plan) -> pa.Table:
    customers = plan.customers
    names = np.array([name for name, _ in ARCHETYPES], dtype=object)
    return pa.Table.from_arrays(
        [
            pa.array(customers.ids, pa.int64()),
            pa.array(names[customers.archetype].tolist(), pa.string()),
            pa.array(np.isin(customers.archetype, HIGH_VALUE_ARCHETYPES)),
            pa.array(plan.stop_date, pa.date32()),
        ],
        schema=TRUTH_SCHEMA,
    )


def generate(
    out_path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    seed: int = 42,
    fmt: str | None = None,
) -> GeneratedFiles:
    """Write the invoice lines to ``out_path`` and the ground truth beside them.

    Overwrites existing files (through a temporary name, so a failed run leaves no
    half-written file). ``fmt`` is ``"parquet"`` or ``"csv"``; by default it follows the
    path's suffix. Raises ``ValueError`` for a scale outside [0.01, 1000].
    """
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE} and {MAX_SCALE}, got {scale}")
    data_path = Path(out_path)
    fmt = format_for(data_path, fmt)
    truth_path = truth_path_for(data_path)
    data_path.parent.mkdir(parents=True, exist_ok=True)

    plan = build_plan(seed, scale)
    catalogue = build_catalogue()
    tables = _Tables(plan, catalogue)
    lines_per_invoice = np.cumsum(plan.n_lines + plan.n_duplicates)
    bounds = np.searchsorted(
        lines_per_invoice, np.arange(CHUNK_LINES, lines_per_invoice[-1], CHUNK_LINES)
    )
    edges = [0, *np.unique(bounds).tolist(), plan.kind.size]

    partial_data = data_path.with_name(f".{data_path.name}.partial")
    sink = _CsvSink(partial_data) if fmt == "csv" else _ParquetSink(partial_data)
    written = 0
    bar = progress(
        desc=f"generating {data_path.name}", total=int(lines_per_invoice[-1]), unit="lines"
    )
    try:
        for start, stop in itertools.pairwise(edges):
            if stop <= start:
                continue
            lines = chunk_lines(plan, catalogue, seed, start, stop)
            sink.write(_chunk_table(plan, tables, lines, start))
            written += lines.invoice.size
            bar.update(lines.invoice.size)
    finally:
        bar.close()
        sink.close()
    partial_truth = truth_path.with_name(f".{truth_path.name}.partial")
    pq.write_table(_truth_table(plan), partial_truth, compression="zstd")
    os.replace(partial_data, data_path)
    os.replace(partial_truth, truth_path)
    return GeneratedFiles(data_path=data_path, truth_path=truth_path, lines=written)


def _run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"{out} exists, left as it is (use --force to regenerate)")
        return 0
    result = generate(out, scale=args.scale, seed=args.seed, fmt=args.format)
    customers = pq.ParquetFile(result.truth_path).metadata.num_rows
    print(f"wrote {result.data_path}: {result.lines:,} invoice lines")
    print(f"wrote {result.truth_path}: {customers:,} customers")
    return 0


ENVIRONMENT: dict[str, str] = {}  # reads none: every setting is an option


def register(parser: argparse.ArgumentParser) -> None:
    """Add the ``insiders generate`` options and its handler to ``parser``."""
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"file to write, the truth goes beside it (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies lines, invoices and customers; 1 is the real file's size (default: 1)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from the --out suffix, parquet otherwise)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing file (default: leave it)"
    )
    parser.set_defaults(func=_run)
