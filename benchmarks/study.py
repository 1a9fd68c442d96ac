"""The original study's business assumptions, as constants for the code that re-implements the
study outside the pipeline (the notebook and the lower bound of the benchmark). The pipeline
itself reads them from its seeds and vars."""

EXCLUDED_STOCK_CODES = (
    "POST",
    "D",
    "DOT",
    "M",
    "S",
    "AMAZONFEE",
    "m",
    "DCGSSBOY",
    "DCGSSGIRL",
    "PADS",
    "B",
    "CRUK",
)
EXCLUDED_COUNTRIES = ("European Community", "Unspecified")
EXCLUDED_CUSTOMERS = (16446,)
MIN_UNIT_PRICE = 0.04
SURROGATE_START = 19000
