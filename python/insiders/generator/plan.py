"""The invoice plan: who buys, when, on how many lines, and what gets cancelled.

The generator works in two passes. This module is the first: it decides, with one seeded
``numpy`` Generator, everything at customer and invoice level (about one row per 21 lines),
hitting the published totals of the UCI Online Retail file exactly at scale 1. The second
pass (``generator_lines``) turns the plan into lines chunk by chunk, so memory for lines
stays flat whatever the scale; only this plan grows, at a few dozen bytes per invoice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insiders.generator.catalogue import SPECIAL_CODES, SPECIAL_INDEX

FIRST_DAY = np.datetime64("2010-12-01", "D")
LAST_DAY = np.datetime64("2011-12-09", "D")
FIRST_MINUTE = 8 * 60 + 26  # 2010-12-01 08:26, the first invoice of the real file
LAST_MINUTE = 12 * 60 + 50  # 2011-12-09 12:50, its last
LAST_DAY_SHARE = 0.3  # of a full day's trade: the file stops at 12:50 on its last day
CLOSED_DAYS = np.array(
    ["2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29"],
    dtype="datetime64[D]",
)
CHRISTMAS_CLOSURE = (np.datetime64("2010-12-24", "D"), np.datetime64("2011-01-03", "D"))
# Lines per month in the real file (Dec 2010 .. Dec 2011): the build-up to November.
MONTHLY_LINES = (
    42481, 35147, 27707, 36748, 29916, 37030, 36874, 39518, 35284, 50226, 60742, 84711, 25525,
)  # fmt: skip
# Monday .. Sunday; the shop never invoices on Saturdays.
WEEKDAY_WEIGHTS = np.array([1.0, 1.1, 1.05, 1.2, 0.8, 0.0, 0.65])
HOUR_WEIGHTS = {
    6: 0.001, 7: 0.006, 8: 0.03, 9: 0.065, 10: 0.12, 11: 0.125, 12: 0.155, 13: 0.14,
    14: 0.125, 15: 0.11, 16: 0.06, 17: 0.035, 18: 0.015, 19: 0.01, 20: 0.003,
}  # fmt: skip
SUNDAY_HOURS = range(10, 17)

# Kinds of invoice in the plan.
PURCHASE, DOTCOM, CANCEL, SINGLE, ADJUST_NULL, ADJUST_NOTE = range(6)
# Invoice number prefixes.
NO_PREFIX, PREFIX_C, PREFIX_A = range(3)
# Pseudo special codes beside SPECIAL_CODES' indices.
FREE_GIFT = len(SPECIAL_CODES)  # a product line given away at price 0
PLANTED = len(SPECIAL_CODES) + 1  # the 80,995-unit line of customer 16446

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

# Country: customers at scale 1, lines of identified customers, lines of guest invoices.
COUNTRIES = (
    ("United Kingdom", 0, 0, 0),
    ("Germany", 95, 9495, 0),
    ("France", 87, 8491, 66),
    ("EIRE", 3, 7485, 711),
    ("Spain", 31, 2533, 0),
    ("Netherlands", 9, 2371, 0),
    ("Belgium", 25, 2069, 0),
    ("Switzerland", 21, 1877, 125),
    ("Portugal", 19, 1480, 39),
    ("Australia", 9, 1259, 0),
    ("Norway", 10, 1086, 0),
    ("Italy", 15, 803, 0),
    ("Channel Islands", 9, 758, 0),
    ("Finland", 12, 695, 0),
    ("Cyprus", 8, 622, 0),
    ("Sweden", 8, 462, 0),
    ("Unspecified", 4, 244, 202),
    ("Austria", 11, 401, 0),
    ("Denmark", 9, 389, 0),
    ("Japan", 8, 358, 0),
    ("Poland", 6, 341, 0),
    ("Israel", 4, 250, 47),
    ("USA", 4, 291, 0),
    ("Hong Kong", 0, 0, 288),
    ("Singapore", 1, 229, 0),
    ("Iceland", 1, 182, 0),
    ("Canada", 4, 151, 0),
    ("Greece", 4, 146, 0),
    ("Malta", 2, 127, 0),
    ("United Arab Emirates", 2, 68, 0),
    ("European Community", 1, 61, 0),
    ("RSA", 1, 58, 0),
    ("Lebanon", 1, 45, 0),
    ("Lithuania", 1, 35, 0),
    ("Brazil", 1, 32, 0),
    ("Czech Republic", 1, 30, 0),
    ("Bahrain", 2, 17, 2),
    ("Saudi Arabia", 1, 10, 0),
)
COUNTRY_NAMES = tuple(country[0] for country in COUNTRIES)
MAX_LINES_PER_INVOICE = 1100


@dataclass(frozen=True)
class Targets:
    """Counts the plan hits exactly, derived from the real file's profile and the scale."""

    scale: float
    lines: int
    invoices: int
    customers: int
    guest_lines: int
    guest_invoices: int
    cancel_lines: int
    customer_cancel_invoices: int
    duplicates: int
    null_descriptions: int
    adjustment_notes: int
    free_gifts: int
    specials: dict[str, int]


