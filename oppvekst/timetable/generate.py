"""Generate a school's timetable model from the data Oppvekst already has.

Classes are the school's core.Group classes of the school year (with their grade and pupils),
teachers are the school's teacher employments (contact teachers and subject teachers from
staff.GroupAssignment are preferred for their classes), rooms are created with sensible
defaults (a classroom per class and the special rooms the subjects need), and the weekly
lessons come from the subject-hours table (fag- og timefordeling) in
fag_og_timefordeling.json.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oppvekst import clock
from oppvekst.core.models import Group, GroupKind, SchoolYear, Unit, UnitKind
from oppvekst.daterange import DateRange
from oppvekst.errors import ConflictError, DomainError
from oppvekst.placements.models import Placement
from oppvekst.staff.models import AssignmentRole, Employment, GroupAssignment, Position
from oppvekst.timetable.models import (
    ConstraintKind,
    Course,
    GradeHours,
    Lesson,
    Period,
    Room,
    RoomKind,
    Subject,
    TeachingGroup,
    TeachingGroupKind,
    Timetable,
    TimetableConstraint,
    VersionStatus,
)

DATA_FILE = Path(__file__).resolve().parent / "fag_og_timefordeling.json"

# Subjects the contact teacher takes first in their own class (barnetrinnet practice).
CONTACT_SUBJECTS = ("NOR", "MAT", "KRLE", "SAF", "NAT", "ENG")
ROOM_NAMES = {
    RoomKind.GYM: "Gymsal",
    RoomKind.SCIENCE: "Naturfagrom",
    RoomKind.MUSIC: "Musikkrom",
    RoomKind.ARTS_CRAFTS: "Kunst og håndverk",
    RoomKind.KITCHEN: "Skolekjøkken",
}
# A teacher may get this many lessons a week above the norm before a course goes unstaffed.
SLACK = 1
# A special room is planned for at most this share of the week's lesson slots.
ROOM_USE = 0.75


@lru_cache(maxsize=1)
def subject_hours_table() -> dict[str, Any]:
    """The national defaults (fag- og timefordeling), read once."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


@dataclass
class _TeacherLoad:
    employment: Employment
    capacity: int
    load: int = 0
    subjects: set[str] = field(default_factory=set)
    classes: set[int] = field(default_factory=set)


def _school_classes(unit: Unit, school_year: SchoolYear) -> list[Group]:
    return list(
        Group.objects.filter(unit=unit, kind=GroupKind.CLASS, school_year=school_year).order_by(
            "grade", "name"
        )
    )


def _pupils(classes: list[Group], school_year: SchoolYear) -> dict[int, list[int]]:
    period = DateRange(school_year.starts, school_year.ends)
    out: dict[int, list[int]] = {g.pk: [] for g in classes}
    rows = (
        Placement.objects.overlapping(period)
        .filter(group__in=classes)
        .order_by("child__last_name", "child__first_name", "child_id")
        .values_list("group_id", "child_id")
    )
    for group_id, child_id in rows:
        if child_id not in out[group_id]:
            out[group_id].append(child_id)
    return out


