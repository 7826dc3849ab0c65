"""Reads of timetables, always through the access policy.

Who sees what (oppvekst/access/policy.py): `timetable.edit` (school leaders) see drafts and
everything of their school; `timetable.read` (the school's staff) see published versions with
every class, teacher and room; `timetable.read_class` adds guardians for the published
timetable of their children's classes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from oppvekst.access.policy import Actor, allowed_ids, can, scope
from oppvekst.core.models import Group, GroupKind, SchoolYear, Unit
from oppvekst.errors import NotFoundError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import Employment
from oppvekst.timetable import move_checks
from oppvekst.timetable.adapters import build_instance, solution_from_placements
from oppvekst.timetable.engine.moves import Occupancy
from oppvekst.timetable.models import (
    DAY_NAMES,
    CalendarFeed,
    Course,
    LessonPlacement,
    Period,
    Room,
    SolveJob,
    TeachingGroup,
    TeachingGroupKind,
    Timetable,
    TimetableConstraint,
    TimetableVersion,
    VersionStatus,
)
from oppvekst.timetable.permissions import TimetableAction


@dataclass
class Access:
    edit: bool
    read_all: bool  # every class, teacher and room of the school


def timetable_access(actor: Actor, unit: Unit) -> Access:
    edit = can(actor, TimetableAction.EDIT, unit)
    return Access(edit=edit, read_all=edit or can(actor, TimetableAction.READ, unit))


# -- lists ---------------------------------------------------------------------------------


@dataclass
class SchoolRow:
    unit: Unit
    can_edit: bool
    items: list[tuple[Timetable, TimetableVersion | None]]
    years: list[SchoolYear]


def school_rows(actor: Actor) -> list[SchoolRow]:
    """Schools whose timetables the actor may read or edit (staff)."""
    units = list(scope(actor, TimetableAction.READ, Unit.objects.all()).order_by("name"))
    if not units:
        return []
    editable = allowed_ids(actor, TimetableAction.EDIT, [u.pk for u in units])
    timetables = list(
        Timetable.objects.filter(unit__in=units)
        .select_related("school_year")
        .order_by("-school_year__start_year")
    )
    published = {
        v.timetable_id: v
        for v in TimetableVersion.objects.filter(
            timetable__in=timetables, status=VersionStatus.PUBLISHED
        )
    }
    class_years: dict[int, set[int]] = defaultdict(set)
    for unit_id, year_id in (
        Group.objects.filter(unit__in=units, kind=GroupKind.CLASS)
        .values_list("unit_id", "school_year_id")
        .distinct()
    ):
        class_years[unit_id].add(year_id)
    all_years = list(SchoolYear.objects.order_by("start_year"))
    rows = []
    for unit in units:
        mine = [t for t in timetables if t.unit_id == unit.pk]
        rows.append(
            SchoolRow(
                unit=unit,
                can_edit=unit.pk in editable,
                items=[(t, published.get(t.pk)) for t in mine],
                years=[
                    y
                    for y in all_years
                    if y.pk in class_years[unit.pk]
                    and not any(t.school_year_id == y.pk for t in mine)
                ],
            )
        )
    return rows


@dataclass
class ClassLink:
    group: Group
    version: TimetableVersion
    child_names: list[str] = field(default_factory=list)


def guardian_class_links(actor: Actor) -> list[ClassLink]:
    """Published class timetables of the actor's own children (guardians)."""
    own = actor.ids("child_id", ["guardian", "daily_carer"])
    if not own:
        return []
    placements = list(
        Placement.objects.not_ended_by(actor.day)
        .filter(
            child_id__in=own,
            service=Service.SCHOOL,
            group__isnull=False,
        )
        .select_related("group", "child")
        .order_by("child__birth_date")
    )
    group_ids = [p.group_id for p in placements if p.group_id is not None]
    visible = allowed_ids(actor, TimetableAction.READ_CLASS, group_ids)
    versions = _published_by_class(list(visible))
    links: dict[int, ClassLink] = {}
    for p in placements:
        if p.group_id in versions and p.group is not None:
            link = links.setdefault(p.group_id, ClassLink(p.group, versions[p.group_id]))
            link.child_names.append(p.child.first_name)
    return list(links.values())