def targets_for(scale: float) -> Targets:
    """Scale the real file's figures; every special code keeps at least one line."""

    def scaled(n: int) -> int:
        return round(n * scale)

    specials = {s.code: max(1, scaled(s.lines_at_scale_1)) for s in SPECIAL_CODES}
    specials["B"] = max(3, scaled(3))
    return Targets(
        scale=scale,
        lines=scaled(541_909),
        invoices=scaled(25_900),
        customers=max(20, scaled(4_372)),
        guest_lines=scaled(135_080),
        guest_invoices=scaled(3_710),
        cancel_lines=scaled(9_288),
        customer_cancel_invoices=scaled(3_654),
        duplicates=scaled(5_268),
        null_descriptions=max(1, scaled(1_454)),
        adjustment_notes=max(1, scaled(1_000)),
        free_gifts=max(1, scaled(40)),
        specials=specials,
    )


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


@dataclass(frozen=True)
class Timeline:
    """The trading days and how trade is spread over them and over the hours."""

    days: np.ndarray  # datetime64[D]
    cdf: np.ndarray  # cumulative share of trade, per day
    is_sunday: np.ndarray
    hour_cdf: np.ndarray
    sunday_hour_cdf: np.ndarray
    hours: np.ndarray


def build_timeline() -> Timeline:
    """Trading days (no Saturdays, Christmas or bank holidays), weighted by the real months."""
    all_days = np.arange(FIRST_DAY, LAST_DAY + 1)
    weekday = (all_days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    closed = np.isin(all_days, CLOSED_DAYS) | (
        (all_days >= CHRISTMAS_CLOSURE[0]) & (all_days <= CHRISTMAS_CLOSURE[1])
    )
    open_mask = (weekday != 5) & ~closed
    days = all_days[open_mask]
    weekday = weekday[open_mask]
    months = days.astype("datetime64[M]")
    month_index = (months - FIRST_DAY.astype("datetime64[M]")).astype(np.int64)
    day_weight = WEEKDAY_WEIGHTS[weekday]
    day_weight[-1] *= LAST_DAY_SHARE
    month_weight = np.bincount(month_index, weights=day_weight)
    weight = day_weight / month_weight[month_index] * np.array(MONTHLY_LINES)[month_index]
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    hours = np.array(sorted(HOUR_WEIGHTS))
    hour_weight = np.array([HOUR_WEIGHTS[h] for h in hours])
    sunday_weight = np.where(np.isin(hours, np.array(SUNDAY_HOURS)), hour_weight, 0.0)
    return Timeline(
        days=days,
        cdf=cdf,
        is_sunday=weekday == 6,
        hour_cdf=np.cumsum(hour_weight) / hour_weight.sum(),
        sunday_hour_cdf=np.cumsum(sunday_weight) / sunday_weight.sum(),
        hours=hours,
    )


def fit_total(
    weights: np.ndarray, total: int, minimum: np.ndarray | int, maximum: np.ndarray | int
) -> np.ndarray:
    """Integers proportional to ``weights``, each in [minimum, maximum], summing to ``total``.

    Used wherever the plan must hit a published count exactly while keeping the shape of a
    random draw: scale the draw, floor it, then hand out the remainder by largest fraction.
    """
    weights = np.asarray(weights, dtype=np.float64)
    minimum = np.broadcast_to(np.asarray(minimum, dtype=np.int64), weights.shape)
    maximum = np.broadcast_to(np.asarray(maximum, dtype=np.int64), weights.shape)
    if not minimum.sum() <= total <= maximum.sum():
        raise ValueError(f"cannot spread {total} over {weights.size} slots within bounds")
    low, high = 0.0, 1.0
    while np.clip(np.floor(weights * high), minimum, maximum).sum() < total:
        high *= 2.0
    for _ in range(64):
        middle = (low + high) / 2
        if np.clip(np.floor(weights * middle), minimum, maximum).sum() <= total:
            low = middle
        else:
            high = middle
    counts = np.clip(np.floor(weights * low), minimum, maximum).astype(np.int64)
    fraction = weights * low - np.floor(weights * low)
    while (missing := total - int(counts.sum())) > 0:
        room = np.flatnonzero(counts < maximum)
        chosen = room[np.argsort(-fraction[room], kind="stable")[:missing]]
        counts[chosen] += 1
    return counts


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct indices drawn with probability ∝ weight (Efraimidis-Spirakis), sorted."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    eligible = weights > 0
    if k > int(eligible.sum()):
        raise ValueError(f"cannot draw {k} from {int(eligible.sum())} candidates")
    keys = np.full(weights.shape, -np.inf)
    keys[eligible] = np.log(rng.random(int(eligible.sum()))) / weights[eligible]
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(chosen)


def _customer_ids(rng: np.random.Generator, count: int) -> np.ndarray:
    """Real-range ids (always including 16446), then ids from 100000 up beyond scale 1."""
    low, high = REAL_ID_RANGE
    real_count = min(count, 4372)
    pool = np.setdiff1d(np.arange(low, high + 1), [PLANTED_CUSTOMER_ID])
    real = rng.choice(pool, size=real_count - 1, replace=False)
    extra = np.arange(EXTRA_ID_START, EXTRA_ID_START + count - real_count)
    return np.sort(np.concatenate([real, [PLANTED_CUSTOMER_ID], extra])).astype(np.int64)


def _allocate(shares: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` by ``shares`` with largest remainders, so counts are exact."""
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def build_customers(rng: np.random.Generator, targets: Targets, timeline: Timeline) -> Customers:
    """Draw the customers: archetype, size, active window; lapsed ones get a stop day."""
    count = targets.customers
    ids = _customer_ids(rng, count)
    shares = np.array([share for _, share in ARCHETYPES])
    archetype = np.repeat(np.arange(len(ARCHETYPES)), _allocate(shares, count))
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


def _sample_days(
    rng: np.random.Generator, timeline: Timeline, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Trading-day indices drawn from the seasonal volume, between two cumulative positions."""
    position = start + (end - start) * rng.random(start.shape)
    day = np.searchsorted(timeline.cdf, position, side="left")
    return np.minimum(day, timeline.days.size - 1).astype(np.int32)


def _sample_minutes(rng: np.random.Generator, timeline: Timeline, day: np.ndarray) -> np.ndarray:
    """Minute of the day in trading hours (shorter on Sundays), within the file's bounds."""
    u = rng.random(day.shape)
    hour_index = np.where(
        timeline.is_sunday[day],
        np.searchsorted(timeline.sunday_hour_cdf, u, side="right"),
        np.searchsorted(timeline.hour_cdf, u, side="right"),
    )
    hour = timeline.hours[np.minimum(hour_index, timeline.hours.size - 1)]
    minute = hour * 60 + rng.integers(0, 60, day.shape)
    return _clamp_minutes(timeline, day, minute)


def _clamp_minutes(timeline: Timeline, day: np.ndarray, minute: np.ndarray) -> np.ndarray:
    last = timeline.days.size - 1
    minute = np.where(day == 0, np.maximum(minute, FIRST_MINUTE), minute)
    return np.where(day == last, np.minimum(minute, LAST_MINUTE), minute).astype(np.int32)


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
    sp = targets.specials
    n_days = timeline.days.size
    invoices = _Invoices(*([] for _ in range(9)))

    # Single-line special invoices: guest ones, then customers' ones.
    amazon_plain = round(sp["AMAZONFEE"] * 2 / 34)
    bank_cancel = round(sp["BANK CHARGES"] * 12 / 37)
    manual_cancel = round(sp["M"] * 91 / 571)
    guest_singles = [
        ("S", PREFIX_C, sp["S"]),
        ("AMAZONFEE", PREFIX_C, sp["AMAZONFEE"] - amazon_plain),
    ]
    guest_singles.append(("AMAZONFEE", NO_PREFIX, amazon_plain))
    customer_singles = [
        ("D", PREFIX_C, sp["D"]),
        ("M", PREFIX_C, manual_cancel),
        ("CRUK", PREFIX_C, sp["CRUK"]),
        ("BANK CHARGES", PREFIX_C, bank_cancel),
        ("BANK CHARGES", NO_PREFIX, sp["BANK CHARGES"] - bank_cancel),
    ]
    guest_single_count = sum(n for *_, n in guest_singles)
    customer_single_cancels = sum(n for _, p, n in customer_singles if p == PREFIX_C)
    customer_single_purchases = sum(n for _, p, n in customer_singles if p == NO_PREFIX)

    customer_invoices = targets.invoices - targets.guest_invoices
    product_cancels = targets.customer_cancel_invoices - customer_single_cancels - 1
    purchases = customer_invoices - targets.customer_cancel_invoices - customer_single_purchases - 1
    guest_cancel_lines = sp["S"] + sp["AMAZONFEE"] - amazon_plain
    product_cancel_lines = targets.cancel_lines - guest_cancel_lines - customer_single_cancels - 1
    guest_duplicates = round(targets.duplicates * targets.guest_lines / targets.lines)
    customer_duplicates = targets.duplicates - guest_duplicates
    purchase_lines = (
        targets.lines
        - targets.guest_lines
        - (targets.cancel_lines - guest_cancel_lines)
        - customer_duplicates
        - customer_single_purchases
        - 1
    )
    guest_fixed = (
        targets.null_descriptions + targets.adjustment_notes + sp["B"] + guest_single_count
    )
    dotcom = targets.guest_invoices - guest_fixed
    dotcom_lines = targets.guest_lines - guest_fixed - guest_duplicates
    if min(product_cancels, purchases, dotcom, product_cancel_lines) < 1:
        raise ValueError(f"scale {scale} is too small to plan a realistic file")

    # Customers' purchases.
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
    maximum = np.where(archetype == ONE_OFF, 1, 10 * purchases)
    per_customer = fit_total(weights, purchases, MIN_INVOICES[archetype], maximum)
    buyer = np.repeat(np.arange(archetype.size), per_customer)
    day = _sample_days(rng, timeline, customers.window_start[buyer], customers.window_end[buyer])
    # A lapsed customer's last purchase is on their stop day, so the truth is exact.
    lapsed = np.flatnonzero(customers.stop_day >= 0)
    last_purchase = np.cumsum(per_customer)[lapsed] - 1
    day[last_purchase] = customers.stop_day[lapsed]
    day = np.minimum(
        day, np.where(customers.stop_day[buyer] >= 0, customers.stop_day[buyer], n_days)
    )
    lines_weight = (
        LINES_MEDIAN[archetype[buyer]]
        * customers.lines_scale[buyer]
        * np.exp(rng.normal(0.0, BASKET_SPREAD, buyer.size))
    )
    n_lines = fit_total(lines_weight, purchase_lines, 1, MAX_LINES_PER_INVOICE)
    customer_lines = np.bincount(buyer, weights=n_lines, minlength=archetype.size)
    customers.repertoire[:] = np.ceil(REPERTOIRE_PER_ROOT_LINE * np.sqrt(customer_lines))
    invoices.add(PURCHASE, NO_PREFIX, buyer, day, _sample_minutes(rng, timeline, day), n_lines)

    # Product cancellations: one per chosen purchase, soon after it.
    parent = weighted_sample(
        rng, CANCEL_WEIGHT[archetype[buyer]] * np.sqrt(n_lines), product_cancels
    )
    k = 1 + rng.geometric(RETURN_LINES_P[archetype[buyer[parent]]])
    k = fit_total(k.astype(np.float64), product_cancel_lines, 1, n_lines[parent])
    delay_days = np.where(rng.random(parent.size) < 0.45, 0, rng.geometric(0.1, parent.size))
    limit = np.where(
        customers.stop_day[buyer[parent]] >= 0, customers.stop_day[buyer[parent]], n_days - 1
    )
    cancel_day = np.minimum(day[parent] + delay_days, limit).astype(np.int32)
    parent_minute = invoices.minute[0][parent]
    same_day_minute = parent_minute + rng.integers(1, 121, parent.size)
    same_day_minute = np.where(same_day_minute > 20 * 60 + 59, parent_minute + 1, same_day_minute)
    cancel_minute = np.where(
        cancel_day == day[parent],
        same_day_minute,
        _sample_minutes(rng, timeline, cancel_day),
    )
    cancel_minute = np.maximum(
        _clamp_minutes(timeline, cancel_day, cancel_minute),
        np.where(cancel_day == day[parent], parent_minute, 0),
    )
    offset = (rng.random(parent.size) * n_lines[parent]).astype(np.int64)
    invoices.add(
        CANCEL, PREFIX_C, buyer[parent], cancel_day, cancel_minute, k, variant=offset, parent=parent
    )

    # Customers' single-line specials go to established, still-active customers.
    eligible = np.flatnonzero((archetype != ONE_OFF) & (archetype != LAPSED))
    cruk_customer = eligible[int(rng.integers(eligible.size))]
    for code, prefix, count in customer_singles:
        if count == 0:
            continue
        if code == "CRUK":
            who = np.full(count, cruk_customer)
        else:
            who = eligible[rng.integers(0, eligible.size, count)]
        single_day = _sample_days(
            rng, timeline, customers.window_start[who], customers.window_end[who]
        )
        invoices.add(
            SINGLE, prefix, who, single_day, _sample_minutes(rng, timeline, single_day), 1,
            first=SPECIAL_INDEX[code],
        )  # fmt: skip

    # The planted wholesaler line and its cancellation, as in the real file.
    planted = int(np.flatnonzero(customers.ids == PLANTED_CUSTOMER_ID)[0])
    invoices.add(SINGLE, NO_PREFIX, planted, n_days - 1, 9 * 60 + 15, 1, first=PLANTED)
    invoices.add(SINGLE, PREFIX_C, planted, n_days - 1, 9 * 60 + 27, 1, first=PLANTED)

    # Guest invoices: web orders, stock adjustments, fees and the bad-debt adjustment.
    guest_day = _sample_days(rng, timeline, np.zeros(dotcom), np.ones(dotcom))
    guest_minute = _sample_minutes(rng, timeline, guest_day)
    # The file's first and last invoice times are exact.
    guest_day[0], guest_minute[0] = 0, FIRST_MINUTE
    guest_day[-1], guest_minute[-1] = n_days - 1, LAST_MINUTE
    dotcom_weight = 80.0 * np.exp(rng.normal(0.0, 0.9, dotcom))
    dotcom_n = fit_total(dotcom_weight, dotcom_lines, 2, MAX_LINES_PER_INVOICE)
    invoices.add(DOTCOM, NO_PREFIX, -1, guest_day, guest_minute, dotcom_n)
    for kind, count in (
        (ADJUST_NULL, targets.null_descriptions),
        (ADJUST_NOTE, targets.adjustment_notes),
    ):
        adjust_day = _sample_days(rng, timeline, np.zeros(count), np.ones(count))
        invoices.add(kind, NO_PREFIX, -1, adjust_day, _sample_minutes(rng, timeline, adjust_day), 1)
    for code, prefix, count in guest_singles:
        single_day = _sample_days(rng, timeline, np.zeros(count), np.ones(count))
        invoices.add(
            SINGLE, prefix, -1, single_day, _sample_minutes(rng, timeline, single_day), 1,
            first=SPECIAL_INDEX[code],
        )  # fmt: skip
    debt_day = int(_sample_days(rng, timeline, np.array([0.6]), np.array([0.7]))[0])
    debt_minute = 14 * 60 + 50 + np.arange(sp["B"])
    invoices.add(
        SINGLE, PREFIX_A, -1, debt_day, debt_minute, 1, first=SPECIAL_INDEX["B"],
        variant=(np.arange(sp["B"]) > 0).astype(np.int64),
    )  # fmt: skip
    assert invoices.size == targets.invoices

    return _finish(
        rng, targets, timeline, customers, invoices, guest_duplicates, customer_duplicates
    )


def _duplicates(rng: np.random.Generator, n_lines: np.ndarray, total: int) -> np.ndarray:
    """Exact-duplicate lines per invoice: a binomial draw, nudged to the exact total."""
    rate = total / max(int(n_lines.sum()), 1)
    counts = rng.binomial(n_lines, rate)
    while (surplus := int(counts.sum()) - total) != 0:
        if surplus > 0:
            weights = counts.astype(np.float64)
        else:
            weights = (counts < n_lines) * n_lines.astype(np.float64)
        step = min(abs(surplus), int(np.count_nonzero(weights)))
        counts[weighted_sample(rng, weights, step)] -= np.sign(surplus)
    return counts


def _assign_countries(
    rng: np.random.Generator, targets: Targets, customers: Customers, lines: np.ndarray
) -> None:
    """Give foreign countries their real number of customers and (about) their line volume.

    For each country, most customers are drawn at random among those small enough, then
    the last few are the customers whose line counts best fill what is left; everyone else
    is in the United Kingdom. This keeps the UK near 91% of lines, the countries in their
    real order, and places some big buyers abroad (as EIRE's and the Netherlands' are).
    """
    scale = targets.scale
    foreign = COUNTRIES[1:]
    per_country = _allocate(
        np.array([c[1] for c in foreign], dtype=np.float64),
        round(sum(c[1] for c in foreign) * scale),
    )
    available = customers.ids != PLANTED_CUSTOMER_ID
    # Countries needing the biggest customers go first, while those are still available.
    order = sorted(range(len(foreign)), key=lambda i: (-foreign[i][2] / max(foreign[i][1], 1), i))
    for i in order:
        count = int(per_country[i])
        target = round(foreign[i][2] * scale)
        if count == 0 or target == 0:
            continue
        big = count if count <= 3 else max(1, round(count * 0.1))
        small_pool = np.flatnonzero(available & (lines <= target / count))
        chosen = rng.choice(small_pool, size=min(count - big, small_pool.size), replace=False)
        available[chosen] = False
        remainder = target - int(lines[chosen].sum())
        picks = list(chosen)
        for left in range(count - len(picks), 0, -1):
            candidates = np.flatnonzero(available)
            want = max(remainder, 0) / left
            pick = int(candidates[np.argmin(np.abs(lines[candidates] - want))])
            available[pick] = False
            remainder -= int(lines[pick])
            picks.append(pick)
        customers.country[np.array(picks, dtype=np.int64)] = i + 1


def _guest_countries(scale: float, n_lines: np.ndarray) -> np.ndarray:
    """Countries of web orders without a customer: the UK, and a few lines abroad."""
    country = np.zeros(n_lines.size, dtype=np.int16)
    available = np.ones(n_lines.size, dtype=bool)
    for i, (_, customers_at_1, _, guest_lines) in enumerate(COUNTRIES):
        remainder = round(guest_lines * scale)
        must_appear = guest_lines > 0 and customers_at_1 == 0
        taken = 0
        while remainder > 0 and available.any():
            candidates = np.flatnonzero(available)
            pick = int(candidates[np.argmin(np.abs(n_lines[candidates] - remainder))])
            if n_lines[pick] > 2 * remainder and not (must_appear and taken == 0):
                break
            country[pick] = i
            available[pick] = False
            remainder -= int(n_lines[pick])
            taken += 1
    return country


def _place_specials(
    rng: np.random.Generator,
    slots: dict[str, np.ndarray],
    candidates: np.ndarray,
    wanted: list[tuple[str, int]],
    preferred: np.ndarray | None = None,
) -> None:
    """Put special codes on the first/last line of distinct invoices among ``candidates``."""
    for slot, count in wanted:
        free = candidates[slots["_used"][candidates] == 0]
        if preferred is not None and slot == "C2":
            free = np.concatenate([free[preferred[free]], free[~preferred[free]]])
            chosen = free[:count]
        else:
            chosen = free[np.sort(rng.choice(free.size, size=min(count, free.size), replace=False))]
        code = FREE_GIFT if slot == "FREE" else SPECIAL_INDEX[slot]
        position = "first" if slot in ("POST", "DCGSSBOY", "DCGSSGIRL", "m") else "last"
        slots[position][chosen] = code
        slots["_used"][chosen] = 1


def _finish(
    rng: np.random.Generator,
    targets: Targets,
    timeline: Timeline,
    customers: Customers,
    invoices: _Invoices,
    guest_duplicates: int,
    customer_duplicates: int,
) -> Plan:
    """Duplicates, countries and special lines, then sort into output order and number."""
    kind = invoices.column("kind")
    customer = invoices.column("customer")
    n_lines = invoices.column("n_lines")
    duplicates = np.zeros(kind.size, dtype=np.int64)
    for group, total in ((PURCHASE, customer_duplicates), (DOTCOM, guest_duplicates)):
        rows = np.flatnonzero(kind == group)
        duplicates[rows] = _duplicates(rng, n_lines[rows], total)

    identified = customer >= 0
    lines = np.bincount(
        customer[identified],
        weights=(n_lines + duplicates)[identified],
        minlength=customers.ids.size,
    )
    _assign_countries(rng, targets, customers, lines)
    country = np.where(identified, customers.country[np.maximum(customer, 0)], 0).astype(np.int16)
    dotcom_rows = np.flatnonzero(kind == DOTCOM)
    country[dotcom_rows] = _guest_countries(targets.scale, n_lines[dotcom_rows])

    sp = targets.specials
    slots = {
        "first": invoices.column("first"),
        "last": np.full(kind.size, -1, dtype=np.int64),
        "_used": np.zeros(kind.size, dtype=np.int8),
    }
    multi_line = n_lines >= 2
    purchase_rows = np.flatnonzero((kind == PURCHASE) & multi_line)
    abroad = purchase_rows[country[purchase_rows] != 0]
    _place_specials(rng, slots, abroad, [("POST", sp["POST"])])
    slots["_used"][:] = 0
    is_eire = country == COUNTRY_NAMES.index("EIRE")
    manual_purchase = sp["M"] - round(sp["M"] * 91 / 571)
    _place_specials(rng, slots, abroad, [("C2", sp["C2"])], preferred=is_eire)
    _place_specials(
        rng,
        slots,
        purchase_rows,
        [("M", manual_purchase), ("PADS", sp["PADS"]), ("FREE", targets.free_gifts)],
    )
    dotcom_multi = dotcom_rows[multi_line[dotcom_rows]]
    _place_specials(rng, slots, dotcom_multi, [("DOT", sp["DOT"])])
    slots["_used"][:] = 0
    _place_specials(
        rng,
        slots,
        dotcom_multi,
        [("DCGSSBOY", sp["DCGSSBOY"]), ("DCGSSGIRL", sp["DCGSSGIRL"]), ("m", sp["m"])],
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
    number = 536_365 + np.cumsum(gaps)
    stop_date = np.where(
        customers.stop_day >= 0,
        timeline.days[np.maximum(customers.stop_day, 0)],
        np.datetime64("NaT", "D"),
    )
    return Plan(
        kind=kind[order].astype(np.int8),
        prefix=invoices.column("prefix")[order].astype(np.int8),
        number=number,
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
