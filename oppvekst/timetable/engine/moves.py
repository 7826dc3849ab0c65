"""Fast conflict checks for moving one lesson by hand (pure: no Django).

A move is refused when the lesson would clash with another lesson of one of its teachers,
pupils (any subgroup) or its room, cover a break, fall outside the day, meet a hard
unavailability or hard time rule, or when the lesson is locked. Everything else the verifier
counts (gaps, spreads, ...) is reported by the caller as a warning, not a refusal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import (
    BreakTimes,
    Instance,
    NotAvailable,
    Placement,
    PreferredStartingTimes,
    PreferredTimeSlots,
    Slot,
    Solution,
)


@dataclass(frozen=True)
class Conflict:
    kind: str
    """teacher | students | room | break | unavailable | time | bounds | locked | no_room"""
    resource: str = ""
    """Teacher/subgroup/room key, or the label of the constraint."""
    other: int | None = None
    """The activity it clashes with."""


@dataclass
class MoveCheck:
    day: int
    hour: int
    room: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts


class Occupancy:
    """Who is busy when, for every placed activity except the one being moved."""

    def __init__(self, inst: Instance, sol: Solution, moving: int) -> None:
        self.inst = inst
        self.sol = sol
        self.moving = inst.activity_by_id[moving]
        self.subgroups = inst.activity_subgroups(self.moving)
        self.teacher: dict[tuple[str, Slot], int] = {}
        self.students: dict[tuple[str, Slot], int] = {}
        self.room: dict[tuple[str, Slot], int] = {}
        teachers = set(self.moving.teachers)
        for a in inst.activities:
            p = sol.placements.get(a.id)
            if a.id == moving or p is None:
                continue
            cover = [(p.day, p.hour + k) for k in range(a.duration)]
            for t in a.teachers:
                if t in teachers:
                    for s in cover:
                        self.teacher[(t, s)] = a.id
            shared = inst.activity_subgroups(a) & self.subgroups
            for g in shared:
                for s in cover:
                    self.students[(g, s)] = a.id
            if p.room is not None:
                for s in cover:
                    self.room[(p.room, s)] = a.id
        self.breaks: set[Slot] = set()
        self.unavailable: list[tuple[str, frozenset[Slot]]] = []
        self.room_na: dict[str, list[tuple[str, frozenset[Slot]]]] = defaultdict(list)
        self.allowed_starts: list[tuple[str, frozenset[Slot]]] = []
        self.allowed_slots: list[tuple[str, frozenset[Slot]]] = []
        sets = inst.students_sets
        for c in inst.constraints:
            if not c.hard:
                continue
            if isinstance(c, BreakTimes):
                self.breaks |= c.slots
            elif isinstance(c, NotAvailable):
                if (c.resource_kind == "teacher" and c.resource in teachers) or (
                    c.resource_kind == "students"
                    and sets.get(c.resource, frozenset()) & (self.subgroups)
                ):
                    self.unavailable.append((c.describe(), c.slots))
                elif c.resource_kind == "room":
                    self.room_na[c.resource].append((c.describe(), c.slots))
            elif isinstance(c, PreferredStartingTimes) and moving in c.activities:
                self.allowed_starts.append((c.describe(), c.slots))
            elif isinstance(c, PreferredTimeSlots) and moving in c.activities:
                self.allowed_slots.append((c.describe(), c.slots))

    def check(
        self,
        day: int,
        hour: int,
        room_candidates: Sequence[str] = (),
        locked: bool = False,
    ) -> MoveCheck:
        a = self.moving
        current = self.sol.placements.get(a.id)
        out = MoveCheck(day, hour, current.room if current else None)
        if locked:
            out.conflicts.append(Conflict("locked"))
        if not (
            0 <= day < self.inst.n_days and hour >= 0 and hour + a.duration <= self.inst.n_hours
        ):
            out.conflicts.append(Conflict("bounds"))
            return out
        cover = [(day, hour + k) for k in range(a.duration)]
        for s in cover:
            if s in self.breaks:
                out.conflicts.append(Conflict("break"))
                break
        for label, slots in self.unavailable:
            if any(s in slots for s in cover):
                out.conflicts.append(Conflict("unavailable", label))
        for label, slots in self.allowed_starts:
            if (day, hour) not in slots:
                out.conflicts.append(Conflict("time", label))
        for label, slots in self.allowed_slots:
            if any(s not in slots for s in cover):
                out.conflicts.append(Conflict("time", label))
        seen: set[tuple[str, str]] = set()
        for t in a.teachers:
            for s in cover:
                other = self.teacher.get((t, s))
                if other is not None and ("teacher", t) not in seen:
                    seen.add(("teacher", t))
                    out.conflicts.append(Conflict("teacher", t, other))
        for g in sorted(self.subgroups):
            for s in cover:
                other = self.students.get((g, s))
                if other is not None and ("students", str(other)) not in seen:
                    seen.add(("students", str(other)))
                    out.conflicts.append(Conflict("students", g, other))
        out.room = self._room(cover, out.room, room_candidates, out.conflicts)
        return out

    def _room_free(self, room: str, cover: Iterable[Slot]) -> tuple[bool, Conflict | None]:
        for s in cover:
            other = self.room.get((room, s))
            if other is not None:
                return False, Conflict("room", room, other)
        for label, slots in self.room_na.get(room, []):
            if any(s in slots for s in cover):
                return False, Conflict("unavailable", label)
        return True, None

    def _room(
        self,
        cover: list[Slot],
        current: str | None,
        candidates: Sequence[str],
        conflicts: list[Conflict],
    ) -> str | None:
        order = list(candidates)
        if current is not None and (not order or current in order):
            order = [current] + [r for r in order if r != current]
        if not order:
            return None
        first: Conflict | None = None
        for room in order:
            free, why = self._room_free(room, cover)
            if free:
                return room
            first = first or why
        if first is not None:
            conflicts.append(first)
        return order[0]


def moved(sol: Solution, activity: int, check: MoveCheck) -> Solution:
    new = Solution(dict(sol.placements))
    new.placements[activity] = Placement(check.day, check.hour, check.room)
    return new


def broken_activities(inst: Instance, sol: Solution) -> set[int]:
    """Activities whose placement breaks a clash, break, bounds or hard unavailability rule
    (or that are not placed at all): the starting point of a repair."""
    broken: set[int] = set()
    busy: dict[tuple[str, str, Slot], list[int]] = defaultdict(list)
    breaks: set[Slot] = set()
    unavailable: dict[tuple[str, str], set[Slot]] = defaultdict(set)
    sets = inst.students_sets
    for c in inst.constraints:
        if not c.hard:
            continue
        if isinstance(c, BreakTimes):
            breaks |= c.slots
        elif isinstance(c, NotAvailable):
            if c.resource_kind == "students":
                for g in sets.get(c.resource, frozenset()):
                    unavailable[("students", g)] |= c.slots
            else:
                unavailable[(c.resource_kind, c.resource)] |= c.slots
    for a in inst.activities:
        p = sol.placements.get(a.id)
        if p is None or not (
            0 <= p.day < inst.n_days and p.hour >= 0 and p.hour + a.duration <= inst.n_hours
        ):
            broken.add(a.id)
            continue
        resources = [("teacher", t) for t in a.teachers]
        resources += [("students", g) for g in inst.activity_subgroups(a)]
        if p.room is not None:
            resources.append(("room", p.room))
        for k in range(a.duration):
            slot = (p.day, p.hour + k)
            if slot in breaks:
                broken.add(a.id)
            for kind, name in resources:
                busy[(kind, name, slot)].append(a.id)
                if slot in unavailable.get((kind, name), ()):
                    broken.add(a.id)
    for ids in busy.values():
        if len(ids) > 1:
            broken.update(ids)
    return broken


def neighbourhood(inst: Instance, seeds: Iterable[int]) -> set[int]:
    """The seeds and every activity sharing a teacher or pupils with one of them."""
    seeds = set(seeds)
    teachers: set[str] = set()
    pupils: set[str] = set()
    for aid in seeds:
        a = inst.activity_by_id[aid]
        teachers.update(a.teachers)
        pupils |= inst.activity_subgroups(a)
    return seeds | {
        a.id
        for a in inst.activities
        if teachers.intersection(a.teachers) or pupils & inst.activity_subgroups(a)
    }


def swap_partner(inst: Instance, sol: Solution, activity: int, check: MoveCheck) -> int | None:
    """The one lesson a refused move only collides with, when the two could trade places:
    it starts exactly at the target, has the same length, and every conflict is with it."""
    if not check.conflicts or any(
        c.kind not in ("teacher", "students", "room") for c in check.conflicts
    ):
        return None
    others = {c.other for c in check.conflicts}
    if len(others) != 1:
        return None
    other = others.pop()
    if other is None or other == activity:
        return None
    p = sol.placements.get(other)
    a, b = inst.activity_by_id[activity], inst.activity_by_id[other]
    if p is None or (p.day, p.hour) != (check.day, check.hour) or a.duration != b.duration:
        return None
    return other


def check_swap(
    inst: Instance,
    sol: Solution,
    activity: int,
    other: int,
    *,
    rooms: Sequence[str] = (),
    other_rooms: Sequence[str] = (),
    locked: bool = False,
    other_locked: bool = False,
) -> tuple[MoveCheck, MoveCheck]:
    """Both halves of trading places: `activity` to `other`'s start and back."""
    pa, pb = sol.placements[activity], sol.placements[other]
    without_other = Solution({k: v for k, v in sol.placements.items() if k != other})
    first = Occupancy(inst, without_other, activity).check(pb.day, pb.hour, rooms, locked)
    after_first = moved(sol, activity, first)
    second = Occupancy(inst, after_first, other).check(pa.day, pa.hour, other_rooms, other_locked)
    return first, second