def _published_by_class(class_ids: list[int]) -> dict[int, TimetableVersion]:
    out: dict[int, TimetableVersion] = {}
    if not class_ids:
        return out
    rows = (
        TeachingGroup.objects.filter(kind=TeachingGroupKind.CLASS, classes__in=class_ids)
        .values_list("classes", "timetable_id")
        .distinct()
    )
    by_tt = defaultdict(list)
    for class_id, tt_id in rows:
        if class_id in class_ids:
            by_tt[tt_id].append(class_id)
    for v in TimetableVersion.objects.filter(
        timetable_id__in=by_tt, status=VersionStatus.PUBLISHED
    ).select_related("timetable__school_year"):
        for class_id in by_tt[v.timetable_id]:
            out[class_id] = v
    return out


def own_teacher_employments(actor: Actor) -> list[Employment]:
    if actor.person is None:
        return []
    units = [r.unit_id for r in actor.roles if r.unit_id is not None]
    return list(
        Employment.objects.active_on(actor.day)
        .filter(person=actor.person, unit_id__in=units)
        .filter(unit__kind="school")
        .select_related("unit", "person")
        .order_by("pk")
    )


# -- one timetable -----------------------------------------------------------------------


def timetable_get(actor: Actor, timetable_id: int) -> tuple[Timetable, Access]:
    """404 unless the actor may read the school's timetables (staff) or edit them."""
    tt = Timetable.objects.select_related("unit", "school_year").filter(pk=timetable_id).first()
    if tt is None:
        raise NotFoundError("Not found.")
    access = timetable_access(actor, tt.unit)
    if not access.read_all:
        raise NotFoundError("Not found.")
    return tt, access


def timetable_overview(tt: Timetable, access: Access) -> dict[str, Any]:
    versions = tt.versions.select_related("created_by", "published_by").order_by("-number")
    if not access.edit:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    jobs = list(tt.jobs.select_related("result_version").order_by("-created_at", "-pk")[:5])
    return {
        "versions": list(versions),
        "jobs": jobs if access.edit else [],
        "latest_job": jobs[0] if jobs and access.edit else None,
        "counts": {
            "lessons": tt.lessons.count(),
            "courses": tt.courses.count(),
            "groups": tt.teaching_groups.count(),
            "rooms": tt.rooms.count(),
            "rules": tt.constraints.count(),
        },
    }


