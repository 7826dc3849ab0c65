"""The day's list for a department or a unit: who is expected, here, gone home or absent.

Pure module: standard library only. Expected = children with a placement that day, minus
reported absences and holidays (domain/operations.md §3.1, §3.2); nobody is expected on a day the
unit is closed. A child who is checked in is "here" even if an absence was reported (the
guardians changed their minds; staff see both facts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    EXPECTED = "expected"  # placed, not reported absent, not checked in yet
    PRESENT = "present"  # checked in, not checked out
    LEFT = "left"  # checked out (picked up)
    ABSENT = "absent"  # reported absent (illness, holiday, other)


@dataclass(frozen=True)
class Placed:
    child_id: int
    group_id: int | None


@dataclass(frozen=True)
class ReportedAbsence:
    child_id: int
    first_day: dt.date
    last_day: dt.date
    reason: str


@dataclass(frozen=True)
class Visit:
    child_id: int
    checked_in: dt.datetime
    checked_out: dt.datetime | None


@dataclass(frozen=True)
class Row:
    child_id: int
    group_id: int | None
    status: Status
    absence_reason: str | None
    checked_in: dt.datetime | None
    checked_out: dt.datetime | None


@dataclass(frozen=True)
class DayList:
    rows: tuple[Row, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def in_building(self) -> tuple[Row, ...]:
        """The fire-drill roll call: checked in and not checked out."""
        return tuple(r for r in self.rows if r.status == Status.PRESENT)


def absences_on(absences: Iterable[ReportedAbsence], day: dt.date) -> dict[int, str]:
    found: dict[int, str] = {}
    for a in absences:
        if a.first_day <= day <= a.last_day:
            found.setdefault(a.child_id, a.reason)
    return found


def day_list(
    day: dt.date,
    placed: Sequence[Placed],
    absences: Iterable[ReportedAbsence],
    visits: Iterable[Visit],
    *,
    open_today: bool = True,
) -> DayList:
    absent = absences_on(absences, day)
    by_child = {v.child_id: v for v in visits}
    rows: list[Row] = []
    for p in placed:
        visit = by_child.get(p.child_id)
        reason = absent.get(p.child_id)
        if visit is not None:
            status = Status.LEFT if visit.checked_out is not None else Status.PRESENT
        elif reason is not None:
            status = Status.ABSENT
        elif not open_today:
            continue
        else:
            status = Status.EXPECTED
        rows.append(
            Row(
                child_id=p.child_id,
                group_id=p.group_id,
                status=status,
                absence_reason=reason,
                checked_in=visit.checked_in if visit else None,
                checked_out=visit.checked_out if visit else None,
            )
        )
    return DayList(rows=tuple(rows))
