"""Turn a slice of the invoice plan into invoice lines, vectorised with numpy.

Every random choice on a line (its product, quantity, whether a return is partial...) comes
from a counter-based hash of (seed, invoice, line, stream) rather than from a sequential
generator. A line is therefore a pure function of its position in the plan: chunks can be
any size and still give byte-identical files, and a cancellation can re-derive the exact
lines of the purchase it cancels without keeping them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insiders.generator.catalogue import (
    ADJUSTMENT_NOTES,
    SPECIAL_CODES,
    SPECIAL_INDEX,
    Catalogue,
)
from insiders.generator.customers import SERIAL_RETURNER
from insiders.generator.plan import Plan
from insiders.generator.targets import (
    ADJUST_NOTE,
    ADJUST_NULL,
    CANCEL,
    DOTCOM,
    FREE_GIFT,
    PLANTED,
    PREFIX_C,
    PURCHASE,
    SINGLE,
)
from insiders.generator.targets import (
    MAX_LINES_PER_INVOICE as MAX_LINES,
)

PLANTED_QUANTITY = 80_995
PLANTED_PRICE = 2.08
# Quantities people actually order: packs and round numbers.
QUANTITY_VALUES = np.array(
    [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 25, 36, 48, 50, 72, 96, 100, 120, 144, 192, 200,
     240, 288, 384, 480, 576, 600, 720, 1000, 1200, 1440, 2000, 2400, 3000, 4800]
)  # fmt: skip
_LOG_QUANTITY_MIDPOINTS = np.log(QUANTITY_VALUES[1:] * QUANTITY_VALUES[:-1]) / 2
# Median quantity and its log-spread per archetype (see ``customers.ARCHETYPES``), then
# for web orders without a customer.
QUANTITY_MEDIAN = np.array([5.7, 4.0, 4.4, 3.6, 6.0, 9.0, 5.5, 1.5])
QUANTITY_SIGMA = np.array([0.9, 0.9, 0.7, 0.9, 0.8, 1.0, 0.9, 0.7])
GUEST = QUANTITY_MEDIAN.size - 1
WHOLESALE_QUANTITY = 24  # from this quantity a line gets the trade discount
TRADE_DISCOUNT = 0.85
WEB_MARKUP = 1.65
# Price of each special code: low, high, skew power and rounding step.
SPECIAL_PRICES = {
    "POST": (15.0, 40.0, 1.5, 1.0),
    "D": (5.0, 200.0, 2.0, 0.01),
    "DOT": (20.0, 1200.0, 2.0, 0.01),
    "M": (0.4, 300.0, 3.0, 0.01),
    "S": (1.0, 200.0, 2.0, 0.01),
    "AMAZONFEE": (1000.0, 17836.46, 1.0, 0.01),
    "m": (2.55, 2.55, 1.0, 0.01),
    "DCGSSBOY": (3.29, 3.29, 1.0, 0.01),
    "DCGSSGIRL": (3.29, 3.29, 1.0, 0.01),
    "PADS": (0.001, 0.001, 1.0, 0.001),
    "B": (11062.06, 11062.06, 1.0, 0.01),
    "CRUK": (1.0, 900.0, 2.0, 0.01),
    "BANK CHARGES": (15.0, 15.0, 1.0, 0.01),
    "C2": (50.0, 50.0, 1.0, 0.01),
}
_SPECIAL_TABLE = np.array([SPECIAL_PRICES[s.code] for s in SPECIAL_CODES])

_STREAM_PRODUCT, _STREAM_Z1, _STREAM_Z2, _STREAM_SPECIAL, _STREAM_RETURN = 1, 2, 3, 4, 5
_STREAM_PARTIAL, _STREAM_DUPLICATE, _STREAM_SIGN, _STREAM_NOTE = 6, 7, 8, 9
_STREAM_USUAL, _STREAM_REPERTOIRE = 10, 11
_STREAM_REDRAW = 16
# How likely a returned line is only partly returned (serial returners send whole lines
# back), and the least share of the line's items a partial return takes.
PARTIAL_SHARE = 0.8
SERIAL_PARTIAL_SHARE = 0.2
PARTIAL_FLOOR = 0.1
# Share of a customer's lines that re-order one of their usual products.
USUAL_SHARE = 0.6


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash (wraps silently on arrays)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform(seed: int, invoice: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
    """Uniform [0, 1) numbers keyed by (seed, invoice, line, stream)."""
    salt = _mix(np.array([(seed % 2**64) ^ (stream << 56)], dtype=np.uint64))
    key = _mix(np.asarray(invoice, dtype=np.int64).astype(np.uint64) ^ salt)
    key = _mix(
        key ^ (np.asarray(line, dtype=np.int64).astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93))
    )
    return (key >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _normal(seed: int, invoice: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Standard normal numbers by Box-Muller on two hashed uniforms."""
    u1 = 1.0 - uniform(seed, invoice, line, _STREAM_Z1)
    u2 = uniform(seed, invoice, line, _STREAM_Z2)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _snap_quantity(log_quantity: np.ndarray) -> np.ndarray:
    return QUANTITY_VALUES[np.searchsorted(_LOG_QUANTITY_MIDPOINTS, log_quantity)].astype(np.int64)


