"""Independent checker of a timetable: counts hard violations and the soft penalty.

Deliberately shares no code with the solver: it simulates the week slot by slot, the way FET's
own fitness functions do, so tests can use it to judge solver output.

Soft penalty = sum over soft constraints of ``weight / 100 * violations`` (FET's conflicts
factor). Hard violations are counted in units (clashing slot, unplaced activity, ...).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, permutations

from .model import (
    Activity,
    BreakTimes,
    Consecutive,
    Constraint,
    EarlyMaxBeginningsAtSecondHour,
    EndsStudentsDay,
    Grouped,
    HomeRooms,
    Instance,
    IntervalMaxDaysPerWeek,
    MaxBuildingChangesPerDay,
    MaxBuildingChangesPerWeek,
    MaxDaysBetween,
    MaxDaysPerWeek,
    MaxGapsPerDay,
    MaxGapsPerWeek,
    MaxHoursContinuously,
    MaxHoursDaily,
    MaxSimultaneous,
    MaxSpanPerDay,
    MinDaysBetween,
    MinDaysPerWeek,
    MinGapsBetween,
    MinGapsBetweenBuildingChanges,
    MinHoursDaily,
    MinRestingHours,
    NotAvailable,
    NotOverlapping,
    OccupyMaxDifferentRooms,
    OccupyMaxTimeSlots,
    Ordered,
    Placement,
    PreferredRooms,
    PreferredStartingTimes,
    PreferredTimeSlots,
    ResourceConstraint,
    SameRoomIfConsecutive,
    SameStartingDay,
    SameStartingHour,
    SameStartingTime,
    Slot,
    Solution,
)


@dataclass(frozen=True)
class Violation:
    constraint: str
    amount: float
    hard: bool
    detail: str = ""
    weight: float = 100.0


class _World:
    """Occupancy tables for one solution."""

    def __init__(self, inst: Instance, sol: Solution) -> None:
        self.inst = inst
        self.sol = sol
        self.H = inst.n_hours
        self.D = inst.n_days
        self.pos: dict[int, Placement] = {}
        self.bad_bounds: list[int] = []
        for a in inst.activities:
            p = sol.placements.get(a.id)
            if p is None:
                continue
            if not (0 <= p.day < self.D and p.hour >= 0 and p.hour + a.duration <= self.H):
                self.bad_bounds.append(a.id)
                continue
            self.pos[a.id] = p
        self.breaks: set[Slot] = set()
        for c in inst.constraints:
            if isinstance(c, BreakTimes) and c.hard:
                self.breaks |= c.slots
        self.teacher_na: dict[str, set[Slot]] = defaultdict(set)
        self.subgroup_na: dict[str, set[Slot]] = defaultdict(set)
        for c in inst.constraints:
            if isinstance(c, NotAvailable) and c.hard:
                if c.resource_kind == "teacher":
                    self.teacher_na[c.resource] |= c.slots
                elif c.resource_kind == "students":
                    for g in inst.students_sets.get(c.resource, ()):
                        self.subgroup_na[g] |= c.slots
        self.subgroups_of = {a.id: inst.activity_subgroups(a) for a in inst.activities}
        self.teacher_acts: dict[str, list[Activity]] = defaultdict(list)
        self.subgroup_acts: dict[str, list[Activity]] = defaultdict(list)
        for a in inst.activities:
            for t in a.teachers:
                self.teacher_acts[t].append(a)
            for g in self.subgroups_of[a.id]:
                self.subgroup_acts[g].append(a)

    def slots_of(self, a: Activity) -> list[Slot]:
        p = self.pos.get(a.id)
        if p is None:
            return []
        return [(p.day, p.hour + k) for k in range(a.duration)]

    def grid(self, acts: Iterable[Activity], tag: str | None = None) -> list[list[int]]:
        """Per day, per hour: how many of the activities occupy the slot."""
        g = [[0] * self.H for _ in range(self.D)]
        for a in acts:
            if tag is not None and tag not in a.tags:
                continue
            for d, h in self.slots_of(a):
                g[d][h] += 1
        return g

    def unavailable(self, kind: str, name: str) -> set[Slot]:
        na = self.teacher_na[name] if kind == "teacher" else self.subgroup_na[name]
        return self.breaks | na


def verify(inst: Instance, sol: Solution) -> tuple[int, float, list[Violation]]:
    """Return ``(hard_violations, soft_penalty, details)`` for ``sol``."""
    w = _World(inst, sol)
    out: list[Violation] = []

    # ---- basic compulsory time: every activity placed, inside the day, no clashes
    for a in inst.activities:
        if a.id not in sol.placements:
            out.append(Violation("BasicCompulsoryTime", 1, True, f"activity {a.id} not placed"))
    for aid in w.bad_bounds:
        out.append(Violation("BasicCompulsoryTime", 1, True, f"activity {aid} outside the day"))
    for kind, table in (("teacher", w.teacher_acts), ("subgroup", w.subgroup_acts)):
        for name, acts in table.items():
            g = w.grid(acts)
            extra = sum(max(0, n - 1) for row in g for n in row)
            if extra:
                out.append(Violation("BasicCompulsoryTime", extra, True, f"{kind} {name} clashes"))

    # ---- basic compulsory space: room clashes, capacity, unknown rooms
    room_acts: dict[str, list[Activity]] = defaultdict(list)
    for a in inst.activities:
        p = w.pos.get(a.id)
        if p is None or p.room is None:
            continue
        room = inst.room_by_name.get(p.room)
        if room is None:
            out.append(Violation("BasicCompulsorySpace", 1, True, f"unknown room {p.room!r}"))
            continue
        room_acts[p.room].append(a)
        if room.capacity is not None and inst.activity_size(a) > room.capacity:
            out.append(
                Violation(
                    "BasicCompulsorySpace", 1, True, f"room {p.room} too small for activity {a.id}"
                )
            )
    for name, acts in room_acts.items():
        g = w.grid(acts)
        extra = sum(max(0, n - 1) for row in g for n in row)
        if extra:
            out.append(Violation("BasicCompulsorySpace", extra, True, f"room {name} clashes"))

    preferred_rooms: dict[int, set[str]] = defaultdict(set)
    for c in inst.constraints:
        if isinstance(c, PreferredRooms):
            for aid in c.activities:
                preferred_rooms[aid] |= set(c.rooms)

    for c in inst.constraints:
        amount = _amount(w, c, room_acts, preferred_rooms)
        if amount > 0:
            out.append(Violation(c.describe(), amount, c.hard, weight=c.weight))

    hard = sum(max(1, math.ceil(v.amount)) for v in out if v.hard)
    soft = sum(v.amount * v.weight / 100.0 for v in out if not v.hard)
    return hard, round(soft, 6), out


# --------------------------------------------------------------------------- per constraint


def _amount(
    w: _World,
    c: Constraint,
    room_acts: dict[str, list[Activity]],
    preferred_rooms: dict[int, set[str]],
) -> float:
    inst = w.inst
    acts_by_id = inst.activity_by_id
    if isinstance(c, BreakTimes):
        return sum(1 for a in inst.activities for s in w.slots_of(a) if s in c.slots)
    if isinstance(c, NotAvailable):
        if c.resource_kind == "teacher":
            return sum(
                1 for a in w.teacher_acts.get(c.resource, []) for s in w.slots_of(a) if s in c.slots
            )
        if c.resource_kind == "students":
            n = 0
            for g in inst.students_sets.get(c.resource, ()):
                n += sum(
                    1 for a in w.subgroup_acts.get(g, []) for s in w.slots_of(a) if s in c.slots
                )
            return n
        return sum(1 for a in room_acts.get(c.resource, []) for s in w.slots_of(a) if s in c.slots)
    if isinstance(c, PreferredStartingTimes):
        return sum(
            1
            for aid in c.activities
            if aid in w.pos and (w.pos[aid].day, w.pos[aid].hour) not in c.slots
        )
    if isinstance(c, PreferredTimeSlots):
        return sum(
            1 for aid in c.activities if any(s not in c.slots for s in w.slots_of(acts_by_id[aid]))
        )
    if isinstance(c, MinDaysBetween):
        n = 0
        for x, y in combinations(c.activities, 2):
            if x not in w.pos or y not in w.pos:
                continue
            dist = abs(w.pos[x].day - w.pos[y].day)
            if dist < c.min_days:
                n += c.min_days - dist
                if c.consecutive_if_same_day and dist == 0 and not _adjacent(w, x, y):
                    n += 1
        return n
    if isinstance(c, MaxDaysBetween):
        n = 0
        for x, y in combinations(c.activities, 2):
            if x in w.pos and y in w.pos:
                dist = abs(w.pos[x].day - w.pos[y].day)
                n += max(0, dist - c.max_days)
        return n
    if isinstance(c, SameStartingTime | SameStartingDay | SameStartingHour):
        n = 0
        for x, y in combinations(c.activities, 2):
            if x not in w.pos or y not in w.pos:
                continue
            px, py = w.pos[x], w.pos[y]
            if isinstance(c, SameStartingTime):
                n += (px.day, px.hour) != (py.day, py.hour)
            elif isinstance(c, SameStartingDay):
                n += px.day != py.day
            else:
                n += px.hour != py.hour
        return n
    if isinstance(c, NotOverlapping):
        n = 0
        for x, y in combinations(c.activities, 2):
            sx = set(w.slots_of(acts_by_id[x]))
            n += len(sx.intersection(w.slots_of(acts_by_id[y])))
        return n
    if isinstance(c, Consecutive):
        if c.first not in w.pos or c.second not in w.pos:
            return 0
        return 0 if _follows(w, c.first, c.second) else 1
    if isinstance(c, Grouped):
        if any(a not in w.pos for a in c.activities):
            return 0
        for order in permutations(c.activities):
            if all(_follows(w, order[i], order[i + 1]) for i in range(len(order) - 1)):
                return 0
        return 1
    if isinstance(c, Ordered):
        if c.first not in w.pos or c.second not in w.pos:
            return 0
        p1, p2 = w.pos[c.first], w.pos[c.second]
        d1 = acts_by_id[c.first].duration
        if c.same_day_only and p1.day != p2.day:
            return 0
        before = p1.day < p2.day or (p1.day == p2.day and p1.hour + d1 <= p2.hour)
        return 0 if before else 1
    if isinstance(c, MinGapsBetween):
        n = 0
        for x, y in combinations(c.activities, 2):
            if x not in w.pos or y not in w.pos or w.pos[x].day != w.pos[y].day:
                continue
            px, py = w.pos[x], w.pos[y]
            ex, ey = px.hour + acts_by_id[x].duration, py.hour + acts_by_id[y].duration
            gap = py.hour - ex if px.hour <= py.hour else px.hour - ey
            if gap < c.min_gaps:
                n += c.min_gaps - gap if gap >= 0 else c.min_gaps
        return n
    if isinstance(c, EndsStudentsDay):
        n = 0
        for aid in c.activities:
            if aid not in w.pos:
                continue
            p = w.pos[aid]
            end = p.hour + acts_by_id[aid].duration
            later = False
            for g in w.subgroups_of[aid]:
                for b in w.subgroup_acts.get(g, []):
                    pb = w.pos.get(b.id)
                    if b.id != aid and pb is not None and pb.day == p.day and pb.hour >= end:
                        later = True
            n += later
        return n
    if isinstance(c, OccupyMaxTimeSlots):
        occ = {s for aid in c.activities for s in w.slots_of(acts_by_id[aid]) if s in c.slots}
        return max(0, len(occ) - c.max_slots)
    if isinstance(c, MaxSimultaneous):
        count: dict[Slot, int] = defaultdict(int)
        for aid in c.activities:
            for s in w.slots_of(acts_by_id[aid]):
                if s in c.slots:
                    count[s] += 1
        return sum(max(0, v - c.max_activities) for v in count.values())
    if isinstance(c, ResourceConstraint):
        return _resource_amount(w, c)
    if isinstance(c, PreferredRooms):
        n = 0
        for aid in c.activities:
            placed = w.pos.get(aid)
            if placed is not None and placed.room not in c.rooms:
                n += 1
        return n
    if isinstance(c, HomeRooms):
        n = 0
        for aid in c.activities:
            placed = w.pos.get(aid)
            if placed is None:
                continue
            room = placed.room
            if room is None or (room not in c.rooms and room not in preferred_rooms[aid]):
                n += 1
        return n
    if isinstance(c, OccupyMaxDifferentRooms):
        rooms = {w.pos[a].room for a in c.activities if a in w.pos and w.pos[a].room is not None}
        return max(0, len(rooms) - c.max_rooms)
    if isinstance(c, SameRoomIfConsecutive):
        n = 0
        for x, y in combinations(c.activities, 2):
            if (
                x in w.pos
                and y in w.pos
                and (_follows(w, x, y, strict=True) or _follows(w, y, x, strict=True))
            ):
                n += w.pos[x].room != w.pos[y].room
        return n
    raise AssertionError(f"verifier does not know {c.kind}")  # pragma: no cover


def _follows(w: _World, first: int, second: int, strict: bool = False) -> bool:
    """``second`` starts right after ``first`` ends on the same day (breaks between allowed)."""
    p1, p2 = w.pos[first], w.pos[second]
    if p1.day != p2.day:
        return False
    end = p1.hour + w.inst.activity_by_id[first].duration
    if p2.hour < end:
        return False
    if strict:
        return p2.hour == end
    return all((p1.day, h) in w.breaks for h in range(end, p2.hour))


def _adjacent(w: _World, x: int, y: int) -> bool:
    return _follows(w, x, y, strict=True) or _follows(w, y, x, strict=True)


def _resource_amount(w: _World, c: ResourceConstraint) -> float:
    inst = w.inst
    total = 0.0
    table = w.teacher_acts if c.resource_kind == "teacher" else w.subgroup_acts
    for name in inst.resolve_resources(c):
        acts = table.get(name, [])
        if isinstance(
            c, MaxBuildingChangesPerDay | MaxBuildingChangesPerWeek | MinGapsBetweenBuildingChanges
        ):
            total += _building_amount(w, c, acts)
            continue
        grid = w.grid(acts, c.tag)
        busy = [[n > 0 for n in row] for row in grid]
        unavail = w.unavailable(c.resource_kind, name)
        total += _resource_one(w, c, busy, unavail)
    return total


def _resource_one(
    w: _World, c: ResourceConstraint, busy: list[list[bool]], unavail: set[Slot]
) -> float:
    D, H = w.D, w.H
    hours = [sum(row) for row in busy]
    active = [h > 0 for h in hours]
    if isinstance(c, MaxHoursDaily):
        return sum(1 for h in hours if h > c.max_hours)
    if isinstance(c, MinHoursDaily):
        n = 0
        for h in hours:
            if h == 0 and c.allow_empty_days:
                continue
            if h < c.min_hours:
                n += 1
        return n
    if isinstance(c, MaxHoursContinuously):
        n = 0
        for row in busy:
            run = 0
            for b in [*row, False]:
                if b:
                    run += 1
                else:
                    if run > c.max_hours:
                        n += 1
                    run = 0
        return n
    if isinstance(c, MaxDaysPerWeek):
        return max(0, sum(active) - c.max_days)
    if isinstance(c, MinDaysPerWeek):
        return max(0, c.min_days - sum(active))
    if isinstance(c, IntervalMaxDaysPerWeek):
        days = sum(1 for row in busy if any(row[c.start_hour : c.end_hour]))
        return max(0, days - c.max_days)
    if isinstance(c, MaxGapsPerWeek | MaxGapsPerDay):
        gaps = [_gaps(row, d, unavail) for d, row in enumerate(busy)]
        if isinstance(c, MaxGapsPerWeek):
            return max(0, sum(gaps) - c.max_gaps)
        return sum(max(0, g - c.max_gaps) for g in gaps)
    if isinstance(c, MaxSpanPerDay):
        spans = []
        for row in busy:
            idx = [h for h, b in enumerate(row) if b]
            spans.append(idx[-1] - idx[0] + 1 if idx else 0)
        over = [s - c.max_span for s in spans if s > c.max_span]
        if c.allow_one_day_exception and over:
            ones = [o for o in over if o == 1]
            if ones:
                over.remove(1)
        return len(over)
    if isinstance(c, MinRestingHours):
        n = 0
        pairs = [(d, d + 1) for d in range(D - 1)]
        if c.circular and D > 1:
            pairs.append((D - 1, 0))
        for d1, d2 in pairs:
            last = max((h for h in range(H) if busy[d1][h]), default=None)
            first = min((h for h in range(H) if busy[d2][h]), default=None)
            if last is None or first is None:
                continue
            if (H - 1 - last) + first < c.min_hours:
                n += 1
        return n
    if isinstance(c, EarlyMaxBeginningsAtSecondHour):
        second = 0
        illegal = 0
        for d, row in enumerate(busy):
            if not any(row):
                continue
            free_before = 0
            for h in range(H):
                if row[h]:
                    break
                if (d, h) not in unavail:
                    free_before += 1
            if free_before == 1:
                second += 1
            elif free_before > 1:
                illegal += 1
        return illegal + max(0, second - c.max_beginnings)
    raise AssertionError(f"verifier does not know {c.kind}")  # pragma: no cover


def _building_amount(w: _World, c: ResourceConstraint, acts: list[Activity]) -> float:
    """FET's building changes: between consecutive lessons with a room (in time order)."""
    inst = w.inst
    week = 0
    amount = 0.0
    for d in range(w.D):
        row: list[str | None] = [None] * w.H
        for a in acts:
            if c.tag is not None and c.tag not in a.tags:
                continue
            p = w.pos.get(a.id)
            if p is None or p.day != d or p.room is None:
                continue
            room = inst.room_by_name.get(p.room)
            if room is None or not room.building:
                continue
            for k in range(a.duration):
                row[p.hour + k] = room.building
        changes = 0
        last: tuple[str, int] | None = None
        for h, b in enumerate(row):
            if b is None:
                continue
            if last is not None and last[0] != b:
                changes += 1
                if isinstance(c, MinGapsBetweenBuildingChanges) and h - last[1] - 1 < c.min_gaps:
                    amount += 1
            last = (b, h)
        if isinstance(c, MaxBuildingChangesPerDay):
            amount += max(0, changes - c.max_changes)
        week += changes
    if isinstance(c, MaxBuildingChangesPerWeek):
        amount += max(0, week - c.max_changes)
    return amount


def _gaps(row: list[bool], day: int, unavail: set[Slot]) -> int:
    idx = [h for h, b in enumerate(row) if b]
    if not idx:
        return 0
    return sum(1 for h in range(idx[0], idx[-1] + 1) if not row[h] and (day, h) not in unavail)
