"""A column mapping: which columns of a retailer's file are the order lines' fields, and how.

A mapping is a small YAML file, chosen by ``INSIDERS_MAPPING``: the name of a mapping shipped
in ``insiders/landing/mappings/`` (``online_retail``, the default; ``shopify``; ``cdnow``) or
the path of one's own (relative paths from the project folder, as ``INSIDERS_RAW_PATH``).
README.md ("Your own shop's export") describes every key; this module reads and checks them.
The landing lands the mapped columns under the canonical names of
:data:`insiders.landing.landed.CANONICAL_COLUMNS`, and the mapping itself as one row
(:func:`mapping_row`) that staging reads: defaults, cancellations and the rule set follow it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from insiders import paths
from insiders.landing.landed import CANONICAL_COLUMNS, RawFileError

MAPPING_VARIABLE = "INSIDERS_MAPPING"
DEFAULT_MAPPING = "online_retail"
SHIPPED_DIR = Path(__file__).parent / "mappings"

# A mapping's field -> the landed column it fills.
FIELDS: dict[str, str] = {
    "order_id": "invoice_no",
    "product_code": "stock_code",
    "description": "description",
    "quantity": "quantity",
    "date": "invoice_date",
    "unit_price": "unit_price",
    "customer_id": "customer_id",
    "country": "country",
    "line_amount": "line_amount",
    "status": "order_status",
}
REQUIRED_FIELDS = ("customer_id", "date")
PRICE_FIELDS = ("unit_price", "line_amount")  # one of them is required
RULE_SETS = ("online_retail", "generic")
_KEYS = {
    "description",
    "rules",
    "layouts",
    "columns",
    "other_columns",
    "date_format",
    "customer_ids",
    "order_fields_on_first_row",
    "cancelled_when",
    "exclude",
}
_EXCLUSION_LISTS = ("stock_codes", "countries", "customers")


@dataclass(frozen=True)
class ColumnMapping:
    """A checked mapping: its layouts (field -> file column) and how to read the lines."""

    name: str
    path: str
    description: str
    layouts: dict[str, dict[str, str]]
    rules: str = "generic"
    other_columns: str = "refuse"
    date_format: str = "auto"
    customer_ids: str = "number"
    order_fields_on_first_row: bool = False
    cancelled_id_prefix: str | None = None
    # None: no status marks a cancellation; empty: any value of the status column does.
    cancelled_status_values: tuple[str, ...] | None = None
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the mapping names (every layout names the same ones)."""
        return tuple(name for name in FIELDS if name in next(iter(self.layouts.values())))

    def column_sets(self) -> dict[str, tuple[str | None, ...]]:
        """Each layout's file column per landed column (None: not in the file)."""
        landed_field = {column: name for name, column in FIELDS.items()}
        return {
            layout: tuple(columns.get(landed_field[column]) for column in CANONICAL_COLUMNS)
            for layout, columns in self.layouts.items()
        }


def mapping_setting(environ: Mapping[str, str] | None = None) -> str:
    """The mapping chosen by ``INSIDERS_MAPPING``: a shipped name or a path."""
    value = (os.environ if environ is None else environ).get(MAPPING_VARIABLE, "")
    return value.strip() or DEFAULT_MAPPING


def shipped_mappings() -> list[str]:
    return sorted(path.stem for path in SHIPPED_DIR.glob("*.yml"))


def mapping_path(setting: str, environ: Mapping[str, str] | None = None) -> Path:
    """The file of a mapping: a shipped name, else a path (relative: from the project)."""
    if setting in shipped_mappings():
        return SHIPPED_DIR / f"{setting}.yml"
    if not setting.endswith((".yml", ".yaml")):
        raise RawFileError(
            f"mapping {setting!r} ({MAPPING_VARIABLE}): not a shipped mapping "
            f"({', '.join(shipped_mappings())}) nor the path of a .yml file"
        )
    given = Path(setting).expanduser()
    return given if given.is_absolute() else paths.project_dir(environ) / given


def load_mapping(setting: str | None = None, environ: Mapping[str, str] | None = None):
    """Read and check the mapping ``setting`` (default: ``INSIDERS_MAPPING``)."""
    setting = setting or mapping_setting(environ)
    path = mapping_path(setting, environ)
    try:
        found = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RawFileError(f"mapping {setting!r}: cannot read {path} ({error})") from None
    except yaml.YAMLError as error:
        raise RawFileError(f"mapping {setting!r}: {path} is not valid YAML ({error})") from None
    name = path.stem
    return parse_mapping(name, str(path), found)


