"""The shop's product catalogue and its non-product codes, for the data generator.

The catalogue is the shop's, not the customers': it is built from a fixed seed, so every
generated data set (whatever ``--seed``) sells the same 4,056 products under the same stock
codes and names. Together with the 14 non-product codes of the real file (postage, manual
entries, fees...) that makes the 4,070 distinct stock codes of the UCI Online Retail profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATALOGUE_SEED = 20101201
PRODUCT_COUNT = 4056

# The planted 80,995-unit line of the real data; this product sells nowhere else.
PLANTED_STOCK_CODE = "23843"
PLANTED_DESCRIPTION = "PAPER CRAFT , LITTLE BIRDIE"

COLOURS = (
    "RED", "PINK", "BLUE", "WHITE", "IVORY", "GREEN", "BLACK", "CREAM", "PURPLE", "SILVER",
    "GOLD", "ORANGE", "YELLOW", "LILAC", "TURQUOISE", "NATURAL", "ANTIQUE WHITE", "SKY BLUE",
)  # fmt: skip
MOTIFS = (
    "HANGING HEART", "POLKADOT", "RETROSPOT", "VINTAGE UNION JACK", "SPACEBOY", "DOLLY GIRL",
    "REGENCY", "SKULL", "STRAWBERRY", "PAISLEY", "JUNGLE", "WOODLAND", "CHRISTMAS TREE",
    "SNOWFLAKE", "BIRDIE", "FAIRY CAKE", "ROSE", "OWL", "LOVE BIRD", "DOILY", "APPLE",
    "BUTTERFLY", "STAR", "ZINC HEART", "SWEETHEART", "CIRCUS PARADE", "ALPHABET", "PANTRY",
    "LONDON", "PARIS", "VICTORIAN", "BAROQUE", "GINGHAM", "FLORAL", "ROCOCO", "BLOSSOM",
)  # fmt: skip
ITEMS = (
    "T-LIGHT HOLDER", "LUNCH BOX", "JUMBO BAG", "CAKE CASES", "MUG", "TEA TOWEL",
    "PHOTO FRAME", "DOORMAT", "CUSHION COVER", "NOTEBOOK", "BUNTING", "PAPER NAPKINS",
    "GIFT WRAP", "WATER BOTTLE", "CANDLE", "CHARLOTTE BAG", "SHOPPING BAG", "MIRROR",
    "STORAGE TIN", "WALL CLOCK", "ALARM CLOCK", "PURSE", "LANTERN", "BOWL", "PLATE",
    "CUP AND SAUCER", "TEAPOT", "HOT WATER BOTTLE", "APRON", "OVEN GLOVE", "PEG BAG",
    "GARLAND", "DECORATION", "WRAPPING PAPER", "STICKER SHEET", "PENCIL CASE", "HAIR CLIP",
    "KEY RING", "COAT RACK", "HOOK", "FRIDGE MAGNET", "DRAWER KNOB", "TRINKET BOX",
    "PARTY BAG", "PAPER CHAIN KIT", "SNACK BOX", "PLASTERS IN TIN", "JAM MAKING SET",
    "BAKING SET", "CHOPSTICKS", "SPOON", "JUG", "VASE", "PLANTER", "BIRD FEEDER",
)  # fmt: skip
MATERIALS = (
    "GLASS", "WOODEN", "ENAMEL", "CERAMIC", "WICKER", "FELT", "ZINC", "METAL", "PAPER",
    "CARDBOARD", "LACE", "CRYSTAL", "PORCELAIN", "BAMBOO", "TIN", "CANVAS", "COTTON",
)  # fmt: skip
STYLES = (
    "VINTAGE", "ANTIQUE", "FRENCH", "SCANDINAVIAN", "RETRO", "SMALL", "LARGE", "MINI",
    "JUMBO", "SET OF 3", "SET OF 4", "SET OF 6", "SET/10", "PACK OF 12", "PACK OF 72",
    "ASSORTED", "HANGING", "EDWARDIAN", "KASHMIR", "MOROCCAN",
)  # fmt: skip
# A few names carry latin-1 characters beyond ASCII, as the real file's do.
NON_ASCII_NAMES = (
    "PARISIENNE CAFÉ SIGN",
    "CAFÉ AU LAIT BOWL",
    "CRÈME BRÛLÉE DISH SET",
    "£10 GIFT VOUCHER CARD",
    "£5 NOTE MONEY BOX",
    "PÂTISSERIE CAKE STAND",
    "MÉNAGE À TROIS CANDLE",
    "NAÏVE FOLK ART PLATE",
    "SMÖRGÅSBORD SERVING BOARD",
    "JARDINIÈRE PLANTER ZINC",
    "ÉCOLE CHALKBOARD SIGN",
    "GRÜSS GOTT WALL PLAQUE",
)
# Prices the shop actually uses; base prices snap to the nearest of these.
PRICE_POINTS = np.array(
    [0.10, 0.12, 0.19, 0.21, 0.29, 0.36, 0.39, 0.42, 0.55, 0.65, 0.72, 0.83, 0.85, 1.25,
     1.45, 1.65, 1.95, 2.10, 2.46, 2.55, 2.95, 3.25, 3.75, 4.25, 4.95, 5.95, 6.75, 7.95,
     8.50, 9.95, 12.75, 14.95, 16.95, 19.95, 24.95, 29.95, 39.95, 49.95, 125.0, 165.0,
     295.0, 649.5]
)  # fmt: skip


@dataclass(frozen=True)
class SpecialCode:
    """A non-product stock code of the real file: what it is and how its lines look."""

    code: str
    description: str
    lines_at_scale_1: int


# Order matters: indices into this tuple are stored in the invoice plan.
SPECIAL_CODES = (
    SpecialCode("POST", "POSTAGE", 1256),
    SpecialCode("D", "Discount", 77),
    SpecialCode("DOT", "DOTCOM POSTAGE", 710),
    SpecialCode("M", "Manual", 571),
    SpecialCode("S", "SAMPLES", 63),
    SpecialCode("AMAZONFEE", "AMAZON FEE", 34),
    SpecialCode("m", "Manual", 1),
    SpecialCode("DCGSSBOY", "BOYS PARTY BAG", 11),
    SpecialCode("DCGSSGIRL", "GIRLS PARTY BAG", 13),
    SpecialCode("PADS", "PADS TO MATCH ALL CUSHIONS", 4),
    SpecialCode("B", "Adjust bad debt", 3),
    SpecialCode("CRUK", "CRUK Commission", 16),
    SpecialCode("BANK CHARGES", "Bank Charges", 37),
    SpecialCode("C2", "CARRIAGE", 144),
)
SPECIAL_INDEX = {special.code: i for i, special in enumerate(SPECIAL_CODES)}

# Descriptions staff typed on zero-priced stock adjustments (damages, counts, finds).
ADJUSTMENT_NOTES = (
    "check", "damaged", "damages", "?", "missing", "found", "counted", "adjustment",
    "wet damaged", "water damaged", "smashed", "crushed", "thrown away",
    "sold as set on dotcom", "Unsaleable, destroyed.", "incorrect stock entry.",
    "mouldy, thrown away.", "had been put aside.",
)  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    """Products as parallel arrays: code, name, base price and how often each sells."""

    stock_codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    base_prices: np.ndarray
    popularity_cdf: np.ndarray
    planted_product: int


def _stock_codes(rng: np.random.Generator, count: int) -> list[str]:
    """Five-digit codes in the real file's range, some as lettered colour variants."""
    numbers = rng.choice(np.arange(10002, 90215), size=count, replace=False)
    codes: list[str] = []
    taken: set[str] = {PLANTED_STOCK_CODE}
    letters = "ABCDEFG"
    for number in numbers.tolist():
        if len(codes) >= count - 1:
            break
        base = str(number)
        if rng.random() < 0.08:
            for letter in letters[: int(rng.integers(2, 5))]:
                if f"{base}{letter}" not in taken and len(codes) < count - 1:
                    taken.add(f"{base}{letter}")
                    codes.append(f"{base}{letter}")
        elif base not in taken:
            taken.add(base)
            codes.append(base)
    codes.append(PLANTED_STOCK_CODE)
    return codes


