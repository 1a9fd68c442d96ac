"""A Shopify orders export (csv), written as Shopify writes one, and what it should come to.

One row per line item; the order's own fields (email, status, dates, billing address, totals)
on its first row only. Some orders are cancelled (``Cancelled at`` set), some are guest orders
without an email, and a customer may write their email in another letter case.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ORDER_COLUMNS = (
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Total",
    "Created at",
)
LINE_COLUMNS = (
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
)
TAIL_COLUMNS = (
    "Billing Name",
    "Billing City",
    "Billing Country",
    "Cancelled at",
    "Refunded Amount",
)
HEADER = (*ORDER_COLUMNS, *LINE_COLUMNS, *TAIL_COLUMNS)
PRODUCTS = [
    (f"SKU-{n:03d}", f"Product {n}", Decimal(f"{4 + (n * 37) % 90}.{n % 100:02d}"))
    for n in range(40)
]
COUNTRIES = ("US", "CA", "GB", "FR", "DE")


@dataclass(frozen=True)
class ShopTruth:
    """What the export holds: buying customers (by email) and their revenue."""

    customers: int
    revenue: Decimal
    lines: int


def write_shopify_export(path: Path, customers: int = 300, seed: int = 5) -> ShopTruth:
    rng = np.random.default_rng(seed)
    rows, order_number = [], 1000
    start = pd.Timestamp("2023-01-02 09:00:00")
    for customer in range(customers):
        email = f"customer{customer}@shop.example"
        first_day = int(rng.integers(0, 400))
        for order in range(1 + int(rng.geometric(0.35))):
            order_number += 1
            day = min(first_day + order * int(rng.integers(5, 60)), 540)
            created = start + pd.Timedelta(days=day, minutes=int(rng.integers(0, 600)))
            written = email.upper() if order == 1 else email
            guest = rng.random() < 0.03
            cancelled = rng.random() < 0.08
            rows += _order_rows(rng, order_number, "" if guest else written, created, cancelled)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return shop_truth(path)


def _order_rows(rng, number: int, email: str, created, cancelled: bool) -> list[list[str]]:
    picks = rng.choice(len(PRODUCTS), size=int(rng.integers(1, 4)), replace=False)
    country = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
    stamp = created.strftime("%Y-%m-%d %H:%M:%S") + " -0500"
    rows = []
    for position, pick in enumerate(picks):
        sku, name, price = PRODUCTS[int(pick)]
        line = [str(int(rng.integers(1, 5))), name, str(price), "", sku, "true"]
        if position == 0:
            head = [f"#{number}", email, "voided" if cancelled else "paid", stamp, "fulfilled"]
            head += ["no", "USD", "0.00", "0.00", stamp]
            tail = ["Buyer", "Town", country, stamp if cancelled else "", "0.00"]
        else:
            head, tail = [f"#{number}"] + [""] * 9, [""] * 5
        rows.append(head + line + tail)
    return rows


def shop_truth(path: Path) -> ShopTruth:
    """Customers and revenue read from the file with pandas, the order fields filled down."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("Email", "Cancelled at"):
        frame[column] = (
            frame[column].where(frame[column] != "").groupby(frame["Name"]).transform("first")
        )
    bought = frame[frame["Cancelled at"].isna() & frame["Email"].notna()]
    revenue = sum(
        Decimal(quantity) * Decimal(price)
        for quantity, price in zip(
            bought["Lineitem quantity"], bought["Lineitem price"], strict=True
        )
    )
    return ShopTruth(bought["Email"].str.lower().nunique(), revenue, len(frame))
