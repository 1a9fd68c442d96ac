"""Detect a raw file's shape under the column mapping and check that it can be loaded.

A file that the mapping (``INSIDERS_MAPPING``, default ``online_retail``) does not read is
tried with each shipped mapping; if none reads it, a draft mapping is printed: the columns it
would map, for the user to confirm, save as a .yml file and name in ``INSIDERS_MAPPING``.
"""

from __future__ import annotations

import argparse
import io
import sys

from insiders.landing.landed import LandingOptions, RawFileError
from insiders.landing.mapping import (
    MAPPING_VARIABLE,
    ColumnMapping,
    load_mapping,
    mapping_setting,
    shipped_mappings,
)
from insiders.landing.progress import with_progress
from insiders.landing.raw_file import examine
from insiders.landing.suggest import draft_text, suggest_mapping
from insiders.paths import DEFAULT_RAW_PATH, raw_path

ENVIRONMENT = {
    "INSIDERS_RAW_PATH": f"the raw file, when no path is given (default: {DEFAULT_RAW_PATH})",
    MAPPING_VARIABLE: "the column mapping: a shipped name or a .yml path (default: online_retail)",
}


def register(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``insiders inspect``."""
    parser.add_argument(
        "path",
        nargs="?",
        help=f"the raw file (default: $INSIDERS_RAW_PATH, else {DEFAULT_RAW_PATH})",
    )
    parser.add_argument(
        "--encoding",
        default="auto",
        help="csv/txt encoding: auto (default), utf-8, latin-1 or cp1252",
    )
    parser.add_argument(
        "--mapping",
        default=None,
        help=f"the column mapping (default: ${MAPPING_VARIABLE}, else online_retail)",
    )
    parser.set_defaults(func=inspect_raw_file)


def inspect_raw_file(args: argparse.Namespace) -> int:
    """Print a raw file's shape and landed row count; 1 with the reason if it cannot load."""
    path = args.path or str(raw_path())
    try:
        mapping = load_mapping(args.mapping or mapping_setting())
        examined = examine(path, LandingOptions(encoding=args.encoding, mapping=mapping))
        rows = sum(batch.num_rows for batch in with_progress(examined))
    except RawFileError as error:
        print(f"insiders inspect: {error}", file=sys.stderr)
        if "match no layout" in str(error):
            sys.stdout.write(_suggestion(path, args.encoding, mapping))
        return 1
    shape = examined.shape
    out = io.StringIO()
    print(f"file:     {shape.path}", file=out)
    print(f"mapping:  {mapping.name} ({mapping.path})", file=out)
    print(f"shape:    {shape.name} ({shape.file_format})", file=out)
    print(f"encoding: {shape.encoding or 'n/a'}", file=out)
    print(f"sheets:   {', '.join(shape.sheets) or 'n/a'}", file=out)
    print(f"columns:  {', '.join(shape.columns)}", file=out)
    print(f"rows:     {rows}", file=out)
    sys.stdout.write(out.getvalue())
    return 0


def _suggestion(path: str, encoding: str, tried: ColumnMapping) -> str:
    """A shipped mapping that reads the file, else a draft mapping to confirm."""
    for name in shipped_mappings():
        if name == tried.name:
            continue
        try:
            examine(path, LandingOptions(encoding=encoding, mapping=load_mapping(name)))
        except RawFileError:
            continue
        return f"The shipped mapping {name!r} reads this file: set {MAPPING_VARIABLE}={name}\n"
    draft, missing = suggest_mapping(path)
    out = io.StringIO()
    print(
        "No shipped mapping reads this file. A suggested mapping, to check column by column:",
        file=out,
    )
    print("", file=out)
    out.write(draft_text(draft))
    print("", file=out)
    if missing:
        print(f"Not found, and required: {', '.join(missing)}; name their columns.", file=out)
    print(
        f"Save it as a .yml file and set {MAPPING_VARIABLE} to its path "
        "(README: Your own shop's export).",
        file=out,
    )
    return out.getvalue()