@dataclass
class Lines:
    """Lines as parallel arrays; ``item`` indexes products then special codes."""

    invoice: np.ndarray
    line: np.ndarray
    item: np.ndarray
    description: np.ndarray  # index into the description table, -1 for none
    quantity: np.ndarray
    price: np.ndarray

    @staticmethod
    def concat(parts: list[Lines]) -> Lines:
        return Lines(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Lines.__dataclass_fields__)
        )

    def take(self, index: np.ndarray) -> Lines:
        return Lines(*(getattr(self, f)[index] for f in Lines.__dataclass_fields__))


def _expand(invoices: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repeat each invoice ``count`` times and number its lines from 0."""
    repeated = np.repeat(invoices, counts)
    starts = np.cumsum(counts) - counts
    return repeated, np.arange(repeated.size) - np.repeat(starts, counts)


def _special_lines(
    seed: int, invoice: np.ndarray, line: np.ndarray, code: np.ndarray, product_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item, quantity and price of special-code lines."""
    low, high, power, step = _SPECIAL_TABLE[code].T
    u = uniform(seed, invoice, line, _STREAM_SPECIAL)
    price = np.round(np.round((low + (high - low) * u**power) / step) * step, 3)
    quantity = np.ones(code.size, dtype=np.int64)
    is_post = code == SPECIAL_INDEX["POST"]
    boxes = uniform(seed, invoice[is_post], line[is_post], _STREAM_SIGN)
    quantity[is_post] = 1 + (boxes * 3).astype(np.int64)
    return product_count + code, quantity, price


def _products(
    plan: Plan, catalogue: Catalogue, seed: int, invoice: np.ndarray, line: np.ndarray
) -> np.ndarray:
    """Each line's product: often one of the customer's usual products, else any product.

    A customer re-orders from a repertoire of ``plan.customers.repertoire`` products (drawn
    by popularity, keyed by the customer's position), so big customers buy the same products
    again and again, as real trade accounts do; guests and the rest of the lines draw from
    the whole catalogue.
    """
    products = catalogue.base_prices.size
    u = uniform(seed, invoice, line, _STREAM_PRODUCT)
    customer = plan.customer[invoice]
    repertoire = np.where(customer >= 0, plan.customers.repertoire[np.maximum(customer, 0)], 0)
    usual = (customer >= 0) & (uniform(seed, invoice, line, _STREAM_USUAL) < USUAL_SHARE)
    slot = np.floor(u * np.maximum(repertoire, 1)).astype(np.int64)
    u = np.where(usual, uniform(seed, customer, slot, _STREAM_REPERTOIRE), u)
    return np.minimum(np.searchsorted(catalogue.popularity_cdf, u, side="right"), products - 2)


def purchase_lines(plan: Plan, catalogue: Catalogue, seed: int, invoices: np.ndarray) -> Lines:
    """All lines of purchase and web-order invoices (before duplicates are added)."""
    products = catalogue.base_prices.size
    invoice, line = _expand(invoices, plan.n_lines[invoices])
    item = _products(plan, catalogue, seed, invoice, line)
    # No product twice on one invoice, or lines would duplicate by accident: the later line
    # draws again. Each redraw depends only on the invoice's own lines, so the result is the
    # same in any chunk.
    pending = np.arange(item.size)
    for attempt in range(64):
        key = (invoice[pending] * products + item[pending]) * (MAX_LINES + 1) + line[pending]
        order = np.argsort(key, kind="stable")
        same = (key[order][1:] // (MAX_LINES + 1)) == (key[order][:-1] // (MAX_LINES + 1))
        if not same.any():
            break
        later = pending[order[1:][same]]
        redraw = uniform(seed, invoice[later], line[later], _STREAM_REDRAW + attempt)
        item[later] = np.minimum(
            np.searchsorted(catalogue.popularity_cdf, redraw, side="right"), products - 2
        )
        pending = pending[np.isin(invoice[pending], invoice[later])]

    customer = plan.customer[invoice]
    is_guest = customer < 0
    customers = plan.customers
    archetype = np.where(is_guest, GUEST, customers.archetype[np.maximum(customer, 0)])
    size = np.where(is_guest, 1.0, customers.quantity_scale[np.maximum(customer, 0)])
    base_price = catalogue.base_prices[item]
    # Cheap things are bought by the dozen, dear ones one at a time.
    cheapness = np.clip(np.sqrt(2.5 / base_price), 0.3, 4.0)
    log_quantity = np.log(QUANTITY_MEDIAN[archetype] * size * cheapness) + QUANTITY_SIGMA[
        archetype
    ] * _normal(seed, invoice, line)
    quantity = _snap_quantity(log_quantity)
    price = np.where(
        is_guest,
        np.round(base_price * WEB_MARKUP, 2),
        np.where(
            quantity >= WHOLESALE_QUANTITY, np.round(base_price * TRADE_DISCOUNT, 2), base_price
        ),
    )

    n_lines = plan.n_lines[invoice]
    special = np.where(line == 0, plan.first[invoice], -1)
    special = np.where((special < 0) & (line == n_lines - 1), plan.last[invoice], special)
    price[special == FREE_GIFT] = 0.0
    coded = (special >= 0) & (special < FREE_GIFT)
    item[coded], quantity[coded], price[coded] = _special_lines(
        seed, invoice[coded], line[coded], special[coded], products
    )
    return Lines(invoice, line, item, item.copy(), quantity, price)


def cancel_lines(plan: Plan, catalogue: Catalogue, seed: int, invoices: np.ndarray) -> Lines:
    """Lines of product cancellations: some lines of the parent purchase, negated."""
    parents = plan.parent[invoices]
    bought = purchase_lines(plan, catalogue, seed, parents)
    parent_lines = plan.n_lines[parents]
    parent_start = np.cumsum(parent_lines) - parent_lines
    counts = plan.n_lines[invoices]
    invoice, line = _expand(invoices, counts)
    source = np.repeat(parent_start, counts) + (
        (np.repeat(plan.variant[invoices], counts) + line) % np.repeat(parent_lines, counts)
    )
    returned = bought.take(source)
    quantity = returned.quantity
    # Most returns are a few items of a line; serial returners send whole lines back.
    customer = plan.customer[invoice]
    serial = plan.customers.archetype[customer] == SERIAL_RETURNER
    partial_share = np.where(serial, SERIAL_PARTIAL_SHARE, PARTIAL_SHARE)
    partial = (uniform(seed, invoice, line, _STREAM_RETURN) < partial_share) & (quantity > 1)
    share = PARTIAL_FLOOR + (1 - PARTIAL_FLOOR) * uniform(seed, invoice, line, _STREAM_PARTIAL)
    kept = np.round(quantity * share).astype(np.int64)
    quantity = np.where(partial, np.maximum(kept, 1), quantity)
    return Lines(invoice, line, returned.item, returned.description, -quantity, returned.price)


def single_lines(plan: Plan, catalogue: Catalogue, seed: int, invoices: np.ndarray) -> Lines:
    """One-line invoices: fees, manual entries, bad-debt adjustments and the planted line."""
    products = catalogue.base_prices.size
    code = plan.first[invoices].astype(np.int64)
    line = np.zeros(invoices.size, dtype=np.int64)
    planted = code == PLANTED
    item, quantity, price = _special_lines(
        seed, invoices, line, np.where(planted, 0, code), products
    )
    item[planted] = catalogue.planted_product
    quantity[planted] = PLANTED_QUANTITY
    price[planted] = PLANTED_PRICE
    price = np.where(plan.variant[invoices] == 1, -price, price)
    quantity = np.where(plan.prefix[invoices] == PREFIX_C, -quantity, quantity)
    return Lines(invoices, line, item, item.copy(), quantity, price)


def adjustment_lines(plan: Plan, catalogue: Catalogue, seed: int, invoices: np.ndarray) -> Lines:
    """Zero-priced stock adjustments: no customer, no or a hand-typed description."""
    products = catalogue.base_prices.size
    line = np.zeros(invoices.size, dtype=np.int64)
    u = uniform(seed, invoices, line, _STREAM_PRODUCT)
    item = np.minimum(np.searchsorted(catalogue.popularity_cdf, u, side="right"), products - 2)
    magnitude = _snap_quantity(np.log(8.0) + 1.2 * _normal(seed, invoices, line))
    negative = uniform(seed, invoices, line, _STREAM_SIGN) < 0.6
    note = (uniform(seed, invoices, line, _STREAM_NOTE) * len(ADJUSTMENT_NOTES)).astype(np.int64)
    description = np.where(
        plan.kind[invoices] == ADJUST_NULL, -1, products + len(SPECIAL_CODES) + note
    )
    quantity = np.where(negative, -magnitude, magnitude)
    return Lines(invoices, line, item, description, quantity, np.zeros(invoices.size))


def chunk_lines(plan: Plan, catalogue: Catalogue, seed: int, start: int, stop: int) -> Lines:
    """Every line of invoices ``start`` to ``stop`` in output order, duplicates included."""
    invoices = np.arange(start, stop)
    kind = plan.kind[invoices]
    parts = [
        purchase_lines(plan, catalogue, seed, invoices[(kind == PURCHASE) | (kind == DOTCOM)]),
        cancel_lines(plan, catalogue, seed, invoices[kind == CANCEL]),
        single_lines(plan, catalogue, seed, invoices[kind == SINGLE]),
        adjustment_lines(
            plan, catalogue, seed, invoices[(kind == ADJUST_NULL) | (kind == ADJUST_NOTE)]
        ),
    ]
    lines = Lines.concat(parts)
    # Exact duplicates: a run of consecutive lines of the invoice, entered twice.
    duplicates = plan.n_duplicates[lines.invoice]
    first = np.floor(
        uniform(seed, lines.invoice, np.zeros_like(lines.line), _STREAM_DUPLICATE)
        * (plan.n_lines[lines.invoice] - duplicates + 1)
    ).astype(np.int64)
    copied = (lines.line >= first) & (lines.line < first + duplicates)
    copy_flag = np.concatenate(
        [np.zeros(lines.line.size, np.int8), np.ones(int(copied.sum()), np.int8)]
    )
    lines = Lines.concat([lines, lines.take(np.flatnonzero(copied))])
    return lines.take(np.lexsort((copy_flag, lines.line, lines.invoice)))
