"""insiders: customer segmentation and the Insiders loyalty programme, on dbt + DuckDB."""

__version__ = "0.1.0"
