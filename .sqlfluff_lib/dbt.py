"""dbt's cross-database macros for sqlfluff's jinja templater (DuckDB's renderings)."""


def type_string():
    return "varchar"
