"""The counts a generated file hits exactly: the real file's published profile, scaled.

Also the kinds of invoice the plan is made of, and how the totals split between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from insiders.generator.catalogue import SPECIAL_CODES

# Kinds of invoice in the plan.
PURCHASE, DOTCOM, CANCEL, SINGLE, ADJUST_NULL, ADJUST_NOTE = range(6)
# Invoice number prefixes.
NO_PREFIX, PREFIX_C, PREFIX_A = range(3)
# Pseudo special codes beside SPECIAL_CODES' indices.
FREE_GIFT = len(SPECIAL_CODES)  # a product line given away at price 0
PLANTED = len(SPECIAL_CODES) + 1  # the 80,995-unit line of customer 16446
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


@dataclass(frozen=True)
class InvoiceCounts:
    """How the published totals split between kinds of invoice (see ``invoice_counts``)."""

    guest_singles: list[tuple[str, int, int]]
    customer_singles: list[tuple[str, int, int]]
    purchases: int
    purchase_lines: int
    product_cancels: int
    product_cancel_lines: int
    dotcom: int
    dotcom_lines: int
    guest_duplicates: int
    customer_duplicates: int


def invoice_counts(targets: Targets) -> InvoiceCounts:
    """Single-line special invoices first (guest ones, then customers'), then what is left
    for purchases, their cancellations and web orders, so that every total is exact."""
    sp = targets.specials
    amazon_plain = round(sp["AMAZONFEE"] * 2 / 34)
    bank_cancel = round(sp["BANK CHARGES"] * 12 / 37)
    manual_cancel = round(sp["M"] * 91 / 571)
    guest_singles = [
        ("S", PREFIX_C, sp["S"]),
        ("AMAZONFEE", PREFIX_C, sp["AMAZONFEE"] - amazon_plain),
        ("AMAZONFEE", NO_PREFIX, amazon_plain),
    ]
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
        raise ValueError(f"scale {targets.scale} is too small to plan a realistic file")
    return InvoiceCounts(
        guest_singles=guest_singles,
        customer_singles=customer_singles,
        purchases=purchases,
        purchase_lines=purchase_lines,
        product_cancels=product_cancels,
        product_cancel_lines=product_cancel_lines,
        dotcom=dotcom,
        dotcom_lines=dotcom_lines,
        guest_duplicates=guest_duplicates,
        customer_duplicates=customer_duplicates,
    )
