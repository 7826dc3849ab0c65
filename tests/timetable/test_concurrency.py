"""Two leaders moving lessons of one draft at the same moment cannot double-book a teacher:
the version row lock serialises the moves (PostgreSQL; SQLite serialises writes anyway)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from oppvekst import clock
from oppvekst.core.models import Group, GroupKind, SchoolYear, UnitKind
from oppvekst.staff.models import AssignmentRole, Employment, GroupAssignment, Position
from oppvekst.timetable import services
from oppvekst.timetable.generate import timetable_generate
from oppvekst.timetable.models import LessonPlacement, TimetableVersion
from tests import factories

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent row locks: PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_cannot_double_book_a_teacher() -> None:
    muni = factories.municipality()
    school = factories.unit(muni, UnitKind.SCHOOL, first_grade=1, last_grade=2)
    year, _ = SchoolYear.objects.get_or_create(start_year=2026)
    start, end = year.starts, year.ends
    classes = [
        Group.objects.create(
            unit=school,
            municipality=muni,
            kind=GroupKind.CLASS,
            name=f"{g}A",
            school_year=year,
            grade=g,
            valid_from=start,
            valid_to=end,
        )
        for g in (1, 2)
    ]
    teacher = Employment.objects.create(
        person=factories.person(dt.date(1980, 1, 1), "Lærer", "Lærersen"),
        municipality=muni,
        unit=school,
        position=Position.TEACHER,
        percentage=Decimal(100),
        valid_from=dt.date(2020, 1, 1),
    )
    for g in classes:
        GroupAssignment.objects.create(
            employment=teacher,
            person=teacher.person,
            group=g,
            role=AssignmentRole.CONTACT_TEACHER,
            valid_from=start,
        )
    tt = timetable_generate(unit=school, school_year=year)
    a = tt.lessons.filter(course__group__classes=classes[0], course__teachers=teacher).first()
    b = tt.lessons.filter(course__group__classes=classes[1], course__teachers=teacher).first()
    assert a is not None and b is not None and a.duration == b.duration == 1
    version = TimetableVersion.objects.create(timetable=tt, number=1, created_at=clock.now())
    pa = LessonPlacement.objects.create(version=version, lesson=a, day=0, period=0)
    pb = LessonPlacement.objects.create(version=version, lesson=b, day=1, period=0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(placement_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.placement_move(
                version_id=version.pk, placement_id=placement_id, day=2, period=0
            )
            outcomes.append("ok")
        except services.MoveRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p.pk,)) for p in (pa, pb)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # Serialised, the second move sees the first: it is refused, or (the lesson being where
    # it wants to go) the two trade places. Never both at once in one slot.
    assert len(outcomes) == 2 and "ok" in outcomes
    slots = [(p.day, p.period) for p in LessonPlacement.objects.filter(version=version)]
    assert len(set(slots)) == 2 and (2, 0) in slots
