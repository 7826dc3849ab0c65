"""Changes to municipalities, units and the calendar."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from oppvekst.core.calendar import is_public_holiday
from oppvekst.core.models import ClosedDay, ClosedDayKind, Municipality, SchoolYear, UnitKind

SCHOOL_DAYS_PER_YEAR = 190  # domain/norway.md §7.3 (forskrift: 190 school days)


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _iso_week(year: int, week: int) -> list[dt.date]:
    monday = dt.date.fromisocalendar(year, week, 1)
    return [monday + dt.timedelta(days=i) for i in range(5)]


def school_calendar_generate(
    *, municipality: Municipality, school_year: SchoolYear, school_days: int = SCHOOL_DAYS_PER_YEAR
) -> int:
    """A typical skolerute (domain/norway.md §7.3): autumn break in week 40, Christmas,
    winter break in week 9, Easter week, summer; trimmed at the end of June to exactly
    `school_days` days. Replaces the municipality's school holidays for that year.
    Returns the number of school days."""
    y = school_year.start_year
    holidays: set[dt.date] = set()
    holidays.update(_weekdays(dt.date(y, 8, 1), dt.date(y, 8, 16)))
    holidays.update(_iso_week(y, 40))
    holidays.update(_weekdays(dt.date(y, 12, 21), dt.date(y + 1, 1, 2)))
    holidays.update(_iso_week(y + 1, 9))
    # Monday–Wednesday of Easter week; Maundy Thursday onward are public holidays.
    maundy = next(
        d
        for d in _weekdays(dt.date(y + 1, 3, 15), dt.date(y + 1, 4, 30))
        if d.weekday() == 3 and is_public_holiday(d)
    )
    holidays.update(maundy - dt.timedelta(days=n) for n in (1, 2, 3))
    holidays.update(_weekdays(dt.date(y + 1, 6, 22), dt.date(y + 1, 7, 31)))
    open_days = [
        d
        for d in _weekdays(school_year.starts, school_year.ends)
        if d not in holidays and not is_public_holiday(d)
    ]
    while len(open_days) > school_days:
        holidays.add(open_days.pop())  # trim from the end of June
    with transaction.atomic():
        ClosedDay.objects.filter(
            municipality=municipality,
            applies_to=UnitKind.SCHOOL,
            date__range=(school_year.starts, school_year.ends),
        ).delete()
        ClosedDay.objects.bulk_create(
            [
                ClosedDay(
                    municipality=municipality,
                    date=d,
                    kind=ClosedDayKind.HOLIDAY,
                    applies_to=UnitKind.SCHOOL,
                    description="Skoleferie",
                )
                for d in sorted(holidays)
                if not is_public_holiday(d)
            ]
        )
    return len(open_days)
