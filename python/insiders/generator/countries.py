"""Countries: the real file's customers and lines per country, given to generated customers."""

from __future__ import annotations

import numpy as np

from insiders.generator.customers import PLANTED_CUSTOMER_ID, Customers
from insiders.generator.sampling import allocate
from insiders.generator.targets import Targets

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


def assign_countries(
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
    per_country = allocate(
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


def guest_countries(scale: float, n_lines: np.ndarray) -> np.ndarray:
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
