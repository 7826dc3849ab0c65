"""Public holidays and school days (domain/norway.md §7).

Public holidays come from the `holidays` package with Sundays excluded explicitly (§7.1: the
package's default changed between versions, so we pass it). Municipal holidays, planning days
and closed days are ClosedDay rows.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from oppvekst.core.models import ClosedDay, Municipality, SchoolYear, UnitKind


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[dt.date, str]:
    calendar = holidays.country_holidays("NO", years=year, include_sundays=False, language="no")
    return {day: str(name) for day, name in sorted(calendar.items())}


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)


def school_days(
    municipality: Municipality, school_year: SchoolYear, service: str = UnitKind.SCHOOL
) -> list[dt.date]:
    """Weekdays of the school year that are neither public holidays nor closed days."""
    closed = set(
        ClosedDay.objects.filter(
            municipality=municipality,
            applies_to=service,
            date__range=(school_year.starts, school_year.ends),
        ).values_list("date", flat=True)
    )
    days: list[dt.date] = []
    day = school_year.starts
    while day <= school_year.ends:
        if day.weekday() < 5 and not is_public_holiday(day) and day not in closed:
            days.append(day)
        day += dt.timedelta(days=1)
    return days
