"""The landing's progress bar: what lands, the share done, the time left; quiet off a terminal."""

from __future__ import annotations

import io

import pytest
from landing_files import UCI_HEADER, write_bytes

from insiders.landing import progress
from insiders.landing.landed import LandingOptions, RawFileError
from insiders.landing.raw_file import examine


def a_csv(tmp_path, lines: int):
    rows = [f"{n},A,a,1,12/1/2010 8:26,2.55,17850,UK" for n in range(lines)]
    return write_bytes(tmp_path / "data.csv", "\n".join([UCI_HEADER, *rows]) + "\n")


def test_a_large_file_shows_what_lands_the_share_done_and_the_time_left(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "MIN_LINES", 10)
    examined = examine(a_csv(tmp_path, 50), LandingOptions())
    out = io.StringIO()

    landed = sum(batch.num_rows for batch in progress.with_progress(examined, out, enabled=True))

    shown = out.getvalue()
    assert landed == 50
    assert "landing data.csv (kaggle_csv)" in shown
    assert "100%" in shown
    assert "50.0/50.0 lines" in shown
    assert "left]" in shown


def test_the_bar_stays_quiet_off_a_terminal_and_for_small_files(tmp_path, monkeypatch):
    examined = examine(a_csv(tmp_path, 50), LandingOptions())
    small = io.StringIO()
    assert sum(b.num_rows for b in progress.with_progress(examined, small, enabled=True)) == 50

    monkeypatch.setattr(progress, "MIN_LINES", 10)
    piped = io.StringIO()  # not a terminal
    assert sum(b.num_rows for b in progress.with_progress(examined, piped)) == 50

    assert small.getvalue() == piped.getvalue() == ""


def test_a_refused_file_fails_when_opened_not_at_the_first_read(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "MIN_LINES", 1)
    path = write_bytes(
        tmp_path / "data.csv", f'{UCI_HEADER}\n1,A,"a,1,d,1,1,UK\n2,B,b,2,d,2,2,UK\n'
    )
    examined = examine(path, LandingOptions())

    with pytest.raises(RawFileError, match="unterminated quote"):
        progress.with_progress(examined, io.StringIO(), enabled=True)
