"""The landed schema's building blocks: column matching, typed cells as text, other mappings."""

from __future__ import annotations

import datetime as dt

import pytest
from landing_files import UCI_HEADER, VALUES, write_bytes

from insiders.landing.landed import (
    CANONICAL_COLUMNS,
    LandingOptions,
    RawFileError,
    cell_text,
    match_columns,
)
from insiders.landing.mapping import parse_mapping
from insiders.landing.raw_file import examine

SHOP_COLUMNS = ("Order", "SKU", "Item", "Qty", "Created", "Each", "Customer", "Ship Country")
SHOP_FIELDS = (
    "order_id",
    "product_code",
    "description",
    "quantity",
    "date",
    "unit_price",
    "customer_id",
    "country",
)


def test_a_header_matches_its_column_set_by_position_of_each_canonical_column():
    header = [" country ", "Unnamed: 8", *UCI_HEADER.upper().split(",")[:-1]]

    match = match_columns("f.csv", header)

    assert match.family == "uci"
    assert match.positions == (2, 3, 4, 5, 6, 7, 8, 0, None, None)
    assert len(match.positions) == len(CANONICAL_COLUMNS)
    assert match.ignored == ("Unnamed: 8",)


def test_a_header_matching_no_set_names_the_missing_and_unexpected_columns():
    header = [*UCI_HEADER.split(",")[:-1], "Notes"]

    with pytest.raises(
        RawFileError,
        match=r"f\.csv: .*mapping 'online_retail'.*Found: \[.*'Notes'\].*missing \['Country'\], "
        r"unexpected \['Notes'\]",
    ):
        match_columns("f.csv", header)


def test_other_column_sets_land_under_the_canonical_names(tmp_path):
    path = write_bytes(
        tmp_path / "shop.csv",
        ",".join(SHOP_COLUMNS) + "\n1001,S-1,Mug,2,2024-01-05 10:00:00,4.50,77,France\n",
    )
    shop = parse_mapping(
        "shop", "shop.yml", {"columns": dict(zip(SHOP_FIELDS, SHOP_COLUMNS, strict=True))}
    )
    options = LandingOptions(mapping=shop)

    examined = examine(path, options)
    rows = examined.batches().__next__().to_pylist()

    assert examined.shape.name == "shop_csv"
    assert [rows[0][name] for name in VALUES] == [
        "1001",
        "S-1",
        "Mug",
        "2",
        "2024-01-05 10:00:00",
        "4.50",
        "77",
        "France",
    ]
    with pytest.raises(RawFileError, match="match no layout of the mapping 'online_retail'"):
        examine(path, LandingOptions())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (" kept ", " kept "),
        (17850.0, "17850"),
        (6, "6"),
        (0.1 + 0.2, "0.30000000000000004"),
        (float("nan"), None),
        (2.0**60, "1.152921504606847e+18"),
        (True, "TRUE"),
        (dt.datetime(2010, 12, 1, 8, 26, 5, 123), "2010-12-01 08:26:05"),
        (dt.date(2010, 12, 1), "2010-12-01 00:00:00"),
    ],
)
def test_typed_cells_render_as_canonical_text(value, text):
    assert cell_text(value) == text
