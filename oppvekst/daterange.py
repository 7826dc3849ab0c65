"""One date-range type with one set of overlap rules (DESIGN.md house rules).

Ranges are closed: both `start` and `end` are days inside the range; `end=None` is open-ended.
Placements, employments, guardianships, groups and prices all use these rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Self, TypeVar

from django.db import models
from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("end before start")

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: DateRange) -> bool:
        return (other.end is None or self.start <= other.end) and (
            self.end is None or other.start <= self.end
        )


def active_q(day: dt.date, start_field: str = "valid_from", end_field: str = "valid_to") -> Q:
    """Rows whose [start, end] range contains `day`."""
    return Q(**{f"{start_field}__lte": day}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": day})
    )


def not_ended_q(day: dt.date, end_field: str = "valid_to") -> Q:
    """Rows whose range has not ended before `day`: current, future, or ending on `day` or later."""
    return Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": day})


def overlap_q(period: DateRange, start_field: str = "valid_from", end_field: str = "valid_to") -> Q:
    """Rows whose range overlaps `period`."""
    q = not_ended_q(period.start, end_field)
    if period.end is not None:
        q &= Q(**{f"{start_field}__lte": period.end})
    return q


class ValidityQuerySet(models.QuerySet[_M]):
    """The manager of every model with a `valid_from`/`valid_to` period (placements, employments,
    group assignments, guardianships, groups, units, price rules): the one way to ask which rows
    are valid when, instead of hand-written `valid_to` filters."""

    def active_on(self, day: dt.date) -> Self:
        """Rows valid on `day`."""
        return self.filter(active_q(day))

    def not_ended_by(self, day: dt.date) -> Self:
        """Rows still valid on `day` or later (open-ended, or ending on `day` or after), whether
        or not they have started yet."""
        return self.filter(not_ended_q(day))

    def overlapping(self, period: DateRange) -> Self:
        """Rows valid on at least one day of `period`."""
        return self.filter(overlap_q(period))
