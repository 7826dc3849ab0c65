"""CP-SAT solver and verifier on tiny instances: one per constraint type, random instances
(hypothesis), infeasibility explanations, warm start, locks, repair mode, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oppvekst.timetable.engine import model as m
from oppvekst.timetable.engine.solver import Progress, SolveOptions, solve
from oppvekst.timetable.engine.verify import verify
from tests.timetable.tt_factory import act, tiny

FAST = SolveOptions(time_limit=10, workers=1, optimize=False)


def run(inst: m.Instance, **kw: object) -> m.Solution:
    opts = SolveOptions(**{**FAST.__dict__, **kw})  # type: ignore[arg-type]
    res = solve(inst, opts)
    assert res.status == "solved", (res.status, res.message, res.conflict)
    assert res.solution is not None
    hard, _soft, details = verify(inst, res.solution)
    assert hard == 0, [d for d in details if d.hard]
    return res.solution


def sl(sol: m.Solution, aid: int) -> tuple[int, int]:
    p = sol.placements[aid]
    return (p.day, p.hour)


@dataclass
class Case:
    name: str
    inst: m.Instance
    holds: Callable[[m.Solution], bool]
    violating: dict[int, tuple[int, int, str | None]] = field(default_factory=dict)


def _solution(case: Case) -> m.Solution:
    return m.Solution({a: m.Placement(d, h, r) for a, (d, h, r) in case.violating.items()})


R = m.Room
ROOMS = [R("R1", 30, "B1"), R("R2", 30, "B1"), R("Small", 5, "B2")]


def cases() -> list[Case]:
    out: list[Case] = []
    # ---- whole-week and availability constraints
    out.append(
        Case(
            "break times",
            tiny([act(1, duration=2)], [m.BreakTimes(slots=frozenset({(0, 0)}), label="lunch")]),
            lambda s: sl(s, 1) == (0, 1),
            {1: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "teacher not available",
            tiny(
                [act(1)],
                [
                    m.NotAvailable(
                        resource_kind="teacher",
                        resource="T1",
                        slots=frozenset({(0, 0), (0, 1)}),
                        label="T1 away",
                    )
                ],
            ),
            lambda s: sl(s, 1) == (0, 2),
            {1: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "students set not available applies to its subgroups",
            tiny(
                [act(1, students=("C3-a",))],
                [
                    m.NotAvailable(
                        resource_kind="students",
                        resource="C3",
                        slots=frozenset({(0, 1), (0, 2)}),
                        label="C3 trip",
                    )
                ],
            ),
            lambda s: sl(s, 1) == (0, 0),
            {1: (0, 2, None)},
        )
    )
    out.append(
        Case(
            "room not available",
            tiny(
                [act(1)],
                [
                    m.PreferredRooms(activities=(1,), rooms=("R1",), label="in R1"),
                    m.NotAvailable(
                        resource_kind="room",
                        resource="R1",
                        slots=frozenset({(0, 0), (0, 2)}),
                        label="R1 closed",
                    ),
                ],
                rooms=ROOMS,
            ),
            lambda s: sl(s, 1) == (0, 1) and s.placements[1].room == "R1",
            {1: (0, 0, "R1")},
        )
    )
    out.append(
        Case(
            "preferred starting times",
            tiny([act(1)], [m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 2)}))]),
            lambda s: sl(s, 1) == (0, 2),
            {1: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "preferred time slots cover the whole activity",
            tiny(
                [act(1, duration=2)],
                [m.PreferredTimeSlots(activities=(1,), slots=frozenset({(0, 1), (0, 2)}))],
            ),
            lambda s: sl(s, 1) == (0, 1),
            {1: (0, 0, None)},
        )
    )
    # ---- relations between activities
    out.append(
        Case(
            "min days between",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [m.MinDaysBetween(activities=(1, 2), min_days=1, label="spread")],
                days=2,
            ),
            lambda s: s.placements[1].day != s.placements[2].day,
            {1: (0, 0, None), 2: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "max days between",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.MaxDaysBetween(activities=(1, 2), max_days=1, label="close"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 0)})),
                ],
                days=3,
            ),
            lambda s: s.placements[2].day <= 1,
            {1: (0, 0, None), 2: (2, 0, None)},
        )
    )
    out.append(
        Case(
            "same starting time",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.SameStartingTime(activities=(1, 2), label="parallel"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(1, 2)})),
                ],
                days=2,
            ),
            lambda s: sl(s, 2) == (1, 2),
            {1: (1, 2, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "same starting day",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.SameStartingDay(activities=(1, 2), label="same day"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(1, 0)})),
                ],
                days=2,
            ),
            lambda s: s.placements[2].day == 1,
            {1: (1, 0, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "same starting hour",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.SameStartingHour(activities=(1, 2), label="same hour"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 2)})),
                ],
                days=2,
            ),
            lambda s: s.placements[2].hour == 2,
            {1: (0, 2, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "not overlapping",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.NotOverlapping(activities=(1, 2), label="apart"),
                ],
                hours=2,
            ),
            lambda s: sl(s, 1) != sl(s, 2),
            {1: (0, 0, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "two activities consecutive",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.Consecutive(first=1, second=2, label="then"),
                    m.PreferredStartingTimes(activities=(2,), slots=frozenset({(0, 2), (0, 0)})),
                ],
            ),
            lambda s: sl(s, 1) == (0, 1) and sl(s, 2) == (0, 2),
            {1: (0, 0, None), 2: (0, 2, None)},
        )
    )
    out.append(
        Case(
            "three activities grouped",
            tiny(
                [
                    act(1),
                    act(2, teachers=("T2",), students=("C2",)),
                    act(3, teachers=("T3",), students=("C3",)),
                ],
                [
                    m.Grouped(activities=(1, 2, 3), label="block"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 1)})),
                ],
                hours=4,
            ),
            lambda s: sorted(p.hour for p in s.placements.values()) in ([0, 1, 2], [1, 2, 3]),
            {1: (0, 1, None), 2: (0, 0, None), 3: (0, 3, None)},
        )
    )
    out.append(
        Case(
            "two activities ordered",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.Ordered(first=1, second=2, label="first 1"),
                    m.PreferredStartingTimes(activities=(2,), slots=frozenset({(0, 0), (0, 1)})),
                ],
            ),
            lambda s: sl(s, 1) == (0, 0) and sl(s, 2) == (0, 1),
            {1: (0, 1, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "ordered if same day",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.Ordered(first=1, second=2, same_day_only=True, label="first 1 that day"),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 1)})),
                    m.PreferredStartingTimes(activities=(2,), slots=frozenset({(0, 0), (0, 2)})),
                ],
            ),
            lambda s: sl(s, 2) == (0, 2),
            {1: (0, 1, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "min gaps between",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.MinGapsBetween(activities=(1, 2), min_gaps=2, label="two apart"),
                ],
                hours=4,
            ),
            lambda s: abs(s.placements[1].hour - s.placements[2].hour) >= 3,
            {1: (0, 0, None), 2: (0, 2, None)},
        )
    )
    out.append(
        Case(
            "activity ends students day",
            tiny(
                [act(1), act(2, teachers=("T2",))],
                [
                    m.EndsStudentsDay(activities=(1,), label="last"),
                ],
                hours=2,
            ),
            lambda s: sl(s, 1) == (0, 1),
            {1: (0, 0, None), 2: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "occupy max time slots from selection",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.OccupyMaxTimeSlots(
                        activities=(1, 2),
                        slots=frozenset({(0, 0), (0, 1)}),
                        max_slots=1,
                        label="one morning slot",
                    ),
                ],
            ),
            lambda s: sum(p.hour < 2 for p in s.placements.values()) <= 1 or sl(s, 1) == sl(s, 2),
            {1: (0, 0, None), 2: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "max simultaneous in selected slots",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.MaxSimultaneous(
                        activities=(1, 2), slots=frozenset({(0, 0)}), max_activities=1
                    ),
                    m.PreferredStartingTimes(activities=(1, 2), slots=frozenset({(0, 0), (0, 1)})),
                ],
            ),
            lambda s: not (sl(s, 1) == sl(s, 2) == (0, 0)),
            {1: (0, 0, None), 2: (0, 0, None)},
        )
    )
    # ---- per teacher / students
    out.append(
        Case(
            "teacher max hours daily",
            tiny(
                [act(i, students=(f"C{1 + i % 2}",)) for i in range(1, 5)],
                [
                    m.MaxHoursDaily(resource_kind="teacher", resources=("T1",), max_hours=2),
                ],
                days=2,
            ),
            lambda s: all(sum(p.day == d for p in s.placements.values()) <= 2 for d in (0, 1)),
            {1: (0, 0, None), 2: (0, 1, None), 3: (0, 2, None), 4: (1, 0, None)},
        )
    )
    out.append(
        Case(
            "students min hours daily without empty days",
            tiny(
                [act(1), act(2, teachers=("T2",))],
                [
                    m.MinHoursDaily(
                        resource_kind="students",
                        resources=("C1",),
                        min_hours=1,
                        allow_empty_days=False,
                    ),
                ],
                days=2,
            ),
            lambda s: s.placements[1].day != s.placements[2].day,
            {1: (0, 0, None), 2: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "teacher min hours daily with empty days allowed",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MinHoursDaily(resource_kind="teacher", resources=("T1",), min_hours=2),
                ],
                days=2,
            ),
            lambda s: s.placements[1].day == s.placements[2].day,
            {1: (0, 0, None), 2: (1, 1, None)},
        )
    )
    out.append(
        Case(
            "max hours continuously",
            tiny(
                [act(i, students=(f"C{i}",)) for i in (1, 2, 3)],
                [
                    m.MaxHoursContinuously(resource_kind="teacher", max_hours=2),
                ],
                hours=4,
            ),
            lambda s: sorted(p.hour for p in s.placements.values()) not in ([0, 1, 2], [1, 2, 3]),
            {1: (0, 0, None), 2: (0, 1, None), 3: (0, 2, None)},
        )
    )
    out.append(
        Case(
            "teacher max days per week",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MaxDaysPerWeek(resource_kind="teacher", resources=("T1",), max_days=1),
                ],
                days=3,
            ),
            lambda s: s.placements[1].day == s.placements[2].day,
            {1: (0, 0, None), 2: (1, 0, None)},
        )
    )
    out.append(
        Case(
            "teacher min days per week",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MinDaysPerWeek(resource_kind="teacher", resources=("T1",), min_days=2),
                ],
                days=2,
            ),
            lambda s: s.placements[1].day != s.placements[2].day,
            {1: (0, 0, None), 2: (0, 1, None)},
        )
    )
    out.append(
        Case(
            "interval max days per week",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.IntervalMaxDaysPerWeek(
                        resource_kind="teacher",
                        resources=("T1",),
                        start_hour=0,
                        end_hour=1,
                        max_days=0,
                    ),
                ],
                days=2,
            ),
            lambda s: all(p.hour >= 1 for p in s.placements.values()),
            {1: (0, 0, None), 2: (1, 1, None)},
        )
    )
    out.append(
        Case(
            "students max gaps per week",
            tiny(
                [act(1), act(2, teachers=("T2",))],
                [
                    m.MaxGapsPerWeek(resource_kind="students", resources=("C1",), max_gaps=0),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 0)})),
                ],
                hours=4,
            ),
            lambda s: sl(s, 2) == (0, 1),
            {1: (0, 0, None), 2: (0, 2, None)},
        )
    )
    out.append(
        Case(
            "teacher max gaps per day",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MaxGapsPerDay(resource_kind="teacher", max_gaps=0),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 3)})),
                ],
                hours=4,
            ),
            lambda s: sl(s, 2) == (0, 2),
            {1: (0, 3, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "gaps do not count breaks",
            tiny(
                [act(1), act(2, teachers=("T2",))],
                [
                    m.MaxGapsPerWeek(resource_kind="students", resources=("C1",), max_gaps=0),
                    m.BreakTimes(slots=frozenset({(0, 1)})),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 0)})),
                    m.PreferredStartingTimes(activities=(2,), slots=frozenset({(0, 2), (0, 3)})),
                ],
                hours=4,
            ),
            lambda s: sl(s, 2) == (0, 2),
            {1: (0, 0, None), 2: (0, 3, None)},
        )
    )
    out.append(
        Case(
            "max span per day",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MaxSpanPerDay(resource_kind="teacher", max_span=2),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 0)})),
                ],
                hours=4,
            ),
            lambda s: sl(s, 2) == (0, 1),
            {1: (0, 0, None), 2: (0, 3, None)},
        )
    )
    out.append(
        Case(
            "min resting hours",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.MinRestingHours(resource_kind="teacher", min_hours=1),
                    m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 2)})),
                    m.PreferredStartingTimes(activities=(2,), slots=frozenset({(1, 0), (1, 1)})),
                ],
                days=2,
            ),
            lambda s: sl(s, 2) == (1, 1),
            {1: (0, 2, None), 2: (1, 0, None)},
        )
    )
    out.append(
        Case(
            "early max beginnings at second hour",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C1",))],
                [
                    m.EarlyMaxBeginningsAtSecondHour(
                        resource_kind="students", resources=("C1",), max_beginnings=0
                    ),
                ],
                days=2,
            ),
            lambda s: (
                all(p.hour == 0 for p in s.placements.values())
                or min(p.hour for p in s.placements.values()) == 0
            ),
            {1: (0, 1, None), 2: (1, 0, None)},
        )
    )
    # ---- space
    out.append(
        Case(
            "preferred rooms and capacity",
            tiny([act(1)], [m.PreferredRooms(activities=(1,), rooms=("Small", "R2"))], rooms=ROOMS),
            lambda s: s.placements[1].room == "R2",
            {1: (0, 0, "Small")},
        )
    )
    out.append(
        Case(
            "room clash",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.PreferredRooms(activities=(1, 2), rooms=("R1",)),
                ],
                hours=2,
                rooms=ROOMS,
            ),
            lambda s: sl(s, 1) != sl(s, 2),
            {1: (0, 0, "R1"), 2: (0, 0, "R1")},
        )
    )
    out.append(
        Case(
            "home room yields to a preferred room",
            tiny(
                [act(1), act(2, students=("C2",))],
                [
                    m.HomeRooms(activities=(1, 2), rooms=("R1",)),
                    m.PreferredRooms(activities=(2,), rooms=("R2",)),
                ],
                rooms=ROOMS,
            ),
            lambda s: s.placements[1].room == "R1" and s.placements[2].room == "R2",
            {1: (0, 0, "R2"), 2: (0, 1, "R2")},
        )
    )
    out.append(
        Case(
            "occupy max different rooms",
            tiny(
                [act(1), act(2, teachers=("T2",), students=("C2",))],
                [
                    m.PreferredRooms(activities=(1, 2), rooms=("R1", "R2")),
                    m.OccupyMaxDifferentRooms(activities=(1, 2), max_rooms=1),
                ],
                rooms=ROOMS,
            ),
            lambda s: s.placements[1].room == s.placements[2].room,
            {1: (0, 0, "R1"), 2: (0, 1, "R2")},
        )
    )
    out.append(
        Case(
            "same room if consecutive",
            tiny(
                [act(1), act(2, teachers=("T2",))],
                [
                    m.PreferredRooms(activities=(1, 2), rooms=("R1", "R2")),
                    m.SameRoomIfConsecutive(activities=(1, 2)),
                ],
                hours=2,
                rooms=ROOMS,
            ),
            lambda s: s.placements[1].room == s.placements[2].room,
            {1: (0, 0, "R1"), 2: (0, 1, "R2")},
        )
    )
    out.append(
        Case(
            "max building changes per day and min gaps between them",
            tiny(
                [act(1), act(2, students=("C2",)), act(3, students=("C1",))],
                [
                    m.PreferredRooms(activities=(1,), rooms=("R1",)),
                    m.PreferredRooms(activities=(2,), rooms=("Far",)),
                    m.PreferredRooms(activities=(3,), rooms=("R2", "Far")),
                    m.MaxBuildingChangesPerDay(resource_kind="teacher", max_changes=1),
                    m.MinGapsBetweenBuildingChanges(resource_kind="teacher", min_gaps=1),
                ],
                hours=4,
                rooms=[*ROOMS, R("Far", 30, "B2")],
            ),
            lambda s: (
                s.placements[3].room == "R2"
                and abs(s.placements[2].hour - s.placements[3].hour) >= 2
                and abs(s.placements[2].hour - s.placements[1].hour) >= 2
            ),
            {1: (0, 0, "R1"), 2: (0, 1, "Far"), 3: (0, 2, "R2")},
        )
    )
    out.append(
        Case(
            "max building changes per week",
            tiny(
                [act(1), act(2, students=("C2",)), act(3, students=("C1",))],
                [
                    m.PreferredRooms(activities=(1, 3), rooms=("R1",)),
                    m.PreferredRooms(activities=(2,), rooms=("Far",)),
                    m.MaxBuildingChangesPerWeek(resource_kind="teacher", max_changes=0),
                ],
                days=2,
                hours=3,
                rooms=[*ROOMS, R("Far", 30, "B2")],
            ),
            lambda s: s.placements[2].day not in (s.placements[1].day, s.placements[3].day),
            {1: (0, 0, "R1"), 2: (0, 1, "Far"), 3: (1, 2, "R1")},
        )
    )
    # ---- basic compulsory
    out.append(
        Case(
            "a year clashes with its subgroups",
            tiny([act(1, students=("C3",)), act(2, teachers=("T2",), students=("C3-b",))], hours=2),
            lambda s: sl(s, 1) != sl(s, 2),
            {1: (0, 0, None), 2: (0, 0, None)},
        )
    )
    out.append(
        Case(
            "a teacher teaches one lesson at a time",
            tiny([act(1), act(2, students=("C2",))], hours=2),
            lambda s: sl(s, 1) != sl(s, 2),
            {1: (0, 1, None), 2: (0, 1, None)},
        )
    )
    return out


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_solution_respects_each_constraint_type(case: Case) -> None:
    sol = run(case.inst)
    assert case.holds(sol), sol.placements


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_verifier_flags_a_timetable_that_breaks_the_constraint(case: Case) -> None:
    bad = _solution(case)
    for a in case.inst.activities:  # place the others somewhere harmless
        bad.placements.setdefault(a.id, m.Placement(0, 0))
    hard, _soft, details = verify(case.inst, bad)
    assert hard > 0, details


def test_soft_constraint_costs_its_weight_and_the_solver_avoids_it() -> None:
    inst = tiny(
        [act(1)],
        [
            m.PreferredStartingTimes(
                activities=(1,), slots=frozenset({(0, 1)}), weight=80, label="after breakfast"
            ),
        ],
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1, optimize=True))
    assert res.solution is not None and sl(res.solution, 1) == (0, 1)
    assert res.soft_penalty == 0
    off = m.Solution({1: m.Placement(0, 0)})
    assert verify(inst, off)[:2] == (0, 0.8)


def test_soft_constraint_may_be_broken_when_hard_ones_demand_it() -> None:
    inst = tiny(
        [act(1)],
        [
            m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 1)}), weight=50),
            m.NotAvailable(resource_kind="teacher", resource="T1", slots=frozenset({(0, 1)})),
        ],
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1, optimize=True))
    assert res.status == "solved" and res.solution is not None
    assert sl(res.solution, 1) != (0, 1)
    assert res.soft_penalty == 0.5


def test_soft_students_constraint_costs_its_weight_once_per_subgroup() -> None:
    # C3's two subgroups share both lessons: two back-to-back lab hours break "at most one
    # hour in a row" once for each subgroup, as FET counts it
    inst = tiny(
        [act(1, students=("C3",), tags=("lab",)), act(2, ("T2",), ("C3",), tags=("lab",))],
        [
            m.MaxHoursContinuously(resource_kind="students", max_hours=1, tag="lab", weight=60),
            m.PreferredTimeSlots(activities=(1, 2), slots=frozenset({(0, 0), (0, 1)})),
        ],
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1, optimize=True))
    assert res.status == "solved"
    assert res.objective == pytest.approx(1.2)
    assert res.soft_penalty == pytest.approx(1.2)


# --------------------------------------------------------------------------- infeasibility


def test_infeasible_instance_is_explained_by_the_conflicting_constraints() -> None:
    inst = tiny(
        [act(1), act(2, students=("C2",))],
        [
            m.PreferredStartingTimes(activities=(1,), slots=frozenset({(0, 0)}), label="A at 8"),
            m.PreferredStartingTimes(
                activities=(2,), slots=frozenset({(0, 0), (0, 1)}), label="B early"
            ),
            m.NotAvailable(
                resource_kind="teacher",
                resource="T1",
                slots=frozenset({(0, 1)}),
                label="T1 meeting",
            ),
            m.NotAvailable(
                resource_kind="teacher",
                resource="T2",
                slots=frozenset({(0, 2)}),
                label="irrelevant",
            ),
        ],
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert res.status == "infeasible"
    assert set(res.conflict) == {"A at 8", "B early", "T1 meeting", "no clash for teacher T1"}


def test_infeasibility_found_by_search_is_explained_too() -> None:
    # three lessons of T1 that must be on different days, but there are only two days
    inst = tiny(
        [act(1), act(2, students=("C2",)), act(3, students=("C1",), teachers=("T2",))],
        [
            m.MinDaysBetween(activities=(1, 2, 3), min_days=1, label="spread"),
            m.MaxHoursDaily(
                resource_kind="teacher", resources=("T2",), max_hours=3, label="unrelated"
            ),
        ],
        days=2,
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert res.status == "infeasible"
    assert res.conflict == ["spread"]


# --------------------------------------------------------------------------- options


def _week() -> m.Instance:
    acts = [act(i, teachers=(f"T{1 + i % 3}",), students=(f"C{1 + i % 2}",)) for i in range(1, 9)]
    return tiny(
        acts,
        [m.MinDaysBetween(activities=(1, 3), min_days=1)],
        days=3,
        hours=3,
        teachers=["T1", "T2", "T3"],
    )


def test_locked_activities_stay_where_they_are() -> None:
    inst = _week()
    sol = run(inst, locked={1: m.Placement(2, 1), 2: m.Placement(0, 0)})
    assert sl(sol, 1) == (2, 1) and sl(sol, 2) == (0, 0)


def test_locked_room_is_kept() -> None:
    inst = tiny(
        [act(1), act(2, students=("C2",), teachers=("T2",))],
        [m.PreferredRooms(activities=(1, 2), rooms=("R1", "R2"))],
        rooms=ROOMS,
    )
    sol = run(inst, locked={1: m.Placement(0, 2, "R2")})
    assert sol.placements[1] == m.Placement(0, 2, "R2")
    res = solve(inst, SolveOptions(time_limit=5, workers=1, locked={1: m.Placement(0, 2, "Small")}))
    assert res.status == "infeasible" and "locked activity 1" in res.conflict


def test_warm_start_hint_is_accepted_and_kept_when_optimal() -> None:
    inst = _week()
    first = run(inst)
    again = run(inst, hint=first, optimize=True)
    assert verify(inst, again)[0] == 0


def test_repair_mode_moves_only_what_a_new_unavailability_forces() -> None:
    inst = _week()
    before = run(inst, seed=3)
    d, h = sl(before, 4)
    teacher = inst.activity_by_id[4].teachers[0]
    changed = replace(
        inst,
        constraints=[
            *inst.constraints,
            m.NotAvailable(
                resource_kind="teacher",
                resource=teacher,
                slots=frozenset({(d, h)}),
                label="new meeting",
            ),
        ],
    )
    after = run(changed, previous=before, optimize=True, time_limit=10)
    moved = [a for a in before.placements if sl(before, a) != sl(after, a)]
    assert 4 in moved
    assert len(moved) <= 2


def test_progress_reports_solutions_found() -> None:
    seen: list[Progress] = []
    run(_week(), progress=seen.append)
    assert seen and seen[0].solutions == 1 and seen[0].elapsed >= 0


def test_same_seed_gives_the_same_timetable() -> None:
    inst = _week()
    a = run(inst, seed=5, workers=1)
    b = run(inst, seed=5, workers=1)
    assert a.placements == b.placements


# --------------------------------------------------------------------------- random instances


@st.composite
def random_instances(draw: st.DrawFn) -> m.Instance:
    days = draw(st.integers(1, 3))
    hours = draw(st.integers(2, 4))
    n = draw(st.integers(1, 7))
    acts = []
    for i in range(1, n + 1):
        acts.append(
            act(
                i,
                teachers=(draw(st.sampled_from(["T1", "T2", "T3"])),),
                students=(draw(st.sampled_from(["C1", "C2", "C3", "C3-a", "C3-b"])),),
                duration=draw(st.integers(1, min(2, hours))),
                tags=("lab",) if draw(st.booleans()) else (),
            )
        )
    ids = [a.id for a in acts]
    cons: list[m.Constraint] = []
    pool = st.sampled_from(
        [
            "na",
            "break",
            "mindays",
            "maxhours",
            "gaps",
            "same",
            "order",
            "pref",
            "cont",
            "early",
            "span",
            "room",
        ]
    )
    for k, kind in enumerate(draw(st.lists(pool, max_size=4))):
        w = draw(st.sampled_from([100.0, 100.0, 60.0]))
        slot = (draw(st.integers(0, days - 1)), draw(st.integers(0, hours - 1)))
        pair = tuple(draw(st.permutations(ids))[:2])
        if kind == "na":
            cons.append(
                m.NotAvailable(
                    resource_kind="teacher",
                    resource="T1",
                    slots=frozenset({slot}),
                    weight=w,
                    label=f"c{k}",
                )
            )
        elif kind == "break":
            cons.append(m.BreakTimes(slots=frozenset({slot}), weight=w, label=f"c{k}"))
        elif kind == "mindays" and len(pair) == 2:
            cons.append(
                m.MinDaysBetween(
                    activities=pair,
                    min_days=1,
                    weight=w,
                    consecutive_if_same_day=draw(st.booleans()),
                    label=f"c{k}",
                )
            )
        elif kind == "maxhours":
            cons.append(
                m.MaxHoursDaily(resource_kind="teacher", max_hours=2, weight=w, label=f"c{k}")
            )
        elif kind == "gaps":
            cons.append(
                m.MaxGapsPerWeek(resource_kind="students", max_gaps=0, weight=w, label=f"c{k}")
            )
        elif kind == "same" and len(pair) == 2:
            cons.append(m.SameStartingDay(activities=pair, weight=w, label=f"c{k}"))
        elif kind == "order" and len(pair) == 2:
            cons.append(m.Ordered(first=pair[0], second=pair[1], weight=w, label=f"c{k}"))
        elif kind == "pref":
            cons.append(
                m.PreferredStartingTimes(
                    activities=(ids[0],), slots=frozenset({slot}), weight=w, label=f"c{k}"
                )
            )
        elif kind == "cont":
            cons.append(
                m.MaxHoursContinuously(
                    resource_kind="students", max_hours=1, tag="lab", weight=w, label=f"c{k}"
                )
            )
        elif kind == "early":
            cons.append(
                m.EarlyMaxBeginningsAtSecondHour(
                    resource_kind="students", max_beginnings=1, weight=w, label=f"c{k}"
                )
            )
        elif kind == "span":
            cons.append(
                m.MaxSpanPerDay(resource_kind="teacher", max_span=3, weight=w, label=f"c{k}")
            )
        elif kind == "room":
            cons.append(
                m.PreferredRooms(
                    activities=tuple(ids[:2]), rooms=("R1", "R2"), weight=w, label=f"c{k}"
                )
            )
    return tiny(acts, cons, days=days, hours=hours, rooms=ROOMS, teachers=["T1", "T2", "T3"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_instances())
def test_every_solution_of_a_random_instance_has_no_hard_violation(inst: m.Instance) -> None:
    res = solve(inst, SolveOptions(time_limit=5, workers=1, optimize=True, explain=False))
    assert res.status in ("solved", "infeasible")
    if res.status == "solved":
        assert res.solution is not None
        hard, _soft, details = verify(inst, res.solution)
        assert hard == 0, [d for d in details if d.hard]
        # the solver's objective bounds the independent verifier's soft penalty from above
        assert res.objective is not None
        assert res.soft_penalty is not None
        assert res.soft_penalty <= res.objective + 1e-6
