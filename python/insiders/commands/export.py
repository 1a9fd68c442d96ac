"""`insiders export`: the members, or any segment, as a list for marketing tools (CSV or Parquet).

The lists come from the tables the report reads: the members from ``insiders`` (the programme
list, with its control group), a segment from ``customer_segments``. Each row is a customer:
id, segment, revenue, the date they joined the Insiders (the start of their current membership
in the segment snapshot; null for a non-member), the control-group flag and an email column,
empty because the retail data has no email (a CRM join fills it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from insiders import paths

ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database, unless --database is given (default: insiders.duckdb)",
}

FORMATS = ("csv", "parquet")

# The date each current member joined: the first run of their current unbroken membership.
JOINED = """
    select customer_id, max(valid_from) as joined_on
    from (
        select
            customer_id,
            valid_from,
            is_insider,
            lag(is_insider) over (partition by customer_id order by valid_from) as was_insider
        from main.insiders_membership_history
    )
    where is_insider and not coalesce(was_insider, false)
    group by customer_id
"""

MEMBERS = f"""
    select
        insiders.customer_id,
        segments.segment,
        insiders.gross_revenue as revenue,
        joined.joined_on,
        insiders.is_control_group,
        cast(null as varchar) as email
    from main.insiders as insiders
    inner join main.customer_segments as segments
        on insiders.customer_id = segments.customer_id
    left join ({JOINED}) as joined
        on insiders.customer_id = joined.customer_id
    order by insiders.revenue_rank
"""

SEGMENT = f"""
    select
        segments.customer_id,
        segments.segment,
        segments.gross_revenue as revenue,
        joined.joined_on,
        coalesce(insiders.is_control_group, false) as is_control_group,
        cast(null as varchar) as email,
        segments.is_insider
    from main.customer_segments as segments
    left join main.insiders as insiders
        on segments.customer_id = insiders.customer_id
    left join ({JOINED}) as joined
        on segments.customer_id = joined.customer_id and segments.is_insider
    where segments.segment = $segment
    order by segments.gross_revenue desc, segments.customer_id
"""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def output_format(path: Path, given: str | None) -> str:
    """The format asked for, or the one the file name says; csv otherwise."""
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "csv"


def segments(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select segment from main.customer_segments group by segment"
            " order by min(cluster_id), segment"
        ).fetchall()
    return [row[0] for row in rows]


def export(database: Path, output: Path, *, segment: str | None = None, fmt: str = "csv") -> int:
    """Write the members (``segment`` None) or one segment to ``output``; the rows written."""
    query, params = (MEMBERS, {}) if segment is None else (SEGMENT, {"segment": segment})
    options = "format parquet" if fmt == "parquet" else "format csv, header true"
    output.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(f"select count(*) from ({query})", params).fetchall()[0][0]
        con.execute(f"copy ({query}) to {_sql_string(str(output))} ({options})", params)
    return int(rows)


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    if not database.exists():
        print(f"insiders export: no database at {database}; run `make run` first", file=sys.stderr)
        return 1
    if args.segment is not None and args.segment not in (known := segments(database)):
        print(
            f"insiders export: no segment {args.segment!r} in {database};"
            f" the segments are: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    fmt = output_format(args.output, args.format)
    rows = export(database, args.output, segment=args.segment, fmt=fmt)
    what = "members" if args.segment is None else f"customers of {args.segment}"
    print(f"{rows:,} {what} written to {args.output} ({fmt})")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--members", action="store_true", help="the Insiders members (the default)")
    which.add_argument(
        "--segment", help="every customer of this segment, e.g. 'Loyal' (default: the members)"
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        required=True,
        help="the file to write, .csv or .parquet (required; no default)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="csv or parquet (default: from the file name, else csv)"
    )
    parser.add_argument(
        "--database",
        default=str(paths.database_path()),
        help="the DuckDB file, read-only (default: $INSIDERS_DUCKDB_PATH, else insiders.duckdb)",
    )
    parser.set_defaults(func=run)
