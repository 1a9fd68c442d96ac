"""Progress bars for long steps: what is happening, the share done and the time left.

One place for the look of every bar (tqdm). A bar is drawn only when its stream is a terminal:
piped into a file or a CI log it stays quiet, and the step's own summary lines are all that
is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(
    iterable: Iterable[T] | None = None,
    *,
    desc: str,
    total: float | None = None,
    unit: str = "it",
    file: IO[str] | None = None,
    enabled: bool | None = None,
) -> tqdm:
    """A bar over ``iterable`` (or updated by hand with ``.update(n)`` up to ``total``).

    ``enabled`` None draws it only when ``file`` (stderr by default) is a terminal.
    """
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        unit=unit,
        unit_scale=True,
        file=file if file is not None else sys.stderr,
        disable=None if enabled is None else not enabled,
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit}"
        " [{elapsed} elapsed, {remaining} left]",
    )
