"""Generating a school's timetable model from the foundation's data."""

from __future__ import annotations

import pytest

from oppvekst.core.models import Group, Unit
from oppvekst.errors import ConflictError, DomainError
from oppvekst.staff.models import Employment, GroupAssignment
from oppvekst.timetable.adapters import build_instance
from oppvekst.timetable.generate import subject_hours_table, timetable_generate
from oppvekst.timetable.models import (
    ConstraintKind,
    Course,
    GradeHours,
    Lesson,
    RoomKind,
    TeachingGroupKind,
)
from tests.timetable.helpers import principal_school, school_year, unsolved_version

pytestmark = pytest.mark.django_db


def test_subject_hours_table_meets_the_national_minimum_hours() -> None:
    data = subject_hours_table()
    per_week = data["weekly_lessons"]
    factor = data["school_weeks"] * data["lesson_minutes"] / 60
    for stage, minimum in data["minimum_hours"].items():
        first, last = (int(x) for x in stage.split("-"))
        for code, hours in minimum.items():
            given = sum(per_week[str(g)].get(code, 0) for g in range(first, last + 1)) * factor
            assert given >= hours, (stage, code, given, hours)


def test_generation_builds_classes_teachers_rooms_and_lessons_from_demo_data() -> None:
    unit = principal_school()
    tt = timetable_generate(unit=unit, school_year=school_year())
    classes = list(Group.objects.filter(unit=unit, kind="class", school_year=tt.school_year))
    groups = tt.teaching_groups.filter(kind=TeachingGroupKind.CLASS)
    assert {c.pk for g in groups for c in g.classes.all()} == {c.pk for c in classes}
    # every class has its weekly lessons from the subject-hours table
    table = subject_hours_table()["weekly_lessons"]
    for c in classes:
        courses = Course.objects.filter(timetable=tt, group__classes=c)
        lessons = sum(x.duration for x in Lesson.objects.filter(course__in=courses))
        assert lessons == sum(table[str(c.grade)].values())
        assert tt.rooms.filter(home_of=c, kind=RoomKind.ORDINARY).exists()
    assert GradeHours.objects.filter(timetable=tt).count() == sum(
        len(table[str(c.grade)]) for c in {c.grade: c for c in classes}.values()
    )
    # special rooms for the subjects that need them
    kinds = set(tt.rooms.values_list("kind", flat=True))
    assert {RoomKind.GYM, RoomKind.MUSIC, RoomKind.ARTS_CRAFTS, RoomKind.KITCHEN} <= kinds
    # teachers are the school's teachers; contact teachers teach their own class
    teachers = set(
        Employment.objects.filter(unit=unit, position="teacher").values_list("pk", flat=True)
    )
    used = set(
        Course.teachers.through.objects.filter(course__timetable=tt).values_list(
            "employment_id", flat=True
        )
    )
    assert used and used <= teachers
    contact = GroupAssignment.objects.filter(group=classes[0], role="contact_teacher").first()
    assert contact is not None
    assert Course.objects.filter(
        timetable=tt, group__classes=classes[0], teachers=contact.employment, subject__code="NOR"
    ).exists()
    # no gaps for pupils is hard in grades 1-7
    rule = tt.constraints.filter(kind=ConstraintKind.CLASS_NO_GAPS).first()
    assert rule is not None and rule.hard
    # the pure instance is consistent
    built = build_instance(tt)
    built.instance.validate()
    assert len(built.instance.activities) == tt.lessons.count()


def test_electives_across_classes_split_each_class_into_groups() -> None:
    unit = (
        Unit.objects.filter(kind="school", first_grade=1, last_grade=10, is_special_school=False)
        .order_by("pk")
        .first()
    )
    assert unit is not None
    tt = timetable_generate(unit=unit, school_year=school_year())
    electives = tt.teaching_groups.filter(kind=TeachingGroupKind.ELECTIVE)
    if not Group.objects.filter(unit=unit, grade__gte=8).exists():
        pytest.skip("the demo school has no pupils in grades 8-10")
    assert electives.count() >= 2
    built = build_instance(tt)
    built.instance.validate()
    first = electives.first()
    assert first is not None
    course = Course.objects.filter(group=first).first()
    assert course is not None and course.parallel_key
    # every elective group of a division occupies a different part of each class
    acts = [a for a in built.instance.activities if a.subject == course.subject.code]
    subgroup_sets = [built.instance.activity_subgroups(a) for a in acts]
    assert all(s for s in subgroup_sets)


def test_regeneration_needs_confirmation_when_drafts_exist_and_is_refused_after_publishing() -> (
    None
):
    unit = principal_school()
    tt = timetable_generate(unit=unit, school_year=school_year())
    unsolved_version(tt)
    with pytest.raises(ConflictError):
        timetable_generate(unit=unit, school_year=school_year())
    tt = timetable_generate(unit=unit, school_year=school_year(), replace=True)
    assert not tt.versions.exists()
    unsolved_version(tt, published=True)
    with pytest.raises(ConflictError):
        timetable_generate(unit=unit, school_year=school_year(), replace=True)


def test_kindergartens_get_no_timetable() -> None:
    kindergarten = Unit.objects.filter(kind="kindergarten").first()
    assert kindergarten is not None
    with pytest.raises(DomainError):
        timetable_generate(unit=kindergarten, school_year=school_year())
