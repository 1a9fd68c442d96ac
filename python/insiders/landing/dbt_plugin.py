"""A dbt-duckdb source plugin that lands the raw file of order lines, and its column mapping.

profiles.yml::

    plugins:
      - module: insiders.landing.dbt_plugin
        alias: insiders_raw

The source table's meta (or config)::

    meta:
      plugin: insiders_raw
      raw_path: "{{ env_var('INSIDERS_RAW_PATH', '') }}"  # empty: insiders.paths' default
      mapping: "{{ env_var('INSIDERS_MAPPING', '') }}"  # empty: online_retail
      encoding: auto  # optional: auto, utf-8, latin-1 or cp1252 (csv, txt)
      landed: lines  # or mapping: the one row of the mapping's settings that staging reads

dbt-duckdb then runs ``create or replace table <source> as select * from <the reader>``; the
reader streams, so a multi-gigabyte file lands without being held in memory. The source must be
materialized as a table (the default): a stream can be read only once.
"""

from __future__ import annotations

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from insiders.landing.mapping import load_mapping, mapping_row
from insiders.landing.raw_file import RawFileError, open_landed
from insiders.paths import DEFAULT_RAW_PATH

MAPPING_SCHEMA = pa.schema(
    [
        *(
            pa.field(name, pa.string())
            for name in (
                "mapping_name",
                "mapping_file",
                "rule_set",
                "date_format",
                "customer_ids",
            )
        ),
        *(pa.field(name, pa.bool_()) for name in ("has_order_id", "has_product_code")),
        *(pa.field(name, pa.bool_()) for name in ("has_quantity", "has_country")),
        pa.field("price_from", pa.string()),
        pa.field("cancelled_id_prefix", pa.string()),
        pa.field("cancels_by_status", pa.bool_()),
        pa.field("cancelled_status_values", pa.list_(pa.string())),
        pa.field("order_fields_on_first_row", pa.bool_()),
        *(
            pa.field(name, pa.list_(pa.string()))
            for name in ("excluded_stock_codes", "excluded_countries", "excluded_customers")
        ),
    ]
)


class Plugin(BasePlugin):
    """Loads the file named by the source's ``raw_path`` as landed lines, or its mapping."""

    def load(self, source_config: SourceConfig) -> pa.RecordBatchReader | pa.Table:
        mapping = load_mapping(str(source_config.get("mapping") or "") or None)
        if source_config.get("landed", "lines") == "mapping":
            return pa.Table.from_pylist([mapping_row(mapping)], schema=MAPPING_SCHEMA)
        # Relative to the folder dbt runs in, the project's (as the database path is).
        raw_path = source_config.get("raw_path") or DEFAULT_RAW_PATH
        if source_config.get("materialization", "table") != "table":
            raise RawFileError(
                f"source {source_config.table_name()}: the {self.name} plugin streams the file "
                "once, so the source must be materialized as a table"
            )
        encoding = source_config.get("encoding") or "auto"
        return open_landed(str(raw_path), encoding=str(encoding), mapping=mapping)
