"""The generated customers: ids, planted archetypes and how each one buys.

Each customer is drawn from an archetype (the planted truth a segmentation is scored against)
and gets, within it, a size (lines per invoice, quantities), an invoice count weight and an
active window in the year; lapsed customers get the day they stop buying.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insiders.generator.sampling import allocate
from insiders.generator.targets import Targets
from insiders.generator.timeline import Timeline

PLANTED_CUSTOMER_ID = 16446
REAL_ID_RANGE = (12346, 18287)
EXTRA_ID_START = 100_000  # ids from 19000 up are reserved for surrogate customers

# name, share of customers, and what the loyalty programme should make of them.
ARCHETYPES = (
    ("one_off", 0.32),
    ("lapsed", 0.13),
    ("frequent_small", 0.12),
    ("regular", 0.23),
    ("loyal_high_value", 0.12),
    ("wholesaler", 0.025),
    ("serial_returner", 0.055),
)
ONE_OFF, LAPSED, FREQUENT_SMALL, REGULAR, LOYAL, WHOLESALER, SERIAL_RETURNER = range(7)
HIGH_VALUE_ARCHETYPES = (LOYAL, WHOLESALER)
# Per archetype: purchase invoices (minimum, negative-binomial mean), lines per invoice
# (median), window start (latest position in the year's cumulative volume) and how likely
# an order is to be cancelled.
MIN_INVOICES = np.array([1, 2, 5, 2, 6, 4, 4])
EXTRA_INVOICES_MEAN = np.array([0.0, 1.5, 5.0, 1.5, 14.0, 5.0, 4.0])
LINES_MEDIAN = np.array([15.0, 26.0, 12.0, 25.0, 26.0, 36.0, 18.0])
# Log-spread of customers' lines per invoice and quantities within an archetype (wholesalers
# range from small shops to the file's 100,000-a-year accounts), of baskets, and the
# negative-binomial dispersion of invoice counts: together they set how concentrated revenue
# is. The values are calibrated so that the customers' features match the real file's
# quantiles at scale 1 (python/tests/generator/test_calibration.py).
LINES_SPREAD = 0.3
QUANTITY_SPREAD = np.array([0.2, 0.2, 0.2, 0.2, 0.2, 1.5, 0.2])
BASKET_SPREAD = 0.6
INVOICE_DISPERSION = 1.5
BUSY_ACCOUNTS = 12  # at scale 1
# A customer's usual products: this many per square root of their purchase lines.
REPERTOIRE_PER_ROOT_LINE = 4.0
JOIN_LATER_SHARE = 0.55  # customers whose first purchase is within the year, not before
LATEST_START = np.array([0.5, 0.12, 0.3, 0.6, 0.3, 0.35, 0.5])
# Per archetype: the success probability of the geometric number of lines a return takes.
RETURN_LINES_P = np.array([0.75, 0.75, 0.75, 0.75, 0.75, 0.7, 0.15])
CANCEL_WEIGHT = np.array([0.2, 0.6, 0.4, 0.6, 0.45, 1.0, 25.0])


@dataclass
class Customers:
    """Customer-level truth and behaviour, indexed by customer position."""

    ids: np.ndarray  # int64
    archetype: np.ndarray  # int8, index into ARCHETYPES
    quantity_scale: np.ndarray  # float64, multiplies quantities on every line
    lines_scale: np.ndarray  # float64, multiplies lines per invoice
    frequency_scale: np.ndarray  # float64, multiplies the number of invoices
    window_start: np.ndarray  # float64, position in the cumulative trading volume
    window_end: np.ndarray  # float64
    stop_day: np.ndarray  # int32, trading-day index of the last purchase, -1 if none planted
    country: np.ndarray  # int16, index into COUNTRY_NAMES
    repertoire: np.ndarray  # int64, how many products the customer usually re-orders


def customer_ids(rng: np.random.Generator, count: int) -> np.ndarray:
    """Real-range ids (always including 16446), then ids from 100000 up beyond scale 1."""
    low, high = REAL_ID_RANGE
    real_count = min(count, 4372)
    pool = np.setdiff1d(np.arange(low, high + 1), [PLANTED_CUSTOMER_ID])
    real = rng.choice(pool, size=real_count - 1, replace=False)
    extra = np.arange(EXTRA_ID_START, EXTRA_ID_START + count - real_count)
    return np.sort(np.concatenate([real, [PLANTED_CUSTOMER_ID], extra])).astype(np.int64)


def build_customers(rng: np.random.Generator, targets: Targets, timeline: Timeline) -> Customers:
    """Draw the customers: archetype, size, active window; lapsed ones get a stop day."""
    count = targets.customers
    ids = customer_ids(rng, count)
    shares = np.array([share for _, share in ARCHETYPES])
    archetype = np.repeat(np.arange(len(ARCHETYPES)), allocate(shares, count))
    archetype = rng.permutation(archetype).astype(np.int8)
    planted = int(np.flatnonzero(ids == PLANTED_CUSTOMER_ID)[0])
    wholesaler = np.flatnonzero(archetype == WHOLESALER)
    swap = wholesaler[0]
    archetype[swap], archetype[planted] = archetype[planted], WHOLESALER

    # Heavy tails: sizes vary a lot within an archetype, so archetypes overlap.
    quantity_scale = np.exp(rng.normal(0.0, QUANTITY_SPREAD[archetype]))
    lines_scale = np.exp(rng.normal(0.0, LINES_SPREAD, count))
    # Most customers were buying before December 2010 (the shop is older than the file);
    # the others join through the year.
    joins_later = rng.random(count) < JOIN_LATER_SHARE
    window_start = np.where(joins_later, rng.random(count) * LATEST_START[archetype], 0.0)
    # A few very busy accounts (thousands of lines a year, like the real file's top ten)
    # order often and on long invoices, in modest quantities.
    frequency_scale = np.ones(count)
    busy_pool = np.flatnonzero(np.isin(archetype, (FREQUENT_SMALL, LOYAL, WHOLESALER)))
    busy = rng.choice(busy_pool, size=min(busy_pool.size, round(BUSY_ACCOUNTS * targets.scale)))
    frequency_scale[busy] = rng.uniform(4.0, 10.0, busy.size)
    lines_scale[busy] *= rng.uniform(2.0, 4.0, busy.size)
    quantity_scale[busy] *= 0.4
    window_start[busy] = 0.0
    window_end = np.ones(count)
    stop_day = np.full(count, -1, dtype=np.int32)
    lapsed = np.flatnonzero(archetype == LAPSED)
    stop_window = np.flatnonzero(
        (timeline.days >= np.datetime64("2011-03-01"))
        & (timeline.days <= np.datetime64("2011-09-30"))
    )
    stop_day[lapsed] = rng.choice(stop_window, size=lapsed.size)
    window_end[lapsed] = timeline.cdf[stop_day[lapsed]]
    window_start[lapsed] = np.minimum(window_start[lapsed], window_end[lapsed] * 0.5)
    return Customers(
        ids=ids,
        archetype=archetype,
        quantity_scale=quantity_scale,
        lines_scale=lines_scale,
        frequency_scale=frequency_scale,
        window_start=window_start,
        window_end=window_end,
        stop_day=stop_day,
        country=np.zeros(count, dtype=np.int16),
        repertoire=np.zeros(count, dtype=np.int64),
    )
