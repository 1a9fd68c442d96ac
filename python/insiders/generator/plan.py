"""The invoice plan: who buys, when, on how many lines, and what gets cancelled.

The generator works in two passes. This module is the first: it decides, with one seeded
``numpy`` Generator, everything at customer and invoice level (about one row per 21 lines),
hitting the published totals of the UCI Online Retail file exactly at scale 1. The second
pass (``insiders.generator.lines``) turns the plan into lines chunk by chunk, so memory for
lines stays flat whatever the scale; only this plan grows, at a few dozen bytes per invoice.

The calendar is in ``timeline``, the customers and their archetypes in ``customers``, the
countries in ``countries`` and the published counts in ``targets``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insiders.generator.catalogue import SPECIAL_INDEX
from insiders.generator.countries import assign_countries, guest_countries
from insiders.generator.customers import (
    BASKET_SPREAD,
    CANCEL_WEIGHT,
    EXTRA_INVOICES_MEAN,
    INVOICE_DISPERSION,
    LAPSED,
    LINES_MEDIAN,
    MIN_INVOICES,
    ONE_OFF,
    PLANTED_CUSTOMER_ID,
    REPERTOIRE_PER_ROOT_LINE,
    RETURN_LINES_P,
    Customers,
    build_customers,
)
from insiders.generator.sampling import binomial_with_total, fit_total, weighted_sample
from insiders.generator.specials import special_slots
from insiders.generator.targets import (
    ADJUST_NOTE,
    ADJUST_NULL,
    CANCEL,
    DOTCOM,
    MAX_LINES_PER_INVOICE,
    NO_PREFIX,
    PLANTED,
    PREFIX_A,
    PREFIX_C,
    PURCHASE,
    SINGLE,
    InvoiceCounts,
    Targets,
    invoice_counts,
    targets_for,
)
from insiders.generator.timeline import (
    FIRST_MINUTE,
    LAST_MINUTE,
    Timeline,
    build_timeline,
    clamp_minutes,
    sample_days,
    sample_minutes,
)


@dataclass
class Plan:
    """One row per invoice, in output order (by time); arrays share that index.

    ``first``/``last`` hold a special code (index into SPECIAL_CODES, or FREE_GIFT /
    PLANTED) that replaces the first/last line, or -1. For SINGLE invoices ``first`` is the
    one line's code and ``variant`` its sign of price (1 = negative, for 'A' invoices).
    For CANCEL invoices ``parent`` is the cancelled purchase and ``variant`` the offset of
    the first cancelled line within it.
    """

    kind: np.ndarray
    prefix: np.ndarray
    number: np.ndarray
    customer: np.ndarray
    country: np.ndarray
    timestamp: np.ndarray  # datetime64[us]
    n_lines: np.ndarray
    n_duplicates: np.ndarray
    first: np.ndarray
    last: np.ndarray
    parent: np.ndarray
    variant: np.ndarray
    customers: Customers
    stop_date: np.ndarray  # datetime64[D] per customer, NaT if not planted

    @property
    def line_count(self) -> int:
        return int(self.n_lines.sum() + self.n_duplicates.sum())


@dataclass
class _Invoices:
    """Invoice rows before they are sorted into output order."""

    kind: list[np.ndarray]
    prefix: list[np.ndarray]
    customer: list[np.ndarray]
    day: list[np.ndarray]
    minute: list[np.ndarray]
    n_lines: list[np.ndarray]
    first: list[np.ndarray]
    variant: list[np.ndarray]
    parent: list[np.ndarray]

    def add(self, kind, prefix, customer, day, minute, n_lines, first=-1, variant=0, parent=-1):
        values = (kind, prefix, customer, day, minute, n_lines, first, variant, parent)
        sizes = [np.asarray(value).size for value in values if np.ndim(value) > 0]
        size = sizes[0] if sizes else 1
        for name, value in (
            ("kind", kind),
            ("prefix", prefix),
            ("customer", customer),
            ("day", day),
            ("minute", minute),
            ("n_lines", n_lines),
            ("first", first),
            ("variant", variant),
            ("parent", parent),
        ):
            getattr(self, name).append(np.broadcast_to(np.asarray(value, dtype=np.int64), size))

    @property
    def size(self) -> int:
        return sum(part.size for part in self.day)

    def column(self, name: str) -> np.ndarray:
        return np.concatenate(getattr(self, name))


def build_plan(seed: int, scale: float) -> Plan:
    """Plan every invoice for ``scale`` and ``seed``; see the module docstring."""
    rng = np.random.default_rng(seed)
    targets = targets_for(scale)
    timeline = build_timeline()
    customers = build_customers(rng, targets, timeline)
    counts = invoice_counts(targets)
    invoices = _Invoices(*([] for _ in range(9)))
    buyer, day, n_lines = _add_purchases(rng, timeline, customers, invoices, counts)
    _add_cancellations(rng, timeline, customers, invoices, counts, (buyer, day, n_lines))
    _add_customer_singles(rng, timeline, customers, invoices, counts)
    _add_guest_invoices(rng, timeline, targets, invoices, counts)
    assert invoices.size == targets.invoices
    return _finish(rng, targets, timeline, customers, invoices, counts)


def _add_purchases(
    rng: np.random.Generator,
    timeline: Timeline,
    customers: Customers,
    invoices: _Invoices,
    counts: InvoiceCounts,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers' purchases: how many each, on which days, on how many lines.

    Returns the buyer, day and line count of each purchase, in the order they were added.
    """
    archetype = customers.archetype
    extra = rng.negative_binomial(
        INVOICE_DISPERSION,
        INVOICE_DISPERSION / (INVOICE_DISPERSION + EXTRA_INVOICES_MEAN[archetype]),
    )
    weights = (
        (MIN_INVOICES[archetype] + extra)
        * customers.frequency_scale
        * np.exp(rng.normal(0, 0.1, archetype.size))
    )
    maximum = np.where(archetype == ONE_OFF, 1, 10 * counts.purchases)
    per_customer = fit_total(weights, counts.purchases, MIN_INVOICES[archetype], maximum)
    buyer = np.repeat(np.arange(archetype.size), per_customer)
    day = sample_days(rng, timeline, customers.window_start[buyer], customers.window_end[buyer])
    # A lapsed customer's last purchase is on their stop day, so the truth is exact.
    lapsed = np.flatnonzero(customers.stop_day >= 0)
    last_purchase = np.cumsum(per_customer)[lapsed] - 1
    day[last_purchase] = customers.stop_day[lapsed]
    day = np.minimum(
        day, np.where(customers.stop_day[buyer] >= 0, customers.stop_day[buyer], timeline.days.size)
    )
    lines_weight = (
        LINES_MEDIAN[archetype[buyer]]
        * customers.lines_scale[buyer]
        * np.exp(rng.normal(0.0, BASKET_SPREAD, buyer.size))
    )
    n_lines = fit_total(lines_weight, counts.purchase_lines, 1, MAX_LINES_PER_INVOICE)
    customer_lines = np.bincount(buyer, weights=n_lines, minlength=archetype.size)
    customers.repertoire[:] = np.ceil(REPERTOIRE_PER_ROOT_LINE * np.sqrt(customer_lines))
    invoices.add(PURCHASE, NO_PREFIX, buyer, day, sample_minutes(rng, timeline, day), n_lines)
    return buyer, day, n_lines


