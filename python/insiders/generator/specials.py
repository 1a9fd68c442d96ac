"""Special codes on ordinary invoices: postage, carriage, manual lines, gifts, party bags.

Each replaces the first or last line of a distinct invoice, as in the real file.
"""

from __future__ import annotations

import numpy as np

from insiders.generator.catalogue import SPECIAL_INDEX
from insiders.generator.countries import COUNTRY_NAMES
from insiders.generator.targets import DOTCOM, FREE_GIFT, PURCHASE, Targets


def special_slots(
    rng: np.random.Generator,
    targets: Targets,
    kind: np.ndarray,
    n_lines: np.ndarray,
    first: np.ndarray,
    country: np.ndarray,
) -> dict[str, np.ndarray]:
    """Which special code replaces the first and last line of each invoice (-1: none).

    Postage and carriage go on orders abroad (carriage first to EIRE), manual lines, pads and
    free gifts on customers' purchases, dotcom postage and party bags on web orders.
    """
    sp = targets.specials
    slots = {
        "first": first,
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
    dotcom_rows = np.flatnonzero((kind == DOTCOM) & multi_line)
    _place_specials(rng, slots, dotcom_rows, [("DOT", sp["DOT"])])
    slots["_used"][:] = 0
    _place_specials(
        rng,
        slots,
        dotcom_rows,
        [("DCGSSBOY", sp["DCGSSBOY"]), ("DCGSSGIRL", sp["DCGSSGIRL"]), ("m", sp["m"])],
    )
    return slots


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
