"""Read-only checks for moving a lesson by hand: what a move would break and why, in words.

Pages ask these before anything changes (the move targets of a lesson), and the move service
asks them again inside its transaction; nothing here writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from oppvekst.timetable.adapters import Built, room_id_of, room_key
from oppvekst.timetable.engine import model as m
from oppvekst.timetable.engine.moves import (
    Conflict,
    MoveCheck,
    Occupancy,
    check_swap,
    moved,
    swap_partner,
)
from oppvekst.timetable.engine.verify import Violation, verify


def conflict_text(built: Built, c: Conflict) -> str:
    """One Norwegian clause per reason a move is refused."""
    other = built.lesson_name(c.other) if c.other is not None else ""
    if c.kind == "teacher":
        return _("%(teacher)s har %(lesson)s da") % {
            "teacher": built.teacher_name(int(c.resource[1:])),
            "lesson": other,
        }
    if c.kind == "students":
        return _("%(group)s har %(lesson)s da") % {
            "group": built.students_name(c.resource),
            "lesson": other,
        }
    if c.kind == "room":
        room = built.rooms.get(room_id_of(c.resource) or 0)
        return _("%(room)s er opptatt av %(lesson)s") % {
            "room": room.name if room else c.resource,
            "lesson": other,
        }
    if c.kind == "break":
        return _("tiden er friminutt eller pause")
    if c.kind == "bounds":
        return _("timen går utenfor skoledagen")
    if c.kind == "locked":
        return _("timen er låst – lås den opp først")
    return built.describe(c.resource)


def refusal_message(built: Built, lesson_id: int, check: MoveCheck) -> str:
    reasons = "; ".join(conflict_text(built, c) for c in check.conflicts)
    return _("%(lesson)s kan ikke flyttes til %(slot)s: %(reasons)s.") % {
        "lesson": built.lesson_name(lesson_id),
        "slot": built.slot_name(check.day, check.hour),
        "reasons": reasons,
    }


def _hard_keys(violations: list[Violation]) -> Counter[str]:
    out: Counter[str] = Counter()
    for v in violations:
        if v.hard:
            key = v.detail if v.constraint.startswith("Basic") and v.detail else v.constraint
            out[key] += max(1, int(v.amount))
    return out


def hard_keys(built: Built, solution: m.Solution) -> Counter[str]:
    return _hard_keys(verify(built.instance, solution)[2])


def new_hard_violations(
    built: Built, before: m.Solution | Counter[str], after: m.Solution
) -> list[str]:
    """Hard rules `after` breaks more than `before` (as Norwegian sentences). `before` may be
    given as its `hard_keys` (when many moves are compared with one timetable)."""
    k1 = before if isinstance(before, Counter) else hard_keys(built, before)
    k2 = hard_keys(built, after)
    return [built.describe(k) for k in k2 if k2[k] > k1.get(k, 0)]


def _candidates(built: Built, lesson_id: int) -> list[str]:
    course_id = built.lessons[lesson_id].course_id
    return [room_key(r) for r in built.course_rooms.get(course_id, [])]


@dataclass
class MovePlan:
    """What moving one lesson to a slot would do: a plain move, a swap with the lesson that is
    there, or a refusal (with the reasons of the plain move)."""

    lesson_id: int
    check: MoveCheck
    changes: list[tuple[int, MoveCheck]]
    swap_with: int | None = None

    @property
    def ok(self) -> bool:
        return bool(self.changes)


def plan_move(
    built: Built,
    sol: m.Solution,
    lesson_id: int,
    day: int,
    period: int,
    *,
    locked: set[int],
    occupancy: Occupancy | None = None,
) -> MovePlan:
    occ = occupancy or Occupancy(built.instance, sol, lesson_id)
    check = occ.check(day, period, _candidates(built, lesson_id), lesson_id in locked)
    if check.ok:
        return MovePlan(lesson_id, check, [(lesson_id, check)])
    other = swap_partner(built.instance, sol, lesson_id, check)
    if other is not None and lesson_id not in locked and other not in locked:
        first, second = check_swap(
            built.instance,
            sol,
            lesson_id,
            other,
            rooms=_candidates(built, lesson_id),
            other_rooms=_candidates(built, other),
        )
        if first.ok and second.ok:
            return MovePlan(lesson_id, check, [(lesson_id, first), (other, second)], other)
    return MovePlan(lesson_id, check, [])


def apply_plan(sol: m.Solution, plan: MovePlan) -> m.Solution:
    for lesson_id, check in plan.changes:
        sol = moved(sol, lesson_id, check)
    return sol
