"""Attendance in the JSON API (/api/v1/): the day's list of a unit, check-in and check-out
(idempotent with an Idempotency-Key header), and a child's absences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from oppvekst import clock
from oppvekst.access import audit
from oppvekst.access.policy import Actor, allowed_ids
from oppvekst.api.base import actor
from oppvekst.attendance import selectors, services
from oppvekst.attendance.models import Absence, AbsenceReason, Attendance
from oppvekst.attendance.permissions import AttendanceAction as A
from oppvekst.core.idempotency import once
from oppvekst.errors import DomainError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement

router = Router(tags=["attendance"])


class DayParams(Schema):
    date: dt.date | None = Field(None, description="The day (default today)")


class ChildOnList(Schema):
    id: int
    first_name: str
    last_name: str
    group_id: int | None
    status: str = Field(description="expected, present, left or absent")
    absence_reason: str | None
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    picked_up_by: str
    contact_leader: bool = Field(description="A restriction applies: contact the leader")


class UnitDay(Schema):
    unit_id: int
    date: dt.date
    open: bool
    expected: list[ChildOnList]
    present: list[ChildOnList]
    left: list[ChildOnList]
    absent: list[ChildOnList]
    adults_present: int
    children_per_adult: str | None = Field(
        description="Live: children in the building per adult present (not a norm)"
    )


def _child_out(row: selectors.ChildRow) -> dict[str, Any]:
    return {
        "id": row.child.pk,
        "first_name": row.child.first_name,
        "last_name": row.child.last_name,
        "group_id": row.group.pk if row.group else None,
        "status": row.status,
        "absence_reason": row.absence_reason,
        "checked_in_at": row.checked_in,
        "checked_out_at": row.checked_out,
        "picked_up_by": row.picked_up_by,
        "contact_leader": row.restricted,
    }


@router.get(
    "/units/{unit_id}/attendance",
    response=UnitDay,
    summary="A kindergarten's or SFO's day: expected, present, gone home and absent children",
)
def unit_attendance(request: HttpRequest, unit_id: int, params: Query[DayParams]) -> dict[str, Any]:
    a = actor(request)
    unit = selectors.unit_on_duty(a, unit_id)
    if unit is None:
        raise Http404
    day = params.date or clock.today()
    view = selectors.day_view(a, unit, day)
    audit.record(a, A.READ, [r.child.pk for r in view.rows], request=request)
    ratio = view.children_per_adult
    grouped: dict[str, list[dict[str, Any]]] = {
        s: [] for s in ("expected", "present", "left", "absent")
    }
    for row in view.rows:
        grouped[row.status].append(_child_out(row))
    return {
        "unit_id": unit.pk,
        "date": day,
        "open": view.open,
        **grouped,
        "adults_present": view.adults_present,
        "children_per_adult": None if ratio is None else f"{ratio:.2f}",
    }


class CheckIn(Schema):
    child: int
    unit: int | None = Field(None, description="Default: the child's place at a unit you work in")


class CheckOut(CheckIn):
    picked_up_by: str = Field(
        min_length=1,
        max_length=150,
        description='An option key ("guardian:ID", "pickup:ID") or a name on the pick-up list',
    )


class AttendanceOut(Schema):
    id: int
    child: int
    unit: int
    date: dt.date
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    picked_up_by: str


def _attendance_out(record: Attendance) -> dict[str, Any]:
    return {
        "id": record.pk,
        "child": record.child_id,
        "unit": record.unit_id,
        "date": record.day,
        "checked_in_at": record.checked_in_at,
        "checked_out_at": record.checked_out_at,
        "picked_up_by": record.picked_up_by,
    }


def _checkable(a: Actor, payload: CheckIn) -> tuple[Person, Any]:
    """The child (404 unless the actor may know it; 403 if known but not theirs to check)
    and the unit where the actor checks it in."""
    if not allowed_ids(a, A.CHECK, [payload.child]):
        if allowed_ids(a, A.READ, [payload.child]):
            raise PermissionDenied
        raise Http404
    units = selectors.scope_units(a, A.UNIT_ATTENDANCE)
    placements = Placement.objects.active_on(clock.today()).filter(
        child_id=payload.child,
        service__in=["kindergarten", "sfo"],
        unit__in=units,
    )
    if payload.unit is not None:
        placements = placements.filter(unit_id=payload.unit)
    placement = placements.select_related("unit", "child").order_by("service").first()
    if placement is None:
        raise DomainError(
            "The child has no place today at a unit where you work.",
            code="not_placed",
            fields={"child": "not placed today at your unit"},
        )
    return placement.child, placement.unit


@router.post(
    "/attendance/check-in",
    response={201: AttendanceOut, 200: AttendanceOut},
    summary="Check a child in. Idempotent with an Idempotency-Key header.",
)
def check_in(
    request: HttpRequest,
    payload: CheckIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    a = actor(request)
    child, unit = _checkable(a, payload)
    before = Attendance.objects.filter(child=child, unit=unit, day=clock.today()).exists()
    record_id, created = once(
        scope="api_attendance_in",
        key=idempotency_key,
        user_id=request.auth.user_id,  # type: ignore[attr-defined]
        change=lambda: services.attendance_check_in(child=child, unit=unit, by=a.person).pk,
    )
    audit.record(a, A.CHECK, [child.pk], request=request)
    record = Attendance.objects.get(pk=record_id)
    return Status(201 if created and not before else 200, _attendance_out(record))


@router.post(
    "/attendance/check-out",
    response={200: AttendanceOut},
    summary="Check a child out to a person on its pick-up list. Idempotent with Idempotency-Key.",
)
def check_out(
    request: HttpRequest,
    payload: CheckOut,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> dict[str, Any]:
    a = actor(request)
    child, unit = _checkable(a, payload)
    record_id, _created = once(
        scope="api_attendance_out",
        key=idempotency_key,
        user_id=request.auth.user_id,  # type: ignore[attr-defined]
        change=lambda: (
            services.attendance_check_out(
                child=child, unit=unit, by=a.person, picked_up_by=payload.picked_up_by
            ).pk
        ),
    )
    audit.record(a, A.CHECK, [child.pk], request=request)
    return _attendance_out(Attendance.objects.get(pk=record_id))


class AbsenceIn(Schema):
    from_: dt.date = Field(alias="from")
    to: dt.date
    reason: AbsenceReason
    note: str = Field("", max_length=300)


class AbsenceOut(Schema):
    id: int
    child: int
    from_: dt.date = Field(alias="from")
    to: dt.date
    reason: str
    note: str
    reported_at: dt.datetime


def _absence_out(absence: Absence) -> dict[str, Any]:
    return {
        "id": absence.pk,
        "child": absence.child_id,
        "from": absence.first_day,
        "to": absence.last_day,
        "reason": absence.reason,
        "note": absence.note,
        "reported_at": absence.reported_at,
    }


@router.post(
    "/children/{child_id}/absences",
    response={201: AbsenceOut, 200: AbsenceOut},
    by_alias=True,
    summary="Report an absence (guardians: own children; staff: children placed with them). "
    "Idempotent with an Idempotency-Key header.",
)
def report_absence(
    request: HttpRequest,
    child_id: int,
    payload: AbsenceIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    a = actor(request)
    as_family = bool(allowed_ids(a, A.REPORT_ABSENCE, [child_id]))
    if not as_family and not allowed_ids(a, A.RECORD_ABSENCE, [child_id]):
        raise Http404
    child = Person.objects.get(pk=child_id)
    absence_id, created = once(
        scope="api_absence",
        key=idempotency_key,
        user_id=request.auth.user_id,  # type: ignore[attr-defined]
        change=lambda: (
            services.absence_report(
                child=child,
                first_day=payload.from_,
                last_day=payload.to,
                reason=payload.reason,
                note=payload.note,
                reported_by=a.person,
                staff=not as_family,
            ).pk
        ),
    )
    audit.record(a, A.REPORT_ABSENCE, [child_id], request=request)
    return Status(201 if created else 200, _absence_out(Absence.objects.get(pk=absence_id)))


@router.get(
    "/children/{child_id}/absences",
    response=list[AbsenceOut],
    by_alias=True,
    summary="A child's reported absences (newest first)",
)
def list_absences(request: HttpRequest, child_id: int) -> list[dict[str, Any]]:
    a = actor(request)
    absences = selectors.child_absences(a, child_id)
    if absences is None:
        raise Http404
    audit.record(a, A.READ_ABSENCE, [child_id], request=request)
    return [_absence_out(x) for x in absences]
