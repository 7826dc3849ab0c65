"""Reads of the audit trail for people: who has looked at a child's data.

The guardian sees roles and units (the Personal Data Act's right of access, GDPR art. 15, as
domain/norway.md §6 describes it); the unit leader also sees names. Rows are grouped per day,
person, role and action, so twenty list loads by the same teacher are one line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from oppvekst.access.labels import action_label, role_label
from oppvekst.access.models import AuditEvent
from oppvekst.access.policy import Actor
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement
from oppvekst.staff.models import MUNICIPAL_POSITIONS, Employment, GroupAssignment


@dataclass(frozen=True)
class AccessLogFilter:
    role: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    include_own: bool = False


@dataclass
class AccessLogRow:
    day: dt.date
    last_at: dt.datetime
    times: int
    role: str
    unit: str
    action: str
    who: str  # only filled when names may be shown


@dataclass
class AccessLogPage:
    rows: list[AccessLogRow]
    count: int  # grouped rows in total
    roles: list[tuple[str, str]]  # (code, label) of the roles in the child's log


def _events(actor: Actor, child_id: int, wanted: AccessLogFilter) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(target_id=child_id)
    if not wanted.include_own and actor.user_id is not None:
        qs = qs.exclude(actor_user_id=actor.user_id)
    if wanted.role:
        qs = qs.filter(actor_role=wanted.role)
    tz = timezone.get_current_timezone()
    if wanted.since:
        qs = qs.filter(at__gte=dt.datetime.combine(wanted.since, dt.time.min, tzinfo=tz))
    if wanted.until:
        end = dt.datetime.combine(wanted.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(at__lt=end)
    return qs


def _units_of(
    person_ids: set[int], child_id: int, days: set[dt.date]
) -> dict[tuple[int, dt.date], str]:
    """The unit (or the sector office) each person worked at on each day, preferring a unit
    where the child has a place. Three queries whatever the number of rows."""
    if not person_ids or not days:
        return {}
    first, last = min(days), max(days)
    employments = list(
        Employment.objects.filter(person_id__in=person_ids, valid_from__lte=last)
        .exclude(valid_to__lt=first)
        .select_related("unit", "municipality")
    )
    assignments = list(
        GroupAssignment.objects.filter(person_id__in=person_ids, valid_from__lte=last)
        .exclude(valid_to__lt=first)
        .select_related("group__unit")
    )
    child_units = set(Placement.objects.filter(child_id=child_id).values_list("unit_id", flat=True))
    found: dict[tuple[int, dt.date], str] = {}
    for pid in person_ids:
        for day in days:
            candidates: list[tuple[bool, str]] = []
            for e in employments:
                if e.person_id != pid or not _on(e, day):
                    continue
                if e.position in MUNICIPAL_POSITIONS or e.unit is None:
                    candidates.append((False, _sector_office(e.municipality.name)))
                else:
                    candidates.append((e.unit_id in child_units, e.unit.name))
            for a in assignments:
                if a.person_id == pid and _on(a, day):
                    candidates.append((a.group.unit_id in child_units, a.group.unit.name))
            if candidates:
                candidates.sort(key=lambda c: (not c[0], c[1]))
                found[(pid, day)] = candidates[0][1]
    return found


def _on(row: Employment | GroupAssignment, day: dt.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or row.valid_to >= day)


def _sector_office(municipality: str) -> str:
    return gettext("Sektorkontoret, %(municipality)s") % {"municipality": municipality}


def child_access_log(
    actor: Actor,
    child_id: int,
    *,
    wanted: AccessLogFilter,
    show_names: bool,
    limit: int,
    offset: int,
) -> AccessLogPage:
    """One page of the grouped access log of a child. The caller has decided that the actor
    may read this child's log (access.policy: child.read_access_log or
    child.read_unit_access_log); names only when `show_names`."""
    events = _events(actor, child_id, wanted)
    grouped = (
        events.annotate(day=TruncDate("at"))
        .values("day", "actor_user_id", "actor_person_id", "actor_label", "actor_role", "action")
        .annotate(times=Count("pk"), last_at=Max("at"))
        .order_by("-last_at", "action")
    )
    count = grouped.count()
    raw = list(grouped[offset : offset + limit])
    people = {r["actor_person_id"] for r in raw if r["actor_person_id"] is not None}
    days = {r["day"] for r in raw}
    units = _units_of(people, child_id, days)
    names: dict[int, str] = {}
    if show_names and people:
        names = {
            p.pk: f"{p.first_name} {p.last_name}" for p in Person.objects.filter(pk__in=people)
        }
    rows = [
        AccessLogRow(
            day=r["day"],
            last_at=r["last_at"],
            times=r["times"],
            role=role_label(r["actor_role"]),
            unit=units.get((r["actor_person_id"], r["day"]), "")
            if r["actor_role"] not in ("guardian", "daily_carer")
            else "",
            action=action_label(r["action"]),
            who=(names.get(r["actor_person_id"]) or r["actor_label"]) if show_names else "",
        )
        for r in raw
    ]
    codes = (
        AuditEvent.objects.filter(target_id=child_id)
        .exclude(actor_role="")
        .values_list("actor_role", flat=True)
        .distinct()
    )
    roles = sorted(((c, role_label(c)) for c in codes), key=lambda x: x[1])
    return AccessLogPage(rows=rows, count=count, roles=roles)
