"""Right to a kindergarten place (barnehageloven § 16) and the 1 August age rule.

Pure module: standard library only, no Django (CONTRIBUTING.md).

Domain (shared/domain/norway.md):

* §1.2: a child who turns 1 by the end of August of the admission year has the right to a
  place from August; a child who turns 1 in September, October or November has it by the end of
  the month it turns 1; a child who turns 1 in December or later has no statutory right in that
  year's main admission. The right needs an application by the municipality's deadline for the
  main admission and residence (bosatt) in the municipality.
* §1.7: a child counts as "over 3" from and including 1 August of the year it turns 3.
* §4.1: school starts in August of the year the child turns 6, and the kindergarten right ends
  there (a child of school age has no right to a kindergarten place).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

AgeGroup = Literal["under3", "over3"]
Reason = Literal["ok", "late", "not_resident", "too_young", "school_age", "no_application"]

__all__ = [
    "AgeGroup",
    "RightToPlace",
    "age_group",
    "counts_as_over_3",
    "first_birthday",
    "last_day_of_month",
    "right_to_place",
    "school_start",
]


def _birthday(birth_date: dt.date, years: int) -> dt.date:
    """The day the child turns `years` (29 February children have their birthday on 1 March
    in common years, as in the population register)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def first_birthday(birth_date: dt.date) -> dt.date:
    return _birthday(birth_date, 1)


def last_day_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def school_start(birth_date: dt.date) -> dt.date:
    """1 August of the year the child turns 6 (§4.1)."""
    return dt.date(birth_date.year + 6, 8, 1)


def counts_as_over_3(birth_date: dt.date, on_date: dt.date) -> bool:
    """§1.7: over 3 from and including 1 August of the calendar year the child turns 3."""
    return on_date >= dt.date(birth_date.year + 3, 8, 1)


def age_group(birth_date: dt.date, on_date: dt.date) -> AgeGroup:
    return "over3" if counts_as_over_3(birth_date, on_date) else "under3"


@dataclass(frozen=True)
class RightToPlace:
    """The outcome for one child in one admission year.

    `right_from` is the date by which the place must be offered (§1.2 "right from"); it is
    also given when the right fails only for a late application or residence, so the report
    can say what the child would have had.
    """

    has_right: bool
    reason: Reason
    right_from: dt.date | None


def right_to_place(
    *,
    birth_date: dt.date,
    admission_year: int,
    deadline: dt.date,
    applied_on: dt.date | None,
    resident: bool,
) -> RightToPlace:
    """barnehageloven § 16 as encoded in domain §1.2 ("Implementation rule").

    `admission_year` is the calendar year of the main admission (the kindergarten year that
    starts on 1 August of it); `deadline` is the municipality's deadline for that main
    admission; `applied_on` the day the application was submitted (None: not submitted).
    """
    turns_one = first_birthday(birth_date)
    if turns_one > dt.date(admission_year, 11, 30):
        return RightToPlace(False, "too_young", None)
    if school_start(birth_date) <= dt.date(admission_year, 8, 1):
        return RightToPlace(False, "school_age", None)
    if turns_one <= dt.date(admission_year, 8, 31):
        right_from = dt.date(admission_year, 8, 1)
    else:  # September, October or November birthdays
        right_from = last_day_of_month(turns_one)
    if applied_on is None:
        return RightToPlace(False, "no_application", right_from)
    if applied_on > deadline:
        return RightToPlace(False, "late", right_from)
    if not resident:
        return RightToPlace(False, "not_resident", right_from)
    return RightToPlace(True, "ok", right_from)