def version_get(
    actor: Actor, version_id: int, *, class_id: int | None = None
) -> tuple[TimetableVersion, Access]:
    """A version the actor may see: editors every version; staff published ones; guardians
    the published version for one of their children's classes (`class_id`)."""
    version = (
        TimetableVersion.objects.select_related("timetable__unit", "timetable__school_year")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFoundError("Not found.")
    access = timetable_access(actor, version.timetable.unit)
    if access.edit:
        return version, access
    if version.status != VersionStatus.PUBLISHED:
        raise NotFoundError("Not found.")
    if access.read_all:
        return version, access
    if class_id is not None:
        group = Group.objects.filter(pk=class_id, unit_id=version.timetable.unit_id).first()
        if group is not None and can(actor, TimetableAction.READ_CLASS, group):
            return version, access
    raise NotFoundError("Not found.")


def job_as_dict(job: SolveJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "status_text": str(job.get_status_display()),
        "finished": job.finished,
        "solutions": job.solutions,
        "best_penalty": job.best_penalty,
        "best_bound": job.best_bound,
        "elapsed": round(job.elapsed, 1),
        "time_limit": job.time_limit,
        "hard_violations": job.hard_violations,
        "message": job.message if job.status != "failed" else "",
        "conflict": job.conflict,
        "version_id": job.result_version_id,
    }


# -- grids ---------------------------------------------------------------------------------


@dataclass
class Entry:
    placement_id: int
    lesson_id: int
    subject_code: str
    subject_name: str
    colour: str
    group: str
    teachers: list[str]
    room: str
    locked: bool
    duration: int
    day: int
    period: int
    continued: bool = False  # the second period of a double lesson


@dataclass
class GridRow:
    period: Period
    cells: list[list[Entry]]


@dataclass
class Grid:
    title: str
    kind: str
    days: list[str]
    rows: list[GridRow]
    subjects: list[tuple[str, str, str]]  # code, name, colour (the legend)
    count: int


@dataclass
class Views:
    classes: list[tuple[int, str]]
    teachers: list[tuple[int, str]]
    rooms: list[tuple[int, str]]


def version_views(version: TimetableVersion, access: Access) -> Views:
    """What can be shown of this version: classes, teachers, rooms."""
    tt = version.timetable
    classes = sorted(
        {
            (c.pk, c.name, c.grade or 0)
            for g in TeachingGroup.objects.filter(
                timetable=tt, kind=TeachingGroupKind.CLASS
            ).prefetch_related("classes")
            for c in g.classes.all()
        },
        key=lambda x: (x[2], x[1]),
    )
    if not access.read_all:
        return Views([(c[0], c[1]) for c in classes], [], [])
    teachers = sorted(
        {
            (e.pk, e.person.full_name)
            for e in Employment.objects.filter(
                pk__in=Course.teachers.through.objects.filter(course__timetable=tt).values(
                    "employment_id"
                )
            ).select_related("person")
        },
        key=lambda x: x[1],
    )
    rooms = [(r.pk, r.name) for r in Room.objects.filter(timetable=tt).order_by("kind", "name")]
    return Views([(c[0], c[1]) for c in classes], teachers, rooms)


def _short_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name[:1]}."


def version_placements(
    version: TimetableVersion,
    *,
    class_id: int | None = None,
    teacher_id: int | None = None,
    room_id: int | None = None,
) -> QuerySet[LessonPlacement]:
    qs = LessonPlacement.objects.filter(version=version)
    if class_id is not None:
        qs = qs.filter(lesson__course__group__classes=class_id)
    if teacher_id is not None:
        qs = qs.filter(lesson__course__teachers=teacher_id)
    if room_id is not None:
        qs = qs.filter(room_id=room_id)
    return (
        qs.select_related("lesson__course__subject", "lesson__course__group", "room")
        .prefetch_related(
            Prefetch(
                "lesson__course__teachers",
                queryset=Employment.objects.select_related("person").order_by("pk"),
            )
        )
        .order_by("day", "period", "lesson__course__subject__code", "pk")
        .distinct()
    )


def version_grid(
    version: TimetableVersion,
    *,
    title: str,
    kind: str,
    class_id: int | None = None,
    teacher_id: int | None = None,
    room_id: int | None = None,
) -> Grid:
    """Rows of periods, columns of days; each cell lists the lessons there (a fixed number of
    queries whatever the size)."""
    tt = version.timetable
    periods = list(Period.objects.filter(timetable=tt).order_by("index"))
    n_days = tt.days
    rows = [GridRow(p, [[] for _ in range(n_days)]) for p in periods]
    by_index = {p.index: i for i, p in enumerate(periods)}
    legend: dict[str, tuple[str, str, str]] = {}
    count = 0
    for pl in version_placements(
        version, class_id=class_id, teacher_id=teacher_id, room_id=room_id
    ):
        course = pl.lesson.course
        subject = course.subject
        legend[subject.code] = (subject.code, subject.name, subject.colour)
        count += 1
        for k in range(pl.lesson.duration):
            row = by_index.get(pl.period + k)
            if row is None or not 0 <= pl.day < n_days:
                continue
            rows[row].cells[pl.day].append(
                Entry(
                    placement_id=pl.pk,
                    lesson_id=pl.lesson_id,
                    subject_code=subject.code,
                    subject_name=subject.name,
                    colour=subject.colour,
                    group=course.group.name,
                    teachers=[_short_name(e.person) for e in course.teachers.all()],
                    room=pl.room.name if pl.room else "",
                    locked=pl.locked,
                    duration=pl.lesson.duration,
                    day=pl.day,
                    period=pl.period,
                    continued=k > 0,
                )
            )
    return Grid(
        title=title,
        kind=kind,
        days=[str(DAY_NAMES[d]) for d in range(n_days)],
        rows=rows,
        subjects=sorted(legend.values()),
        count=count,
    )


