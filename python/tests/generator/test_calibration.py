"""The generator against the real data, customer by customer (issue 16).

The study's public data set, after its rules, has 4,329 identified customers. Their features'
quantiles are written below; the built-in data at scale 1 must come within 25% of each one, so
that the planted truth the segmentation is scored against is not an artefact of the generator.
The features are computed as the pipeline computes them (``benchmarks.lower_bound``'s query,
whose output equals ``customer_features``), straight from the generated file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from benchmarks.lower_bound import customer_features

from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90, 0.99)
# p10 / p25 / p50 / p75 / p90 / p99 of the real data, per customer.
REAL_QUANTILES = {
    "gross_revenue": (154, 304, 664, 1_632, 3_560, 18_365),
    "invoice_count": (1, 1, 2, 5, 9, 30),
    "recency_days": (5, 17, 50, 142, 263, 369),
    "returned_items": (0, 0, 0, 3, 21, 405),
    "line_count": (7, 17, 41, 98, 202, 655),
    "avg_order_value": (116, 177, 290, 423, 657, 2_017),
    "distinct_products": (7, 16, 35, 77, 143, 354),
}
REAL_SHARE_WITH_RETURNS = 0.347
TOLERANCE = 0.25


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The customer features of the built-in data at scale 1, seed 42 (make run's data)."""
    files = generate(tmp_path_factory.mktemp("scale1") / "retail.parquet", scale=1.0, seed=42)
    return customer_features(Path(files.data_path))


def relative_gaps(features: pd.DataFrame) -> dict[tuple[str, float], float]:
    """(feature, quantile) -> relative distance to the real figure (0 where both are 0)."""
    gaps = {}
    for column, real in REAL_QUANTILES.items():
        generated = np.quantile(features[column].astype("float64"), QUANTILES)
        for q, made, target in zip(QUANTILES, generated, real, strict=True):
            gaps[column, q] = abs(made - target) / target if target else float(made != 0)
    return gaps


def test_every_quantile_is_within_a_quarter_of_the_real_one(features: pd.DataFrame) -> None:
    assert 4_200 <= len(features) <= 4_400  # 4,329 in the real data
    gaps = relative_gaps(features)
    outside = {key: round(gap, 3) for key, gap in gaps.items() if gap > TOLERANCE}
    assert outside == {}


def test_about_a_third_of_customers_return_something(features: pd.DataFrame) -> None:
    share = float((features["returned_items"] > 0).mean())
    assert abs(share - REAL_SHARE_WITH_RETURNS) <= 0.03
