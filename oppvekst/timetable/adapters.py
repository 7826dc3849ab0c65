"""From the database to the pure model and back.

`build_instance(timetable)` turns the rows of one school's timetable into a pure
`model.Instance` (the solver and verifier never see Django). Names inside the instance are
stable keys (``T12`` teacher = employment 12, ``K5`` class = core.Group 5, ``R7`` room 7,
``c31`` constraint row 31 ...); `Built.describe()` turns any key the solver reports (a
conflicting constraint, a clash) into a Norwegian sentence for the page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oppvekst.staff.models import Employment
from oppvekst.timetable.engine import model as m
from oppvekst.timetable.models import (
    DAY_NAMES,
    ConstraintKind,
    Course,
    Lesson,
    LessonPlacement,
    Period,
    Room,
    RoomKind,
    TeachingGroup,
    TeachingGroupKind,
    Timetable,
    TimetableConstraint,
)


def teacher_key(employment_id: int) -> str:
    return f"T{employment_id}"


def class_key(group_id: int) -> str:
    return f"K{group_id}"


def room_key(room_id: int) -> str:
    return f"R{room_id}"


def _key_id(key: str) -> int:
    return int(re.sub(r"\D", "", key.split(":")[0]))


@dataclass
class Built:
    """The pure instance of a timetable plus what is needed to map results back."""

    timetable: Timetable
    instance: m.Instance
    periods: list[Period]
    lessons: dict[int, Lesson]
    courses: dict[int, Course]
    rooms: dict[int, Room]
    teachers: dict[int, Employment]
    class_names: dict[int, str]
    group_names: dict[int, str]
    labels: dict[str, str] = field(default_factory=dict)
    course_teachers: dict[int, list[int]] = field(default_factory=dict)
    course_classes: dict[int, list[int]] = field(default_factory=dict)
    course_rooms: dict[int, list[int]] = field(default_factory=dict)

    # -- names ---------------------------------------------------------------------------

    def teacher_name(self, employment_id: int) -> str:
        e = self.teachers.get(employment_id)
        return e.person.full_name if e is not None else f"#{employment_id}"

    def lesson_name(self, lesson_id: int) -> str:
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return f"#{lesson_id}"
        course = self.courses[lesson.course_id]
        return f"{course.subject.code} {self.group_names.get(course.group_id, '')}"

    def slot_name(self, day: int, period: int) -> str:
        day_name = str(DAY_NAMES[day]).lower() if 0 <= day < len(DAY_NAMES) else str(day)
        label = self.periods[period].label if 0 <= period < len(self.periods) else str(period)
        return f"{day_name} {label}"

    def students_name(self, key: str) -> str:
        """``K5`` or ``K5:G9`` or ``K5:S9_11`` (a subgroup) -> «5A» / «5A (Tysk)»."""
        parts = key.split(":")
        name = self.class_names.get(_key_id(parts[0]), parts[0])
        if len(parts) > 1 and parts[1].startswith("G"):
            return f"{name} ({self.group_names.get(int(parts[1][1:]), parts[1])})"
        if len(parts) > 1 and parts[1].startswith("S"):
            ids = [int(x) for x in parts[1][1:].split("_") if x]
            groups = ", ".join(self.group_names.get(i, str(i)) for i in ids)
            return f"{name} ({groups})"
        return name

    def describe(self, name: str) -> str:
        """A Norwegian sentence for a key the solver or the verifier reports."""
        if name in self.labels:
            return self.labels[name]
        match = re.fullmatch(r"no clash for teacher (T\d+)", name)
        if match:
            return _("%(teacher)s kan ikke ha to timer samtidig") % {
                "teacher": self.teacher_name(_key_id(match.group(1)))
            }
        match = re.fullmatch(r"no clash for students (\S+)", name)
        if match:
            return _("%(group)s kan ikke ha to timer samtidig") % {
                "group": self.students_name(match.group(1))
            }
        match = re.fullmatch(r"locked activity (\d+)", name)
        if match:
            return _("Låst time: %(lesson)s") % {"lesson": self.lesson_name(int(match.group(1)))}
        match = re.fullmatch(r"(teacher|subgroup|room) (\S+) clashes", name)
        if match:
            kind, key = match.groups()
            if kind == "teacher":
                who = self.teacher_name(_key_id(key))
            elif kind == "room":
                room = self.rooms.get(_key_id(key))
                who = room.name if room else key
            else:
                who = self.students_name(key)
            return _("%(who)s har to timer samtidig") % {"who": who}
        return name


def _slots(pairs: Iterable[object]) -> frozenset[m.Slot]:
    out: set[m.Slot] = set()
    for pair in pairs:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            out.add((int(pair[0]), int(pair[1])))
    return frozenset(out)


def build_instance(timetable: Timetable, *, locked_rooms: Mapping[int, int] | None = None) -> Built:
    """The pure model of `timetable` (a fixed number of queries, whatever its size).

    `locked_rooms` (lesson id -> room id) pins the room of locked lessons (the solver's
    `locked` option pins only the time)."""
    periods = list(timetable.periods.order_by("index"))
    lessons = {
        lesson.pk: lesson for lesson in Lesson.objects.filter(timetable=timetable).order_by("pk")
    }
    courses = {
        c.pk: c
        for c in Course.objects.filter(timetable=timetable)
        .select_related("subject", "group")
        .order_by("pk")
    }
    groups = {
        g.pk: g
        for g in TeachingGroup.objects.filter(timetable=timetable)
        .prefetch_related("classes")
        .order_by("pk")
    }
    rooms = {r.pk: r for r in Room.objects.filter(timetable=timetable).order_by("pk")}
    course_teachers: dict[int, list[int]] = defaultdict(list)
    for course_id, emp_id in Course.teachers.through.objects.filter(
        course__timetable=timetable
    ).values_list("course_id", "employment_id"):
        course_teachers[course_id].append(emp_id)
    rules = list(
        TimetableConstraint.objects.filter(timetable=timetable, active=True).order_by("pk")
    )
    teacher_ids = {e for ids in course_teachers.values() for e in ids} | {
        r.teacher_id for r in rules if r.teacher_id is not None
    }
    teachers = {
        e.pk: e for e in Employment.objects.filter(pk__in=teacher_ids).select_related("person")
    }
    group_names = {g.pk: g.name for g in groups.values()}
    classes: dict[int, str] = {}
    class_grade: dict[int, int] = {}
    for g in groups.values():
        for c in g.classes.all():
            classes[c.pk] = c.name
            class_grade[c.pk] = c.grade or 0

    built = Built(
        timetable=timetable,
        instance=m.Instance(name=str(timetable), days=[], hours=[], activities=[]),
        periods=periods,
        lessons=lessons,
        courses=courses,
        rooms=rooms,
        teachers=teachers,
        class_names=classes,
        group_names=group_names,
        course_teachers=dict(course_teachers),
    )
    labels = built.labels

    # -- students: a year per class; divisions (split/elective groups) as FET categories --
    divisions: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for g in groups.values():
        if g.kind in (TeachingGroupKind.SPLIT, TeachingGroupKind.ELECTIVE):
            for c in g.classes.all():
                divisions[c.pk][g.division].append(g.pk)
    class_size: dict[int, int] = defaultdict(int)
    for g in groups.values():
        if g.kind == TeachingGroupKind.CLASS:
            for c in g.classes.all():
                class_size[c.pk] = max(class_size[c.pk], g.size)
    years: list[m.Year] = []
    for class_id in sorted(classes, key=lambda c: (class_grade[c], classes[c])):
        cats = [sorted(v) for _k, v in sorted(divisions.get(class_id, {}).items())]
        size = class_size[class_id]
        if not cats:
            years.append(m.Year(class_key(class_id), size))
            continue
        combos = list(product(*cats))
        year_groups = []
        for cat in cats:
            for gid in cat:
                subs: tuple[m.Subgroup, ...] = ()
                if len(cats) > 1:
                    subs = tuple(
                        m.Subgroup(f"{class_key(class_id)}:S{'_'.join(map(str, combo))}")
                        for combo in combos
                        if gid in combo
                    )
                year_groups.append(m.Group(f"{class_key(class_id)}:G{gid}", 0, subs))
        years.append(m.Year(class_key(class_id), size, tuple(year_groups)))

    def students(group: TeachingGroup) -> tuple[str, ...]:
        ids = sorted(c.pk for c in group.classes.all())
        if group.kind in (TeachingGroupKind.CLASS, TeachingGroupKind.COMBINED):
            return tuple(class_key(c) for c in ids)
        return tuple(f"{class_key(c)}:G{group.pk}" for c in ids)

    built.course_classes = {
        cid: sorted(c.pk for c in groups[course.group_id].classes.all())
        for cid, course in courses.items()
    }

    # -- activities ------------------------------------------------------------------------
    activities = []
    for lesson in lessons.values():
        course = courses[lesson.course_id]
        activities.append(
            m.Activity(
                id=lesson.pk,
                duration=lesson.duration,
                subject=course.subject.code,
                teachers=tuple(teacher_key(t) for t in sorted(course_teachers.get(course.pk, []))),
                students=students(groups[course.group_id]),
                tags=(course.subject.code,),
                n_students=groups[course.group_id].size,
            )
        )
    lessons_by_course: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons.values():
        lessons_by_course[lesson.course_id].append(lesson)

    # -- constraints -----------------------------------------------------------------------
    n_days = timetable.days
    constraints: list[m.Constraint] = []
    breaks = frozenset((d, p.index) for d in range(n_days) for p in periods if p.is_break)
    if breaks:
        constraints.append(m.BreakTimes(slots=breaks, label="breaks"))
        labels["breaks"] = _("Ingen timer i friminutt og pauser")

    group_sets = {g.pk: students(g) for g in groups.values()}
    for rule in rules:
        key = f"c{rule.pk}"
        weight = m.HARD if rule.hard else float(min(rule.weight, 99))
        labels[key] = rule_label(rule, built)
        constraints.extend(_rule_constraints(rule, key, weight, group_sets, teacher_ids))

    # Lessons of a course on different days; parallel courses start together.
    parallel: dict[str, list[Course]] = defaultdict(list)
    for course in courses.values():
        ids = tuple(x.pk for x in sorted(lessons_by_course[course.pk], key=lambda x: x.number))
        if course.parallel_key:
            parallel[course.parallel_key].append(course)
        if 2 <= len(ids) <= n_days and course.min_days_apart >= 1 and course.spread_weight:
            key = f"spread{course.pk}"
            constraints.append(
                m.MinDaysBetween(
                    activities=ids,
                    min_days=course.min_days_apart,
                    consecutive_if_same_day=True,
                    weight=m.HARD if course.spread_weight >= 100 else float(course.spread_weight),
                    label=key,
                )
            )
            labels[key] = _("Timene i %(course)s på ulike dager") % {
                "course": f"{course.subject.code} {group_names[course.group_id]}"
            }
    for pkey, members in sorted(parallel.items()):
        lists = [
            sorted(lessons_by_course[c.pk], key=lambda x: (-x.duration, x.number)) for c in members
        ]
        for k in range(min(len(x) for x in lists)):
            acts = [x[k] for x in lists]
            if len({a.duration for a in acts}) != 1 or len(acts) < 2:
                continue
            key = f"par:{pkey}:{k + 1}"
            constraints.append(m.SameStartingTime(activities=tuple(a.pk for a in acts), label=key))
            labels[key] = _("Gruppene i %(block)s har time samtidig") % {"block": pkey}

    # Rooms: the class's own classroom, or a room of the kind the course needs.
    by_kind: dict[str, list[int]] = defaultdict(list)
    home: dict[int, int] = {}
    for r in rooms.values():
        by_kind[r.kind].append(r.pk)
        if r.home_of_id is not None:
            home[r.home_of_id] = r.pk
    for course in courses.values():
        group = groups[course.group_id]
        cand: list[int]
        if course.room_kind == RoomKind.ORDINARY:
            class_ids = built.course_classes[course.pk]
            if group.kind == TeachingGroupKind.CLASS and class_ids and class_ids[0] in home:
                cand = [home[class_ids[0]]]
            else:
                cand = sorted(by_kind.get(RoomKind.ORDINARY, []))
        else:
            cand = sorted(by_kind.get(course.room_kind, [])) or sorted(
                by_kind.get(RoomKind.ORDINARY, [])
            )
        built.course_rooms[course.pk] = cand
        ids = tuple(x.pk for x in lessons_by_course[course.pk])
        if not cand or not ids:
            continue
        key = f"room{course.pk}"
        constraints.append(
            m.PreferredRooms(activities=ids, rooms=tuple(room_key(r) for r in cand), label=key)
        )
        labels[key] = _("%(course)s i %(rooms)s") % {
            "course": f"{course.subject.code} {group.name}",
            "rooms": ", ".join(rooms[r].name for r in cand),
        }
    for lesson_id, room_id in (locked_rooms or {}).items():
        if lesson_id in lessons and room_id in rooms:
            key = f"lockroom{lesson_id}"
            constraints.append(
                m.PreferredRooms(activities=(lesson_id,), rooms=(room_key(room_id),), label=key)
            )
            labels[key] = _("Låst time %(lesson)s i %(room)s") % {
                "lesson": built.lesson_name(lesson_id),
                "room": rooms[room_id].name,
            }

    built.instance = m.Instance(
        name=str(timetable),
        days=[str(DAY_NAMES[d]) for d in range(n_days)],
        hours=[p.label for p in periods],
        activities=activities,
        teachers=[m.Teacher(teacher_key(t)) for t in sorted(teacher_ids)],
        subjects=[m.Subject(code) for code in sorted({c.subject.code for c in courses.values()})],
        activity_tags=sorted({c.subject.code for c in courses.values()}),
        years=years,
        rooms=[m.Room(room_key(r.pk), r.capacity, kind=r.kind) for r in rooms.values()],
        constraints=constraints,
    )
    return built


def _rule_constraints(
    rule: TimetableConstraint,
    key: str,
    weight: float,
    group_sets: Mapping[int, tuple[str, ...]],
    teacher_ids: set[int],
) -> list[m.Constraint]:
    kind = rule.kind
    value = rule.value or 0
    slots = _slots(rule.slots)
    teachers = (teacher_key(rule.teacher_id),) if rule.teacher_id else ()
    sets = group_sets.get(rule.group_id, ()) if rule.group_id else ()
    if kind == ConstraintKind.TEACHER_UNAVAILABLE and teachers and slots:
        return [
            m.NotAvailable(
                resource_kind="teacher", resource=teachers[0], slots=slots, weight=weight, label=key
            )
        ]
    if kind == ConstraintKind.CLASS_UNAVAILABLE and sets and slots:
        return [
            m.NotAvailable(
                resource_kind="students", resource=s, slots=slots, weight=weight, label=key
            )
            for s in sets
        ]
    if kind == ConstraintKind.ROOM_UNAVAILABLE and rule.room_id and slots:
        return [
            m.NotAvailable(
                resource_kind="room",
                resource=room_key(rule.room_id),
                slots=slots,
                weight=weight,
                label=key,
            )
        ]
    if kind == ConstraintKind.TEACHER_MAX_PER_DAY:
        return [
            m.MaxHoursDaily(
                resource_kind="teacher",
                resources=teachers,
                max_hours=value,
                weight=weight,
                label=key,
            )
        ]
    if kind == ConstraintKind.TEACHER_MAX_GAPS:
        return [
            m.MaxGapsPerWeek(
                resource_kind="teacher",
                resources=teachers,
                max_gaps=value,
                weight=weight,
                label=key,
            )
        ]
    if not sets and kind in (
        ConstraintKind.CLASS_MAX_PER_DAY,
        ConstraintKind.CLASS_MIN_PER_DAY,
        ConstraintKind.CLASS_NO_GAPS,
        ConstraintKind.CLASS_EARLY_START,
    ):
        return []
    if kind == ConstraintKind.CLASS_MAX_PER_DAY:
        return [
            m.MaxHoursDaily(
                resource_kind="students", resources=sets, max_hours=value, weight=weight, label=key
            )
        ]
    if kind == ConstraintKind.CLASS_MIN_PER_DAY:
        return [
            m.MinHoursDaily(
                resource_kind="students", resources=sets, min_hours=value, weight=weight, label=key
            )
        ]
    if kind == ConstraintKind.CLASS_NO_GAPS:
        return [
            m.MaxGapsPerWeek(
                resource_kind="students", resources=sets, max_gaps=value, weight=weight, label=key
            )
        ]
    if kind == ConstraintKind.CLASS_EARLY_START:
        return [
            m.EarlyMaxBeginningsAtSecondHour(
                resource_kind="students",
                resources=sets,
                max_beginnings=value,
                weight=weight,
                label=key,
            )
        ]
    if kind in (ConstraintKind.COURSE_PREFERRED_TIMES, ConstraintKind.COURSE_FORBIDDEN_TIMES):
        if rule.course_id is None or not slots:
            return []
        ids = tuple(Lesson.objects.filter(course_id=rule.course_id).values_list("pk", flat=True))
        if not ids:
            return []
        if kind == ConstraintKind.COURSE_FORBIDDEN_TIMES:
            all_slots = {
                (d, p.index)
                for d in range(rule.timetable.days)
                for p in rule.timetable.periods.all()
            }
            slots = frozenset(all_slots - slots)
        return [m.PreferredTimeSlots(activities=ids, slots=slots, weight=weight, label=key)]
    return []


def rule_label(rule: TimetableConstraint, built: Built) -> str:
    """«Ida Moe er ikke tilgjengelig mandag 1. time, mandag 2. time»."""
    slots = ", ".join(built.slot_name(d, p) for d, p in sorted(_slots(rule.slots)))
    who = ""
    if rule.teacher_id:
        who = built.teacher_name(rule.teacher_id)
    elif rule.group_id:
        who = built.group_names.get(rule.group_id, "")
    elif rule.room_id:
        room = built.rooms.get(rule.room_id)
        who = room.name if room else ""
    else:
        who = _("alle lærere")
    value = rule.value if rule.value is not None else 0
    kind = rule.kind
    if kind in (
        ConstraintKind.TEACHER_UNAVAILABLE,
        ConstraintKind.CLASS_UNAVAILABLE,
        ConstraintKind.ROOM_UNAVAILABLE,
    ):
        text = _("%(who)s er ikke tilgjengelig %(slots)s") % {"who": who, "slots": slots}
    elif kind in (ConstraintKind.TEACHER_MAX_PER_DAY, ConstraintKind.CLASS_MAX_PER_DAY):
        text = ngettext(
            "%(who)s har høyst %(n)s time per dag", "%(who)s har høyst %(n)s timer per dag", value
        ) % {"who": who, "n": value}
    elif kind == ConstraintKind.CLASS_MIN_PER_DAY:
        text = ngettext(
            "%(who)s har minst %(n)s time per dag", "%(who)s har minst %(n)s timer per dag", value
        ) % {"who": who, "n": value}
    elif kind == ConstraintKind.TEACHER_MAX_GAPS:
        text = _("%(who)s har høyst %(n)s hull i uka") % {"who": who, "n": value}
    elif kind == ConstraintKind.CLASS_NO_GAPS:
        text = _("Ingen hull i skoledagen for %(who)s") % {"who": who}
    elif kind == ConstraintKind.CLASS_EARLY_START:
        text = ngettext(
            "%(who)s begynner i første time (unntak: %(n)s dag)",
            "%(who)s begynner i første time (unntak: %(n)s dager)",
            value,
        ) % {"who": who, "n": value}
    elif kind == ConstraintKind.COURSE_PREFERRED_TIMES:
        text = _("Faget ligger helst %(slots)s") % {"slots": slots}
    elif kind == ConstraintKind.COURSE_FORBIDDEN_TIMES:
        text = _("Faget ligger ikke %(slots)s") % {"slots": slots}
    else:
        text = rule.get_kind_display()
    if rule.note:
        text = f"{text} ({rule.note})"
    return text


# -- solutions ---------------------------------------------------------------------------


def solution_from_placements(placements: Iterable[LessonPlacement]) -> m.Solution:
    sol = m.Solution()
    for p in placements:
        sol.placements[p.lesson_id] = m.Placement(
            p.day, p.period, room_key(p.room_id) if p.room_id else None
        )
    return sol


def room_id_of(key: str | None) -> int | None:
    return _key_id(key) if key else None
