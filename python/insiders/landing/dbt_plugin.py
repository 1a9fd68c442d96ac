"""A dbt-duckdb source plugin that lands the raw Online Retail file, whatever its shape.

profiles.yml::

    plugins:
      - module: insiders.landing.dbt_plugin
        alias: insiders_raw

The source table's meta (or config)::

    meta:
      plugin: insiders_raw
      raw_path: "{{ env_var('INSIDERS_RAW_PATH', '') }}"  # empty: insiders.paths' default
      encoding: auto  # optional: auto, utf-8, latin-1 or cp1252 (csv only)

dbt-duckdb then runs ``create or replace table <source> as select * from <the reader>``; the
reader streams, so a multi-gigabyte file lands without being held in memory. The source must be
materialized as a table (the default): a stream can be read only once.
"""

from __future__ import annotations

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from insiders.landing.raw_file import RawFileError, open_landed
from insiders.paths import DEFAULT_RAW_PATH


class Plugin(BasePlugin):
    """Loads the file named by the source's ``raw_path`` as landed lines."""

    def load(self, source_config: SourceConfig) -> pa.RecordBatchReader:
        # Relative to the folder dbt runs in, the project's (as the database path is).
        raw_path = source_config.get("raw_path") or DEFAULT_RAW_PATH
        if source_config.get("materialization", "table") != "table":
            raise RawFileError(
                f"source {source_config.table_name()}: the {self.name} plugin streams the file "
                "once, so the source must be materialized as a table"
            )
        encoding = source_config.get("encoding") or "auto"
        return open_landed(str(raw_path), encoding=str(encoding))
