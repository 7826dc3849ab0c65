"""Timetable test data built from the demo municipality (no conftest here: the pure tests in
this folder run without Django)."""

from __future__ import annotations

from typing import Any

from oppvekst import clock
from oppvekst.core.models import SchoolYear, Unit
from oppvekst.demo.models import DemoPersona
from oppvekst.staff.models import Employment, Position
from oppvekst.timetable import services
from oppvekst.timetable.adapters import build_instance, solution_from_placements
from oppvekst.timetable.engine.verify import verify
from oppvekst.timetable.generate import timetable_generate
from oppvekst.timetable.models import (
    LessonPlacement,
    Room,
    SolveJob,
    Timetable,
    TimetableVersion,
    VersionStatus,
)
from tests.conftest import DEMO_TODAY

# Seconds a test lets a solve run at most: far above what any of them needs on an idle machine.
CEILING = 120

# A solved timetable of the principal's school, by (subject, group, lesson number), so tests
# after the first one need not solve again. Only `solved_version` fills it, always with the same
# solve, so no test depends on which test happened to run first (what the tests assert holds
# for any valid timetable). One worker would make it reproducible but is far too slow to find
# the first timetable on a busy machine.
_SOLVED: dict[tuple[str, str, int], tuple[int, int, str | None]] = {}


def persona_user(slug: str) -> Any:
    return DemoPersona.objects.get(slug=slug).user


def principal_school() -> Unit:
    person = persona_user("principal").person
    unit = Employment.objects.get(person=person, position=Position.PRINCIPAL).unit
    assert unit is not None
    return unit


def other_school() -> Unit:
    """A school in another former municipality (Fet)."""
    unit = (
        Unit.objects.filter(municipality__number="0227", kind="school", first_grade=1)
        .order_by("pk")
        .first()
    )
    assert unit is not None
    return unit


def school_year() -> SchoolYear:
    return SchoolYear.objects.get(start_year=SchoolYear.start_year_for(DEMO_TODAY))


def generated(unit: Unit | None = None) -> Timetable:
    unit = unit or principal_school()
    existing = Timetable.objects.filter(unit=unit, school_year=school_year()).first()
    if existing is not None:
        return existing
    return timetable_generate(unit=unit, school_year=school_year())


def run_job(capture: Any, tt: Timetable, **options: Any) -> SolveJob:
    """Start a solve and run it now (the test settings use the immediate task backend; the
    task is enqueued when the transaction commits). The time limit is a ceiling, not a claim
    of speed: without optimisation the solve ends at its first timetable, proof of
    infeasibility or optimum, however busy the machine is."""
    defaults: dict[str, Any] = {"time_limit": CEILING, "workers": 2, "optimize": False}
    defaults.update(options)
    with capture(execute=True):
        job = services.solve_job_start(timetable=tt, user=None, **defaults)
    job.refresh_from_db()
    return job


def _key(p: LessonPlacement) -> tuple[str, str, int]:
    course = p.lesson.course
    return (course.subject.code, course.group.name, p.lesson.number)


def _remember(version: TimetableVersion) -> None:
    """Keep the solved version of the principal's school for later tests (see solved_version)."""
    if _SOLVED or version.hard_violations:
        return
    for p in LessonPlacement.objects.filter(version=version).select_related(
        "lesson__course__subject", "lesson__course__group", "room"
    ):
        _SOLVED[_key(p)] = (p.day, p.period, p.room.name if p.room else None)


def solved_version(capture: Any, tt: Timetable | None = None) -> TimetableVersion:
    """A solved draft of the principal's school (solved once per session, then copied)."""
    tt = tt or generated()
    if not _SOLVED:
        job = run_job(capture, tt)
        assert job.status == "solved", (job.status, job.message, job.conflict)
        version = job.result_version
        assert version is not None
        _remember(version)
        return version
    rooms = {r.name: r for r in Room.objects.filter(timetable=tt)}
    version = TimetableVersion.objects.create(
        timetable=tt, number=tt.versions.count() + 1, created_at=clock.now()
    )
    placements = []
    for lesson in tt.lessons.select_related("course__subject", "course__group"):
        day, period, room = _SOLVED[
            (lesson.course.subject.code, lesson.course.group.name, lesson.number)
        ]
        placements.append(
            LessonPlacement(
                version=version,
                lesson=lesson,
                day=day,
                period=period,
                room=rooms.get(room) if room else None,
            )
        )
    LessonPlacement.objects.bulk_create(placements)
    built = build_instance(tt)
    hard, soft, _ = verify(built.instance, solution_from_placements(placements))
    version.hard_violations, version.soft_penalty = hard, soft
    version.save(update_fields=["hard_violations", "soft_penalty"])
    return version


def unsolved_version(tt: Timetable, *, published: bool = False) -> TimetableVersion:
    """A version with every lesson in the first slot (fine where only access matters)."""
    version = TimetableVersion.objects.create(
        timetable=tt,
        number=tt.versions.count() + 1,
        created_at=clock.now(),
        status=VersionStatus.PUBLISHED if published else VersionStatus.DRAFT,
        published_at=tt.generated_at if published else None,
    )
    LessonPlacement.objects.bulk_create(
        [
            LessonPlacement(version=version, lesson=lesson, day=0, period=0)
            for lesson in tt.lessons.all()
        ]
    )
    return version
