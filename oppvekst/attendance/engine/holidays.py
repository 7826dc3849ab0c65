"""Checking a family's holiday registrations against the owner's holiday rule.

Pure module: standard library only. The rule is local configuration, not national law
(domain/operations.md §3.2: "4 weeks, 3 of them consecutive" comes from local vedtekter, with
windows, deadlines, planning days and a school-starter cut-off that vary by owner). Weeks are
counted as five weekdays; a holiday is a run of days from–to (inclusive).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class HolidayRule:
    total_weeks: int  # holiday weeks each child must take in the kindergarten year
    consecutive_weeks: int  # of which this many in a row, inside the window
    window_start: tuple[int, int]  # (month, day) the consecutive holiday may start
    window_end: tuple[int, int]  # (month, day) it must end by
    deadline: tuple[int, int]  # (month, day) the summer plan must be registered by
    planning_days_count: bool  # planning days may count as holiday days
    school_starter_cutoff: tuple[int, int]  # (month, day) school starters finish holiday by


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, str]


def weekdays(first: dt.date, last: dt.date, closed: Iterable[dt.date] = ()) -> int:
    skip = set(closed)
    days = 0
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in skip:
            days += 1
        day += dt.timedelta(days=1)
    return days


def _on(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, month_day[0], month_day[1])


def summer_of(first: dt.date, last: dt.date, rule: HolidayRule) -> int | None:
    """The summer (its year) whose holiday window the period touches, if any."""
    for year in {first.year, last.year}:
        start, end = _on(year, rule.window_start), _on(year, rule.window_end)
        if first <= end and last >= start:
            return year
    return None


def check_registration(
    rule: HolidayRule,
    *,
    first: dt.date,
    last: dt.date,
    registered_on: dt.date,
    school_starter: bool,
) -> list[Problem]:
    """Problems that refuse one holiday registration: a summer holiday after the owner's
    deadline (the plan is binding from then on), and a school starter's holiday after the
    cut-off (operations.md §3.2)."""
    problems: list[Problem] = []
    year = summer_of(first, last, rule)
    if year is not None and registered_on > _on(year, rule.deadline) and first > registered_on:
        problems.append(
            Problem("after_deadline", {"deadline": _on(year, rule.deadline).isoformat()})
        )
    if school_starter:
        cutoff = _on(last.year, rule.school_starter_cutoff)
        if last > cutoff and last.month <= 9 and last.month >= cutoff.month:
            problems.append(Problem("school_starter_cutoff", {"cutoff": cutoff.isoformat()}))
    return problems


def check_year(
    rule: HolidayRule,
    *,
    periods: Sequence[tuple[dt.date, dt.date]],
    summer_year: int,
    planning_days: Iterable[dt.date] = (),
) -> list[Problem]:
    """What is still missing from a child's holidays for the kindergarten year that ends in the
    summer of `summer_year` (advice to the family, not a refusal): the total weeks, and the
    consecutive weeks inside the window. Planning days count only where the rule says so."""
    problems: list[Problem] = []
    planning = [] if rule.planning_days_count else list(planning_days)
    year_start, year_end = dt.date(summer_year - 1, 8, 1), dt.date(summer_year, 7, 31)
    inside = [
        (max(a, year_start), min(b, year_end))
        for a, b in periods
        if a <= year_end and b >= year_start
    ]
    total_days = sum(weekdays(a, b, planning) for a, b in inside if a <= b)
    if total_days < rule.total_weeks * 5:
        problems.append(
            Problem("too_few_weeks", {"weeks": str(rule.total_weeks), "days": str(total_days)})
        )
    window = (_on(summer_year, rule.window_start), _on(summer_year, rule.window_end))
    in_window = [
        (max(a, window[0]), min(b, window[1]))
        for a, b in periods
        if a <= window[1] and b >= window[0]
    ]
    longest = max((weekdays(a, b, planning) for a, b in _merged(in_window)), default=0)
    if longest < rule.consecutive_weeks * 5:
        problems.append(
            Problem(
                "too_short_consecutive",
                {
                    "weeks": str(rule.consecutive_weeks),
                    "start": window[0].isoformat(),
                    "end": window[1].isoformat(),
                },
            )
        )
    return problems


def _clip(first: dt.date, last: dt.date, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The part of [first, last] inside [start, end] (may be empty: first > last)."""
    return max(first, start), min(last, end)


def _merged(periods: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Adjacent periods joined (a holiday ending on a Friday and one starting on the Monday
    after are one run of weeks)."""
    result: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(p for p in periods if p[0] <= p[1]):
        if result:
            pa, pb = result[-1]
            gap_start = pb + dt.timedelta(days=1)
            if a <= gap_start or weekdays(gap_start, a - dt.timedelta(days=1)) == 0:
                result[-1] = (pa, max(pb, b))
                continue
        result.append((a, b))
    return result
