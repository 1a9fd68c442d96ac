"""The README's `make run` lines for other retailers' files ("Your own shop's export"), run as it
writes them: a Shopify export, CDNOW and one's own till export read through the README's own
example mapping. Each runs on a fresh database and again on the used one, tests on, with HOME a
folder of the test's where the files are put, then the customers the marts hold are checked
against the file (and, for CDNOW, against the count the README writes beside the line).
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from readme_commands import clean_env, readme_command, shell
from shop_exports import write_shopify_export

pytestmark = pytest.mark.slow

COMMANDS = {
    "shopify": "INSIDERS_MAPPING=shopify INSIDERS_RAW_PATH=~/Downloads/orders_export.csv make run",
    "cdnow": "INSIDERS_MAPPING=cdnow INSIDERS_RAW_PATH=~/Downloads/CDNOW_master.txt make run",
    "my_till": (
        "INSIDERS_MAPPING=~/mappings/my_till.yml INSIDERS_RAW_PATH=~/exports/2024.csv make run"
    ),
}
# The README's example mapping, the one the my_till line reads.
MAPPING_EXAMPLE = "description: Our till's export"

# The till export, in the README example's shape (Till: a column it ignores).
TILL_HEADER = (
    "Receipt",
    "Client",
    "Day",
    "Qty",
    "Price",
    "Amount",
    "SKU",
    "Item",
    "Country",
    "State",
    "Till",
)
TILL_PRODUCTS = [
    (f"P{n:03d}", f"Item {n}", Decimal(f"{1 + (n * 7) % 40}.{(n * 13) % 100:02d}"))
    for n in range(30)
]
GIFT_CARD = ("GIFTCARD", "Gift card", Decimal("25.00"))
STAFF = "90001"  # the example's excluded customer


@dataclass(frozen=True)
class Expected:
    """What a file comes to: its lines, the customers with a purchase, their revenue."""

    raw_path: Path
    lines: int
    customers: int
    revenue: Decimal


def readme_comment(command: str) -> str:
    """The comment the README writes after the line that starts with ``command``."""
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(command):
            return line.partition("   #")[2].strip()
    raise AssertionError(f"the README no longer shows {command!r}")


def readme_mapping_example() -> str:
    """The README's example mapping (its ```yaml block), as written."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [
        block
        for block in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M)
        if block.startswith(MAPPING_EXAMPLE)
    ]
    assert len(blocks) == 1, f"the README shows {len(blocks)} mappings starting {MAPPING_EXAMPLE!r}"
    return blocks[0]


def place_shopify(home: Path, request) -> Expected:
    export = home / "Downloads" / "orders_export.csv"
    export.parent.mkdir(parents=True)
    truth = write_shopify_export(export)
    return Expected(export, truth.lines, truth.customers, truth.revenue)


def place_cdnow(home: Path, request) -> Expected:
    master = home / "Downloads" / "CDNOW_master.txt"
    master.parent.mkdir(parents=True)
    shutil.copyfile(request.getfixturevalue("cdnow_dir") / "CDNOW_master.txt", master)
    file = pd.read_csv(master, sep=r"\s+", dtype=str)
    customers = re.fullmatch(r"([\d,]+) customers", readme_comment(COMMANDS["cdnow"]))
    assert customers, "the README's CDNOW line no longer says how many customers"
    assert int(customers[1].replace(",", "")) == file["customer_id"].nunique()
    revenue = sum(Decimal(amount) for amount in file["dollar_value"])
    return Expected(master, len(file), int(customers[1].replace(",", "")), revenue)


def place_my_till(home: Path, request) -> Expected:
    mapping = home / "mappings" / "my_till.yml"
    mapping.parent.mkdir(parents=True)
    mapping.write_text(readme_mapping_example(), encoding="utf-8")
    export = home / "exports" / "2024.csv"
    export.parent.mkdir(parents=True)
    write_till_export(export)
    return till_truth(export)