def _product_name(rng: np.random.Generator) -> str:
    """One product name in the shop's upper-case, motif-then-item style."""
    colour = COLOURS[int(rng.integers(len(COLOURS)))]
    motif = MOTIFS[int(rng.integers(len(MOTIFS)))]
    item = ITEMS[int(rng.integers(len(ITEMS)))]
    material = MATERIALS[int(rng.integers(len(MATERIALS)))]
    style = STYLES[int(rng.integers(len(STYLES)))]
    pattern = int(rng.integers(5))
    if pattern == 0:
        return f"{colour} {motif} {item}"
    if pattern == 1:
        return f"{style} {motif} {item}"
    if pattern == 2:
        return f"{material} {motif} {item}"
    if pattern == 3:
        return f"{style} {colour} {material} {item}"
    return f"{motif} {item} {colour}"


def build_catalogue() -> Catalogue:
    """Build the fixed catalogue: codes, unique names, prices and a heavy-tailed popularity.

    Popularity is log-normal with a floor so that, at scale 1, practically every product
    sells at least once (the real file has 4,070 distinct codes).
    """
    rng = np.random.default_rng(CATALOGUE_SEED)
    codes = _stock_codes(rng, PRODUCT_COUNT)
    names: list[str] = []
    seen: set[str] = {PLANTED_DESCRIPTION}
    non_ascii_slots = set(
        rng.choice(PRODUCT_COUNT - 1, size=len(NON_ASCII_NAMES), replace=False).tolist()
    )
    non_ascii = iter(NON_ASCII_NAMES)
    for i in range(PRODUCT_COUNT - 1):
        if i in non_ascii_slots:
            name = next(non_ascii)
        else:
            name = _product_name(rng)
            while name in seen:
                name = _product_name(rng)
        seen.add(name)
        names.append(name)
    names.append(PLANTED_DESCRIPTION)

    raw_prices = np.exp(rng.normal(np.log(2.4), 0.85, size=PRODUCT_COUNT))
    log_points = np.log(PRICE_POINTS)
    midpoints = (log_points[1:] + log_points[:-1]) / 2
    base_prices = PRICE_POINTS[np.searchsorted(midpoints, np.log(raw_prices))]
    base_prices[-1] = 2.08

    popularity = np.exp(rng.normal(0.0, 1.25, size=PRODUCT_COUNT)) + 0.35
    popularity[-1] = 0.0  # the planted product sells only on its planted line
    cdf = np.cumsum(popularity)
    cdf /= cdf[-1]
    return Catalogue(
        stock_codes=tuple(codes),
        descriptions=tuple(names),
        base_prices=base_prices,
        popularity_cdf=cdf,
        planted_product=PRODUCT_COUNT - 1,
    )