def _teachers(unit: Unit, school_year: SchoolYear) -> list[Employment]:
    period = DateRange(school_year.starts, school_year.ends)
    return list(
        Employment.objects.overlapping(period)
        .filter(unit=unit, position=Position.TEACHER)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def timetable_generate(
    *, unit: Unit, school_year: SchoolYear, replace: bool = False, today: dt.date | None = None
) -> Timetable:
    """Build (or rebuild) the timetable model of `unit` for `school_year`.

    Rebuilding deletes the old model and its draft versions; it is refused once a version has
    been published (the published timetable refers to the lessons)."""
    if unit.kind != UnitKind.SCHOOL:
        raise DomainError(_("Timeplaner lages bare for skoler."), code="not_a_school")
    classes = _school_classes(unit, school_year)
    if not classes:
        raise DomainError(
            _("%(unit)s har ingen klasser i skoleåret %(year)s.")
            % {"unit": unit.name, "year": str(school_year)},
            code="no_classes",
        )
    teachers = _teachers(unit, school_year)
    if not teachers:
        raise DomainError(
            _("%(unit)s har ingen lærere i skoleåret %(year)s.")
            % {"unit": unit.name, "year": str(school_year)},
            code="no_teachers",
        )
    with transaction.atomic():
        Unit.objects.select_for_update().only("pk").get(pk=unit.pk)
        timetable, created = Timetable.objects.get_or_create(
            unit=unit, school_year=school_year, defaults={"municipality_id": unit.municipality_id}
        )
        if not created:
            versions = timetable.versions.all()
            if versions.exclude(status=VersionStatus.DRAFT).exists():
                raise ConflictError(
                    _("Grunnlaget kan ikke lages på nytt etter at en versjon er publisert."),
                    code="timetable_published",
                )
            if versions.exists() and not replace:
                raise ConflictError(
                    _("Timeplanen har utkast. Bekreft at utkastene skal slettes."),
                    code="timetable_has_drafts",
                )
            timetable.jobs.all().delete()
            versions.delete()
            timetable.constraints.all().delete()
            timetable.lessons.all().delete()
            timetable.courses.all().delete()
            timetable.grade_hours.all().delete()
            timetable.teaching_groups.all().delete()
            timetable.rooms.all().delete()
            timetable.subjects.all().delete()
            timetable.periods.all().delete()
        _Builder(timetable, unit, school_year, classes, teachers).run()
        timetable.generated_at = clock.now()
        timetable.revision += 1
        timetable.save(update_fields=["generated_at", "notes", "revision"])
    return timetable


class _Builder:
    def __init__(
        self,
        timetable: Timetable,
        unit: Unit,
        school_year: SchoolYear,
        classes: list[Group],
        teachers: list[Employment],
    ) -> None:
        self.tt = timetable
        self.unit = unit
        self.year = school_year
        self.classes = classes
        self.teachers = teachers
        self.data = subject_hours_table()
        self.notes: list[str] = []

    # -- the steps ---------------------------------------------------------------------

    def run(self) -> None:
        self.periods()
        self.subjects()
        self.rooms()
        self.groups()
        self.courses()
        self.assign_teachers()
        self.constraints()
        self.tt.notes = self.notes

    def periods(self) -> None:
        schedule = self.data["bell_schedule"]["1-7" if (self.unit.last_grade or 7) <= 7 else "1-10"]
        rows = []
        for i, (label, start, end, is_break) in enumerate(schedule):
            rows.append(
                Period(
                    timetable=self.tt,
                    index=i,
                    label=label if is_break else f"{label}. time",
                    starts=dt.time.fromisoformat(start),
                    ends=dt.time.fromisoformat(end),
                    is_break=is_break,
                )
            )
        Period.objects.bulk_create(rows)
        self.lesson_slots = self.tt.days * sum(1 for p in rows if not p.is_break)

    def subjects(self) -> None:
        grades = sorted({g.grade for g in self.classes if g.grade is not None})
        self.weekly = {g: dict(self.data["weekly_lessons"][str(g)]) for g in grades}
        used = {code for g in grades for code in self.weekly[g]}
        self.subject: dict[str, Subject] = {}
        for spec in self.data["subjects"]:
            if spec["code"] not in used:
                continue
            self.subject[spec["code"]] = Subject.objects.create(
                timetable=self.tt,
                code=spec["code"],
                grep_code=spec["grep"],
                name=spec["name"],
                colour=spec["colour"],
                room_kind=spec["room_kind"],
                double_lessons=spec["double"],
            )
        GradeHours.objects.bulk_create(
            [
                GradeHours(timetable=self.tt, grade=g, subject=self.subject[code], lessons=n)
                for g in grades
                for code, n in self.weekly[g].items()
            ]
        )

    def _room_kind(self, code: str, grade: int) -> str:
        kind = self.subject[code].room_kind
        if kind == RoomKind.SCIENCE and grade < 8:
            return RoomKind.ORDINARY  # barnetrinnet has science in the classroom
        return kind

    def rooms(self) -> None:
        self.home: dict[int, Room] = {}
        for g in self.classes:
            self.home[g.pk] = Room.objects.create(
                timetable=self.tt,
                name=f"Klasserom {g.name}",
                kind=RoomKind.ORDINARY,
                capacity=30,
                home_of=g,
            )
        demand: dict[str, int] = defaultdict(int)
        for g in self.classes:
            assert g.grade is not None
            for code, n in self.weekly[g.grade].items():
                kind = self._room_kind(code, g.grade)
                if kind != RoomKind.ORDINARY:
                    demand[kind] += n
        for kind, name in ROOM_NAMES.items():
            if not demand.get(kind):
                continue
            count = max(1, math.ceil(demand[kind] / (self.lesson_slots * ROOM_USE)))
            for i in range(count):
                Room.objects.create(
                    timetable=self.tt,
                    name=name if count == 1 else f"{name} {i + 1}",
                    kind=kind,
                    capacity=30,
                )
        if any((g.grade or 0) >= 8 for g in self.classes):
            # Elective groups outnumber classrooms when the groups are small: two group rooms.
            for i in (1, 2):
                Room.objects.create(
                    timetable=self.tt, name=f"Grupperom {i}", kind=RoomKind.ORDINARY, capacity=15
                )

    def groups(self) -> None:
        self.pupils = _pupils(self.classes, self.year)
        self.class_group: dict[int, TeachingGroup] = {}
        for g in self.classes:
            tg = TeachingGroup.objects.create(
                timetable=self.tt,
                name=g.name,
                kind=TeachingGroupKind.CLASS,
                size=len(self.pupils[g.pk]),
            )
            tg.classes.add(g)
            tg.members.add(*self.pupils[g.pk])
            self.class_group[g.pk] = tg
        # Electives across classes: valgfag for the whole stage, languages per grade.
        self.electives: list[tuple[str, list[TeachingGroup], int]] = []
        for code, spec in self.data["electives"].items():
            buckets: dict[str, list[Group]] = defaultdict(list)
            for g in self.classes:
                assert g.grade is not None
                if code not in self.weekly[g.grade]:
                    continue
                key = "8-10" if spec["across"] == "stage" else str(g.grade)
                buckets[key].append(g)
            for key, members in sorted(buckets.items()):
                label = (
                    f"{self.subject[code].name} {key.replace('-', '–')}"
                    if spec["across"] == "stage"
                    else f"{self.subject[code].name} {key}. trinn"
                )
                n_groups = max(2, min(len(spec["names"]), len(members)))
                groups = []
                for i in range(n_groups):
                    tg = TeachingGroup.objects.create(
                        timetable=self.tt,
                        name=f"{spec['names'][i]} ({key.replace('-', '–')})",
                        kind=TeachingGroupKind.ELECTIVE,
                        division=label,
                    )
                    tg.classes.add(*members)
                    groups.append(tg)
                size = [0] * n_groups
                for g in members:
                    for j, child in enumerate(self.pupils[g.pk]):
                        groups[j % n_groups].members.add(child)
                        size[j % n_groups] += 1
                for tg, n in zip(groups, size, strict=True):
                    tg.size = n
                    tg.save(update_fields=["size"])
                lessons = min(self.weekly[m.grade][code] for m in members if m.grade is not None)
                self.electives.append((code, groups, lessons))

    def _split(self, code: str, n: int) -> list[int]:
        if self.subject[code].double_lessons and n >= 2:
            return [2] * (n // 2) + [1] * (n % 2)
        return [1] * n

    def courses(self) -> None:
        self.course_rows: list[tuple[Course, int, set[int]]] = []  # course, lessons, class pks
        elective_codes = {code for code, _groups, _n in self.electives}
        for g in self.classes:
            assert g.grade is not None
            for code, n in self.weekly[g.grade].items():
                if code in elective_codes or n <= 0:
                    continue
                course = Course.objects.create(
                    timetable=self.tt,
                    subject=self.subject[code],
                    group=self.class_group[g.pk],
                    room_kind=self._room_kind(code, g.grade),
                )
                self._lessons(course, code, n)
                self.course_rows.append((course, n, {g.pk}))
        for code, groups, n in self.electives:
            key = groups[0].division
            for tg in groups:
                course = Course.objects.create(
                    timetable=self.tt,
                    subject=self.subject[code],
                    group=tg,
                    room_kind=RoomKind.ORDINARY,
                    parallel_key=key,
                )
                self._lessons(course, code, n)
                self.course_rows.append((course, n, set(tg.classes.values_list("pk", flat=True))))

    def _lessons(self, course: Course, code: str, n: int) -> None:
        Lesson.objects.bulk_create(
            [
                Lesson(timetable=self.tt, course=course, number=i + 1, duration=d)
                for i, d in enumerate(self._split(code, n))
            ]
        )

    def assign_teachers(self) -> None:
        data = self.data["teaching_load"]
        norm = data["1-7"] if (self.unit.last_grade or 7) <= 7 else data["8-10"]
        unstaffed = 0
        loads = {
            e.pk: _TeacherLoad(e, max(1, round(norm * float(e.percentage / Decimal(100)))))
            for e in self.teachers
        }
        assigned: dict[int, set[int]] = defaultdict(set)  # class pk -> employment pks
        contact: dict[int, list[int]] = defaultdict(list)
        for a in GroupAssignment.objects.filter(
            group__in=self.classes, employment__in=self.teachers
        ).order_by("pk"):
            assigned[a.group_id].add(a.employment_id)
            if a.role == AssignmentRole.CONTACT_TEACHER:
                contact[a.group_id].append(a.employment_id)

        def give(course: Course, n: int, classes: set[int], t: _TeacherLoad) -> None:
            course.teachers.add(t.employment)
            t.load += n
            t.subjects.add(course.subject.code)
            t.classes |= classes

        pending: list[tuple[Course, int, set[int]]] = []
        by_contact = sorted(
            self.course_rows,
            key=lambda r: (
                CONTACT_SUBJECTS.index(r[0].subject.code)
                if r[0].subject.code in CONTACT_SUBJECTS
                else 99
            ),
        )
        for course, n, classes in by_contact:
            chosen = None
            if course.subject.code in CONTACT_SUBJECTS and len(classes) == 1:
                for emp in contact.get(next(iter(classes)), []):
                    t = loads[emp]
                    if t.load + n <= t.capacity:
                        chosen = t
                        break
            if chosen is not None:
                give(course, n, classes, chosen)
            else:
                pending.append((course, n, classes))
        pending.sort(key=lambda r: (-r[1], r[0].pk))
        for course, n, classes in pending:
            code = course.subject.code
            near = set().union(*(assigned[c] for c in classes))

            def score(t: _TeacherLoad, n: int = n, near: set[int] = near, code: str = code) -> Any:
                fits = t.load + n <= t.capacity
                return (
                    0 if fits else 1,
                    0 if t.employment.pk in near else 1,
                    0 if code in t.subjects else 1,
                    t.load / t.capacity,
                    t.employment.pk,
                )

            options = [t for t in loads.values() if t.load + n <= t.capacity + SLACK]
            if options:
                give(course, n, classes, min(options, key=score))
            else:
                unstaffed += n
        if unstaffed:
            self.notes.append(
                ngettext(
                    "Lærerressursen dekker ikke timefordelingen: %(n)s time i uka har ingen "
                    "lærer ennå (ubemannet). Legg til lærere eller fordel timene.",
                    "Lærerressursen dekker ikke timefordelingen: %(n)s timer i uka har ingen "
                    "lærer ennå (ubemannet). Legg til lærere eller fordel timene.",
                    unstaffed,
                )
                % {"n": unstaffed}
            )

    def constraints(self) -> None:
        limits = self.data["max_lessons_per_day"]
        rows: list[TimetableConstraint] = []
        for g in self.classes:
            assert g.grade is not None
            tg = self.class_group[g.pk]
            young = g.grade <= 7
            rows.append(
                TimetableConstraint(
                    timetable=self.tt,
                    kind=ConstraintKind.CLASS_MAX_PER_DAY,
                    group=tg,
                    value=limits[str(g.grade)],
                )
            )
            # No gaps for pupils: hard by default in grades 1–7, soft above.
            rows.append(
                TimetableConstraint(
                    timetable=self.tt,
                    kind=ConstraintKind.CLASS_NO_GAPS,
                    group=tg,
                    hard=young,
                    weight=100 if young else 90,
                    value=0,
                )
            )
            rows.append(
                TimetableConstraint(
                    timetable=self.tt,
                    kind=ConstraintKind.CLASS_EARLY_START,
                    group=tg,
                    hard=young,
                    weight=100 if young else 80,
                    value=0 if g.grade <= 4 else 1,
                )
            )
        rows.append(
            TimetableConstraint(
                timetable=self.tt,
                kind=ConstraintKind.TEACHER_MAX_GAPS,
                hard=False,
                weight=50,
                value=4,
            )
        )
        rows.append(
            TimetableConstraint(
                timetable=self.tt,
                kind=ConstraintKind.TEACHER_MAX_PER_DAY,
                hard=False,
                weight=70,
                value=7,
            )
        )
        TimetableConstraint.objects.bulk_create(rows)
