"""dbt's `exceptions` for sqlfluff's jinja templater: lint renders every branch, so a compile
error raised in dbt is only a placeholder here."""


def raise_compiler_error(message):
    return ""