def _add_cancellations(
    rng: np.random.Generator,
    timeline: Timeline,
    customers: Customers,
    invoices: _Invoices,
    counts: InvoiceCounts,
    purchases: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Product cancellations: one per chosen purchase, soon after it, of some of its lines.

    ``purchases`` is what ``_add_purchases`` returned: buyer, day and lines of each purchase,
    which are also the first rows of ``invoices``.
    """
    buyer, day, n_lines = purchases
    archetype = customers.archetype
    parent = weighted_sample(
        rng, CANCEL_WEIGHT[archetype[buyer]] * np.sqrt(n_lines), counts.product_cancels
    )
    k = 1 + rng.geometric(RETURN_LINES_P[archetype[buyer[parent]]])
    k = fit_total(k.astype(np.float64), counts.product_cancel_lines, 1, n_lines[parent])
    delay_days = np.where(rng.random(parent.size) < 0.45, 0, rng.geometric(0.1, parent.size))
    stop_day = customers.stop_day[buyer[parent]]
    limit = np.where(stop_day >= 0, stop_day, timeline.days.size - 1)
    cancel_day = np.minimum(day[parent] + delay_days, limit).astype(np.int32)
    parent_minute = invoices.minute[0][parent]
    same_day_minute = parent_minute + rng.integers(1, 121, parent.size)
    same_day_minute = np.where(same_day_minute > 20 * 60 + 59, parent_minute + 1, same_day_minute)
    cancel_minute = np.where(
        cancel_day == day[parent],
        same_day_minute,
        sample_minutes(rng, timeline, cancel_day),
    )
    cancel_minute = np.maximum(
        clamp_minutes(timeline, cancel_day, cancel_minute),
        np.where(cancel_day == day[parent], parent_minute, 0),
    )
    offset = (rng.random(parent.size) * n_lines[parent]).astype(np.int64)
    invoices.add(
        CANCEL, PREFIX_C, buyer[parent], cancel_day, cancel_minute, k, variant=offset, parent=parent
    )


def _add_customer_singles(
    rng: np.random.Generator,
    timeline: Timeline,
    customers: Customers,
    invoices: _Invoices,
    counts: InvoiceCounts,
) -> None:
    """Customers' single-line specials, to established, still-active customers; then the
    planted wholesaler line and its cancellation, as in the real file."""
    archetype = customers.archetype
    eligible = np.flatnonzero((archetype != ONE_OFF) & (archetype != LAPSED))
    cruk_customer = eligible[int(rng.integers(eligible.size))]
    for code, prefix, count in counts.customer_singles:
        if count == 0:
            continue
        if code == "CRUK":
            who = np.full(count, cruk_customer)
        else:
            who = eligible[rng.integers(0, eligible.size, count)]
        single_day = sample_days(
            rng, timeline, customers.window_start[who], customers.window_end[who]
        )
        invoices.add(
            SINGLE, prefix, who, single_day, sample_minutes(rng, timeline, single_day), 1,
            first=SPECIAL_INDEX[code],
        )  # fmt: skip
    planted = int(np.flatnonzero(customers.ids == PLANTED_CUSTOMER_ID)[0])
    last_day = timeline.days.size - 1
    invoices.add(SINGLE, NO_PREFIX, planted, last_day, 9 * 60 + 15, 1, first=PLANTED)
    invoices.add(SINGLE, PREFIX_C, planted, last_day, 9 * 60 + 27, 1, first=PLANTED)


def _add_guest_invoices(
    rng: np.random.Generator,
    timeline: Timeline,
    targets: Targets,
    invoices: _Invoices,
    counts: InvoiceCounts,
) -> None:
    """Guest invoices: web orders, stock adjustments, fees and the bad-debt adjustment."""
    dotcom = counts.dotcom
    guest_day = sample_days(rng, timeline, np.zeros(dotcom), np.ones(dotcom))
    guest_minute = sample_minutes(rng, timeline, guest_day)
    # The file's first and last invoice times are exact.
    guest_day[0], guest_minute[0] = 0, FIRST_MINUTE
    guest_day[-1], guest_minute[-1] = timeline.days.size - 1, LAST_MINUTE
    dotcom_weight = 80.0 * np.exp(rng.normal(0.0, 0.9, dotcom))
    dotcom_n = fit_total(dotcom_weight, counts.dotcom_lines, 2, MAX_LINES_PER_INVOICE)
    invoices.add(DOTCOM, NO_PREFIX, -1, guest_day, guest_minute, dotcom_n)
    for kind, count in (
        (ADJUST_NULL, targets.null_descriptions),
        (ADJUST_NOTE, targets.adjustment_notes),
    ):
        adjust_day = sample_days(rng, timeline, np.zeros(count), np.ones(count))
        invoices.add(kind, NO_PREFIX, -1, adjust_day, sample_minutes(rng, timeline, adjust_day), 1)
    for code, prefix, count in counts.guest_singles:
        single_day = sample_days(rng, timeline, np.zeros(count), np.ones(count))
        invoices.add(
            SINGLE, prefix, -1, single_day, sample_minutes(rng, timeline, single_day), 1,
            first=SPECIAL_INDEX[code],
        )  # fmt: skip
    bad_debts = targets.specials["B"]
    debt_day = int(sample_days(rng, timeline, np.array([0.6]), np.array([0.7]))[0])
    debt_minute = 14 * 60 + 50 + np.arange(bad_debts)
    invoices.add(
        SINGLE, PREFIX_A, -1, debt_day, debt_minute, 1, first=SPECIAL_INDEX["B"],
        variant=(np.arange(bad_debts) > 0).astype(np.int64),
    )  # fmt: skip


def _countries(
    rng: np.random.Generator,
    targets: Targets,
    customers: Customers,
    invoices: _Invoices,
    duplicates: np.ndarray,
) -> np.ndarray:
    """Each invoice's country: its customer's, or for web orders the guests' few abroad."""
    kind = invoices.column("kind")
    customer = invoices.column("customer")
    n_lines = invoices.column("n_lines")
    identified = customer >= 0
    lines = np.bincount(
        customer[identified],
        weights=(n_lines + duplicates)[identified],
        minlength=customers.ids.size,
    )
    assign_countries(rng, targets, customers, lines)
    country = np.where(identified, customers.country[np.maximum(customer, 0)], 0).astype(np.int16)
    dotcom_rows = np.flatnonzero(kind == DOTCOM)
    country[dotcom_rows] = guest_countries(targets.scale, n_lines[dotcom_rows])
    return country


def _finish(
    rng: np.random.Generator,
    targets: Targets,
    timeline: Timeline,
    customers: Customers,
    invoices: _Invoices,
    counts: InvoiceCounts,
) -> Plan:
    """Duplicates, countries and special lines, then sort into output order and number."""
    kind = invoices.column("kind")
    customer = invoices.column("customer")
    n_lines = invoices.column("n_lines")
    duplicates = np.zeros(kind.size, dtype=np.int64)
    for group, total in ((PURCHASE, counts.customer_duplicates), (DOTCOM, counts.guest_duplicates)):
        rows = np.flatnonzero(kind == group)
        duplicates[rows] = binomial_with_total(rng, n_lines[rows], total)

    country = _countries(rng, targets, customers, invoices, duplicates)
    slots = special_slots(
        rng,
        targets,
        invoices.column("kind"),
        invoices.column("n_lines"),
        invoices.column("first"),
        country,
    )

    day = invoices.column("day")
    minute = invoices.column("minute")
    order = np.lexsort((np.arange(kind.size), minute, day))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    parent = invoices.column("parent")
    parent = np.where(parent >= 0, rank[np.maximum(parent, 0)], -1)
    timestamp = timeline.days[day].astype("datetime64[us]") + (minute * 60_000_000).astype(
        "timedelta64[us]"
    )
    gaps = 1 + rng.poisson(0.746, kind.size)
    gaps[0] = 0
    stop_date = np.where(
        customers.stop_day >= 0,
        timeline.days[np.maximum(customers.stop_day, 0)],
        np.datetime64("NaT", "D"),
    )
    return Plan(
        kind=kind[order].astype(np.int8),
        prefix=invoices.column("prefix")[order].astype(np.int8),
        number=536_365 + np.cumsum(gaps),
        customer=customer[order].astype(np.int32),
        country=country[order],
        timestamp=timestamp[order],
        n_lines=n_lines[order],
        n_duplicates=duplicates[order],
        first=slots["first"][order].astype(np.int16),
        last=slots["last"][order].astype(np.int16),
        parent=parent[order],
        variant=invoices.column("variant")[order],
        customers=customers,
        stop_date=stop_date,
    )
