"""dbt's `target` for sqlfluff's jinja templater: lint renders the models as for DuckDB."""

type = "duckdb"
