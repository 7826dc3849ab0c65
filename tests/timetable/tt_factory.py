"""Tiny pure timetable instances for the solver, verifier and FET tests (no Django)."""

from __future__ import annotations

from collections.abc import Sequence

from oppvekst.timetable.engine.model import (
    Activity,
    Building,
    Constraint,
    Group,
    Instance,
    Room,
    Subgroup,
    Subject,
    Teacher,
    Year,
)


def act(
    aid: int,
    teachers: Sequence[str] = ("T1",),
    students: Sequence[str] = ("C1",),
    duration: int = 1,
    subject: str = "Norsk",
    tags: Sequence[str] = (),
    group_id: int = 0,
) -> Activity:
    return Activity(
        id=aid,
        duration=duration,
        subject=subject,
        teachers=tuple(teachers),
        students=tuple(students),
        tags=tuple(tags),
        group_id=group_id,
    )


def tiny(
    activities: Sequence[Activity],
    constraints: Sequence[Constraint] = (),
    days: int = 1,
    hours: int = 3,
    rooms: Sequence[Room] = (),
    years: Sequence[Year] | None = None,
    teachers: Sequence[str] | None = None,
) -> Instance:
    """An instance with classes C1..C3 (C3 split into C3-a and C3-b) unless ``years`` given."""
    if years is None:
        years = [
            Year("C1", 20),
            Year("C2", 20),
            Year("C3", 20, (Group("C3 all", 20, (Subgroup("C3-a", 10), Subgroup("C3-b", 10))),)),
        ]
    names = teachers or sorted({t for a in activities for t in a.teachers} | {"T1", "T2"})
    inst = Instance(
        name="tiny",
        days=[f"D{d}" for d in range(days)],
        hours=[f"H{h}" for h in range(hours)],
        activities=list(activities),
        teachers=[Teacher(n) for n in names],
        subjects=[Subject(s) for s in sorted({a.subject for a in activities} | {"Norsk"})],
        activity_tags=sorted({t for a in activities for t in a.tags}),
        years=list(years),
        buildings=[Building("B1"), Building("B2")],
        rooms=list(rooms),
        constraints=list(constraints),
    )
    inst.validate()
    return inst