def write_till_export(path: Path, customers: int = 300, seed: int = 11) -> None:
    """Receipts of ``customers`` clients over 15 months, some cancelled or voided (State), some
    cancelled by a C receipt, gift cards, a Testland shop, a member of staff; and one client
    each whose only receipt is one of those, so that every rule changes the count."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-10-02 08:00")
    rows: list[list[str]] = []
    receipt = 5000

    def add(client: str, day: int, lines, *, state="paid", country="Germany", prefix="R"):
        nonlocal receipt
        receipt += 1
        when = start + pd.Timedelta(days=day, minutes=int(rng.integers(0, 600)))
        for sku, item, price, qty in lines:
            day_text, amount = when.strftime("%d.%m.%Y %H:%M"), f"{qty * price:.2f}"
            line = [str(qty), str(price), amount, sku, item, country, state, "1"]
            rows.append([f"{prefix}{receipt}", client, day_text, *line])

    def basket():
        picks = rng.choice(len(TILL_PRODUCTS), size=int(rng.integers(1, 4)), replace=False)
        return [(*TILL_PRODUCTS[int(p)], int(rng.integers(1, 6))) for p in picks]

    for number in range(customers):
        client = str(10001 + number)
        first_day = int(rng.integers(0, 420))
        for visit in range(1 + int(rng.geometric(0.35))):
            day = min(first_day + visit * int(rng.integers(5, 50)), 455)
            lines = basket()
            if rng.random() < 0.05:
                lines.append((*GIFT_CARD, 1))
            draw = rng.random()
            state = "cancelled" if draw < 0.05 else "voided" if draw < 0.08 else "paid"
            country = "Testland" if rng.random() < 0.03 else ("Germany", "Austria")[visit % 2]
            add(client, day, lines, state=state, country=country)
            if state == "paid" and rng.random() < 0.04:  # a line taken back
                sku, item, price, qty = lines[0]
                add(client, day + 1, [(sku, item, price, -qty)], prefix="C")
    add(STAFF, 30, basket())
    add(STAFF, 200, basket())
    add("10901", 40, [(*GIFT_CARD, 2)])
    add("10902", 50, basket(), country="Testland")
    add("10903", 60, basket(), state="cancelled")
    add("10904", 70, basket(), state="voided")
    add("10905", 80, [(*TILL_PRODUCTS[0], -1)], prefix="C")
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(TILL_HEADER)
        writer.writerows(rows)


def till_truth(path: Path) -> Expected:
    """What the example mapping makes of the till export, read with pandas."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cancelled = frame["Receipt"].str.startswith("C") | frame["State"].isin(["cancelled", "voided"])
    excluded = (
        frame["SKU"].eq("GIFTCARD") | frame["Country"].eq("Testland") | frame["Client"].eq(STAFF)
    )
    bought = frame[~cancelled & ~excluded & (frame["Qty"].astype(int) >= 0)]
    revenue = sum(
        Decimal(qty) * Decimal(price)
        for qty, price in zip(bought["Qty"], bought["Price"], strict=True)
    )
    for client in (STAFF, "10901", "10902", "10903", "10904", "10905"):
        assert client in set(frame["Client"]) - set(bought["Client"])
    return Expected(path, len(frame), bought["Client"].nunique(), revenue)


PLACE = {"shopify": place_shopify, "cdnow": place_cdnow, "my_till": place_my_till}


def check_run(database: Path, reports: Path, name: str, expected: Expected) -> None:
    assert (reports / "insiders_report.html").stat().st_size > 0
    assert (reports / "docs.html").stat().st_size > 0
    members = pd.read_csv(reports / "insiders_members.csv")
    with duckdb.connect(str(database), read_only=True) as con:

        def scalar(sql: str):
            return con.execute(sql).fetchall()[0][0]

        assert scalar("select mapping_name from staging.stg_retail__mapping") == name
        assert scalar("select count(*) from raw.invoice_lines") == expected.lines
        assert scalar("select count(*) from main.customers") == expected.customers
        assert (
            scalar(
                "select sum(line_revenue) from intermediate.int_invoice_lines_cleaned "
                "where is_purchase"
            )
            == expected.revenue
        )
        assert len(members) == scalar("select count(*) from main.insiders") > 0
        outcomes = dict(
            con.execute(
                "select coalesce(rejection_reason, 'kept'), count(*) "
                "from intermediate.int_invoice_lines_screened group by all"
            ).fetchall()
        )
    if name == "my_till":  # the example's exclusion lists, each met
        assert set(outcomes) == {
            "kept",
            "excluded_stock_code",
            "excluded_country",
            "excluded_customer",
        }
    assert sum(outcomes.values()) == expected.lines


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_readme_mapping_line_runs_as_written_on_a_fresh_and_a_used_database(
    name, tmp_path, request
):
    command = readme_command(COMMANDS[name])
    assert command == COMMANDS[name]
    home = tmp_path / "home"
    expected = PLACE[name](home, request)
    database = tmp_path / "insiders.duckdb"
    reports = tmp_path / "reports"
    env = clean_env(
        tmp_path,
        HOME=str(home),
        INSIDERS_DUCKDB_PATH=str(database),
        INSIDERS_REPORTS_DIR=str(reports),
    )

    shell(command, env)  # a fresh database
    check_run(database, reports, name, expected)
    shutil.rmtree(reports)
    shell(command, env)  # the used one, the same file again
    check_run(database, reports, name, expected)

    with duckdb.connect(str(database), read_only=True) as con:
        runs = con.execute("select raw_path from audit.published_runs").fetchall()
    assert [Path(raw_path) for (raw_path,) in runs] == [expected.raw_path] * 2
