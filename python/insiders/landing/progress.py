"""Progress of a landing on the terminal: what is landing, the share done, the time left.

Drawn on stderr for files of at least ``MIN_LINES`` lines, and only when stderr is a terminal,
so that logs (CI, cron, dbt's log file) stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyarrow as pa
from tqdm import tqdm

from insiders.landing.landed import ExaminedFile

MIN_LINES = 100_000


def with_progress(
    examined: ExaminedFile, file: IO[str] | None = None, enabled: bool | None = None
) -> Iterator[pa.RecordBatch]:
    """The examined file's batches, counted on a progress bar as they are read.

    The batches are opened now, so that a file the reader refuses fails here, not at the first
    read. ``enabled`` None draws the bar only when ``file`` (stderr by default) is a terminal.
    """
    expected = examined.expected_lines
    if expected is None or expected < MIN_LINES:
        return examined.batches()
    shape = examined.shape
    bar = tqdm(
        total=expected,
        desc=f"landing {Path(shape.path).name} ({shape.name})",
        unit="lines",
        unit_scale=True,
        file=file if file is not None else sys.stderr,
        disable=None if enabled is None else not enabled,
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit}"
        " [{elapsed} elapsed, {remaining} left]",
    )
    try:
        batches = examined.batches()
    except BaseException:
        bar.close()
        raise
    return _counted(batches, bar)


def _counted(batches: Iterator[pa.RecordBatch], bar: tqdm) -> Iterator[pa.RecordBatch]:
    with bar:
        for batch in batches:
            bar.update(batch.num_rows)
            yield batch
