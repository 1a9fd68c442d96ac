"""The trading calendar of the generated year: open days, seasonal volume and trading hours.

The real file runs from 2010-12-01 08:26 to 2011-12-09 12:50. The shop never invoices on
Saturdays, closes over Christmas and on bank holidays, and trades by the month as the real
file does (the build-up to November); within a day, by the hour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def sample_days(
    rng: np.random.Generator, timeline: Timeline, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Trading-day indices drawn from the seasonal volume, between two cumulative positions."""
    position = start + (end - start) * rng.random(start.shape)
    day = np.searchsorted(timeline.cdf, position, side="left")
    return np.minimum(day, timeline.days.size - 1).astype(np.int32)


def sample_minutes(rng: np.random.Generator, timeline: Timeline, day: np.ndarray) -> np.ndarray:
    """Minute of the day in trading hours (shorter on Sundays), within the file's bounds."""
    u = rng.random(day.shape)
    hour_index = np.where(
        timeline.is_sunday[day],
        np.searchsorted(timeline.sunday_hour_cdf, u, side="right"),
        np.searchsorted(timeline.hour_cdf, u, side="right"),
    )
    hour = timeline.hours[np.minimum(hour_index, timeline.hours.size - 1)]
    minute = hour * 60 + rng.integers(0, 60, day.shape)
    return clamp_minutes(timeline, day, minute)


def clamp_minutes(timeline: Timeline, day: np.ndarray, minute: np.ndarray) -> np.ndarray:
    """Minutes kept within the file's first and last invoice times."""
    last = timeline.days.size - 1
    minute = np.where(day == 0, np.maximum(minute, FIRST_MINUTE), minute)
    return np.where(day == last, np.minimum(minute, LAST_MINUTE), minute).astype(np.int32)
