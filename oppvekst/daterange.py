"""One date-range type with one set of overlap rules (DESIGN.md house rules).

Ranges are closed: both `start` and `end` are days inside the range; `end=None` is open-ended.
Placements, employments, guardianships, groups and prices all use these rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q


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


def overlap_q(period: DateRange, start_field: str = "valid_from", end_field: str = "valid_to") -> Q:
    """Rows whose range overlaps `period`."""
    q = Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": period.start})
    if period.end is not None:
        q &= Q(**{f"{start_field}__lte": period.end})
    return q
