"""The searches that race inside ``solve``: each returns only valid timetables."""

from __future__ import annotations

import time
from dataclasses import replace

from oppvekst.timetable.engine import model as m
from oppvekst.timetable.engine import solver as s
from oppvekst.timetable.engine.solver import SolveOptions, solve
from oppvekst.timetable.engine.verify import verify
from tests.timetable.tt_factory import act, tiny


def gappy_teacher() -> m.Instance:
    # T1 teaches C1 and C2 twice each in a 1-day, 6-hour week. C1 is free only at hours
    # 0-1 and C2 only at hours 3-5 (not available elsewhere), so T1 has a gap unless the
    # lessons sit at hours 0-1 and 3-4 with the break at 2: one gap a day is the least.
    return tiny(
        [act(1), act(2), act(3, students=("C2",)), act(4, students=("C2",))],
        [
            m.NotAvailable(
                resource_kind="students",
                resource="C1",
                slots=frozenset({(0, h) for h in (2, 3, 4, 5)}),
            ),
            m.NotAvailable(
                resource_kind="students",
                resource="C2",
                slots=frozenset({(0, h) for h in (0, 1, 2)}),
            ),
            m.MaxGapsPerDay(resource_kind="teacher", max_gaps=1, label="T1 max one gap"),
            m.MaxGapsPerWeek(resource_kind="teacher", max_gaps=1, label="T1 week"),
            m.PreferredStartingTimes(activities=(3,), slots=frozenset({(0, 3), (0, 5)}), weight=50),
        ],
        days=1,
        hours=6,
    )


def test_the_soft_gaps_search_returns_only_timetables_within_the_gap_limits() -> None:
    inst = gappy_teacher()
    opts = SolveOptions(time_limit=10, workers=2, optimize=False, explain=False)
    b = s._Builder(inst, opts, explain=False, soft_gaps=True)
    b.build()
    assert b.hard_viol, "the teachers' gap limits are in the objective"
    res = s._race(b, [], time.monotonic())
    assert res.status == "solved" and res.solution is not None
    hard, _soft, details = verify(inst, res.solution)
    assert hard == 0, details


def test_a_school_with_teacher_gap_limits_is_solved_by_the_race() -> None:
    inst = gappy_teacher()
    res = solve(inst, SolveOptions(time_limit=10, workers=2, optimize=True))
    assert res.status == "solved" and res.solution is not None
    assert verify(inst, res.solution)[0] == 0
    assert res.objective is not None and res.soft_penalty is not None
    assert res.soft_penalty <= res.objective + 1e-9


def test_two_gaps_where_one_is_allowed_is_infeasible_and_explained() -> None:
    inst = gappy_teacher()
    no_gaps = m.MaxGapsPerDay(resource_kind="teacher", max_gaps=0, label="T1 no gaps")
    tighter = replace(inst, constraints=[*inst.constraints, no_gaps])
    res = solve(tighter, SolveOptions(time_limit=10, workers=2))
    assert res.status == "infeasible"
    assert "T1 no gaps" in res.conflict