def parse_mapping(name: str, path: str, found: Any) -> ColumnMapping:
    """A ColumnMapping from a mapping's YAML; RawFileError naming the mapping if it is wrong."""

    def fail(problem: str) -> RawFileError:
        return RawFileError(f"mapping {name!r} ({path}): {problem}")

    if not isinstance(found, dict):
        raise fail("must be a YAML mapping of keys")
    unknown = sorted(set(found) - _KEYS)
    if unknown:
        raise fail(f"unknown keys {unknown}; known: {sorted(_KEYS)}")
    layouts = _layouts(found, fail)
    rules = _choice(found, "rules", RULE_SETS, "generic", fail)
    prefix, statuses = _cancellations(found.get("cancelled_when"), layouts, fail)
    return ColumnMapping(
        name=name,
        path=path,
        description=str(found.get("description") or name),
        layouts=layouts,
        rules=rules,
        other_columns=_choice(found, "other_columns", ("refuse", "ignore"), "refuse", fail),
        date_format=str(found.get("date_format") or "auto"),
        customer_ids=_choice(found, "customer_ids", ("number", "text"), "number", fail),
        order_fields_on_first_row=bool(found.get("order_fields_on_first_row", False)),
        cancelled_id_prefix=prefix,
        cancelled_status_values=statuses,
        exclude=_exclusions(found.get("exclude"), fail),
    )


def _choice(found: dict, key: str, choices: tuple[str, ...], default: str, fail) -> str:
    value = found.get(key, default)
    if value not in choices:
        raise fail(f"{key} must be one of {list(choices)}; got {value!r}")
    return str(value)


def _layouts(found: dict, fail) -> dict[str, dict[str, str]]:
    if ("layouts" in found) == ("columns" in found):
        raise fail("give either columns (one layout) or layouts (named layouts), not both")
    given = found.get("layouts") or {"": found.get("columns")}
    if not isinstance(given, dict) or not given:
        raise fail("layouts must map a layout's name to its columns")
    layouts: dict[str, dict[str, str]] = {}
    for layout, columns in given.items():
        if not isinstance(columns, dict):
            raise fail("columns must map a field to the file's column name")
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise fail(f"unknown fields {unknown}; fields: {list(FIELDS)}")
        missing = [f for f in REQUIRED_FIELDS if not columns.get(f)]
        if not any(columns.get(f) for f in PRICE_FIELDS):
            missing.append(" or ".join(PRICE_FIELDS))
        if missing:
            raise fail(f"the required fields {missing} name no column")
        layouts[str(layout)] = {f: str(column) for f, column in columns.items() if column}
    if len({tuple(sorted(columns)) for columns in layouts.values()}) > 1:
        raise fail("every layout must name the same fields")
    return layouts


def _cancellations(given: Any, layouts: dict, fail) -> tuple[str | None, tuple[str, ...] | None]:
    if given is None:
        return None, None
    if not isinstance(given, dict) or not set(given) <= {"order_id_prefix", "status"}:
        raise fail("cancelled_when takes order_id_prefix: <text> and/or status: any | [values]")
    prefix = given.get("order_id_prefix")
    status = given.get("status")
    if status is None:
        return (str(prefix) if prefix else None), None
    if "status" not in next(iter(layouts.values())):
        raise fail("cancelled_when: status needs the status field mapped to a column")
    if status == "any":
        return (str(prefix) if prefix else None), ()
    if not isinstance(status, list) or not status:
        raise fail("cancelled_when: status must be any or a list of the status values")
    return (str(prefix) if prefix else None), tuple(str(value).lower() for value in status)


def _exclusions(given: Any, fail) -> dict[str, tuple[str, ...]]:
    given = given or {}
    if not isinstance(given, dict) or not set(given) <= set(_EXCLUSION_LISTS):
        raise fail(f"exclude takes the lists {list(_EXCLUSION_LISTS)}")
    return {key: tuple(str(value) for value in given.get(key) or ()) for key in _EXCLUSION_LISTS}


def mapping_row(mapping: ColumnMapping) -> dict[str, Any]:
    """The mapping as the one row that staging reads (the ``raw.mapping`` source table)."""
    named = set(mapping.fields)
    statuses = mapping.cancelled_status_values
    return {
        "mapping_name": mapping.name,
        "mapping_file": mapping.path,
        "rule_set": mapping.rules,
        "date_format": mapping.date_format,
        "customer_ids": mapping.customer_ids,
        "has_order_id": "order_id" in named,
        "has_product_code": "product_code" in named,
        "has_quantity": "quantity" in named,
        "has_country": "country" in named,
        "price_from": "unit_price" if "unit_price" in named else "line_amount",
        "cancelled_id_prefix": mapping.cancelled_id_prefix,
        "cancels_by_status": statuses is not None,
        "cancelled_status_values": list(statuses or ()),
        "order_fields_on_first_row": mapping.order_fields_on_first_row,
        "excluded_stock_codes": list(mapping.exclude.get("stock_codes", ())),
        "excluded_countries": list(mapping.exclude.get("countries", ())),
        "excluded_customers": list(mapping.exclude.get("customers", ())),
    }