def rules_list(tt: Timetable) -> list[TimetableConstraint]:
    return list(
        TimetableConstraint.objects.filter(timetable=tt)
        .select_related("teacher__person", "group", "room", "course__subject")
        .order_by("kind", "pk")
    )


def school_teachers(tt: Timetable) -> list[Employment]:
    return list(
        Employment.objects.not_ended_by(tt.school_year.starts)
        .filter(unit=tt.unit, position="teacher")
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def week_dates(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(5)]


def teacher_week(actor: Actor) -> list[dict[str, Any]]:
    """The actor's own lessons this week in their schools' published timetables."""
    out = []
    for emp in own_teacher_employments(actor):
        if emp.unit is None:
            continue
        year = SchoolYear.objects.filter(start_year=SchoolYear.start_year_for(actor.day)).first()
        version = (
            TimetableVersion.objects.filter(
                timetable__unit=emp.unit, status=VersionStatus.PUBLISHED
            )
            .filter(timetable__school_year=year)
            .select_related("timetable__school_year", "timetable__unit")
            .first()
        )
        out.append({"employment": emp, "version": version})
    return out


def feeds_for(user_id: int) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(owner_id=user_id, revoked_at__isnull=True)
        .select_related("unit")
        .order_by("-created_at", "-pk")
    )


def move_targets(version: TimetableVersion, placement_id: int) -> dict[str, Any] | None:
    """For one lesson of a version the actor may edit: every slot of the week with ok, warn or
    conflict and why. None when the placement is not in the version."""
    placements = list(LessonPlacement.objects.filter(version=version))
    placement = next((p for p in placements if p.pk == placement_id), None)
    if placement is None:
        return None
    built = build_instance(version.timetable)
    sol = solution_from_placements(placements)
    occ = Occupancy(built.instance, sol, placement.lesson_id)
    locked = {p.lesson_id for p in placements if p.locked}
    before = move_checks.hard_keys(built, sol)
    targets = []
    for day in range(built.instance.n_days):
        for period in range(built.instance.n_hours):
            entry: dict[str, Any] = {"day": day, "period": period}
            targets.append(entry)
            if (day, period) == (placement.day, placement.period):
                entry.update(status="current", message=_("Her ligger timen nå."))
                continue
            plan = move_checks.plan_move(
                built, sol, placement.lesson_id, day, period, locked=locked, occupancy=occ
            )
            if not plan.ok:
                entry.update(
                    status="conflict",
                    message=move_checks.refusal_message(built, placement.lesson_id, plan.check),
                )
                continue
            warnings = move_checks.new_hard_violations(
                built, before, move_checks.apply_plan(sol, plan)
            )
            text = _("Ledig")
            if plan.swap_with is not None:
                text = _("Bytter plass med %(lesson)s") % {
                    "lesson": built.lesson_name(plan.swap_with)
                }
                entry["swap"] = True
            if warnings:
                text = _("%(text)s, men bryter: %(rules)s") % {
                    "text": text,
                    "rules": "; ".join(warnings),
                }
            entry.update(status="warn" if warnings else "ok", message=text)
    return {
        "placement": placement.pk,
        "lesson": built.lesson_name(placement.lesson_id),
        "locked": placement.locked,
        "revision": version.revision,
        "targets": targets,
    }
