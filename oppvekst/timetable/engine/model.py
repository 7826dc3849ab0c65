"""Pure timetable model (no Django): the data a school timetable is built from.

The model follows FET's semantics (https://lalescu.ro/liviu/fet/) so that FET files can be
read and written without loss for the supported constraint types:

* The week is ``days x hours``; a *slot* is ``(day, hour)``. An activity of duration ``n``
  occupies ``n`` consecutive hours of one day.
* Students are organised as years, groups and subgroups. Subgroups are the atomic units:
  an activity for a year (or group) occupies every subgroup of it. A year without groups and
  a group without subgroups are atomic themselves.
* Every constraint has a weight in percent. ``100`` means hard (must hold); anything lower is
  soft: a violation costs ``weight / 100`` per unit of violation (FET's conflicts factor).
* Activities get a room only when some room constraint concerns them (FET leaves other
  activities without a room).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Slot = tuple[int, int]
"""(day index, hour index)."""

HARD = 100.0

ResourceKind = Literal["teacher", "students"]


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Teacher:
    name: str
    target_hours: int | None = None
    qualified_subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    name: str


@dataclass(frozen=True)
class Subgroup:
    name: str
    size: int = 0


@dataclass(frozen=True)
class Group:
    name: str
    size: int = 0
    subgroups: tuple[Subgroup, ...] = ()


@dataclass(frozen=True)
class Year:
    name: str
    size: int = 0
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Building:
    name: str


@dataclass(frozen=True)
class Room:
    name: str
    capacity: int | None = None
    building: str = ""
    kind: str = ""
    """Free-form kind (gym, science, music, ...) used by generators; FET has no such field."""


@dataclass(frozen=True)
class Activity:
    id: int
    duration: int
    subject: str
    teachers: tuple[str, ...] = ()
    students: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    group_id: int = 0
    """FET's Activity_Group_Id: split activities (sub-activities) share it; 0 = not split."""
    n_students: int | None = None
    """Explicit number of students; ``None`` = sum of the sizes of the students sets."""


# --------------------------------------------------------------------------- constraints


@dataclass(frozen=True, kw_only=True)
class Constraint:
    """Base of all constraints. ``label`` names the constraint in explanations."""

    weight: float = HARD
    label: str = ""

    @property
    def hard(self) -> bool:
        return self.weight >= HARD

    @property
    def kind(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        return self.label or self.kind


# ---- time constraints on the whole week


@dataclass(frozen=True, kw_only=True)
class BreakTimes(Constraint):
    """No activity may occupy these slots (FET ConstraintBreakTimes)."""

    slots: frozenset[Slot]


@dataclass(frozen=True, kw_only=True)
class NotAvailable(Constraint):
    """A teacher, students set or room is not available in these slots."""

    resource_kind: Literal["teacher", "students", "room"]
    resource: str
    slots: frozenset[Slot]


# ---- time constraints on activities


@dataclass(frozen=True, kw_only=True)
class PreferredStartingTimes(Constraint):
    """Each listed activity must start in one of ``slots``. ``locked`` marks a fixed lesson."""

    activities: tuple[int, ...]
    slots: frozenset[Slot]
    locked: bool = False


@dataclass(frozen=True, kw_only=True)
class PreferredTimeSlots(Constraint):
    """Every slot occupied by each listed activity must be in ``slots``."""

    activities: tuple[int, ...]
    slots: frozenset[Slot]


@dataclass(frozen=True, kw_only=True)
class MinDaysBetween(Constraint):
    """Every pair of the activities is at least ``min_days`` days apart.

    With ``consecutive_if_same_day`` two of them that do fall on the same day must be
    adjacent (FET enforces this part during generation, so the solver treats it as hard).
    """

    activities: tuple[int, ...]
    min_days: int
    consecutive_if_same_day: bool = False


@dataclass(frozen=True, kw_only=True)
class MaxDaysBetween(Constraint):
    activities: tuple[int, ...]
    max_days: int


@dataclass(frozen=True, kw_only=True)
class SameStartingTime(Constraint):
    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class SameStartingDay(Constraint):
    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class SameStartingHour(Constraint):
    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class NotOverlapping(Constraint):
    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Consecutive(Constraint):
    """``second`` starts right after ``first`` ends, the same day (only breaks between)."""

    first: int
    second: int


@dataclass(frozen=True, kw_only=True)
class Grouped(Constraint):
    """The two or three activities form one block on one day, in any order."""

    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Ordered(Constraint):
    """``first`` ends before ``second`` starts (if ``same_day_only``: only when same day)."""

    first: int
    second: int
    same_day_only: bool = False


@dataclass(frozen=True, kw_only=True)
class MinGapsBetween(Constraint):
    """Two of the activities on the same day have at least ``min_gaps`` hours between them."""

    activities: tuple[int, ...]
    min_gaps: int


@dataclass(frozen=True, kw_only=True)
class EndsStudentsDay(Constraint):
    """Nothing of the activity's students comes after it on its day."""

    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class OccupyMaxTimeSlots(Constraint):
    """Of ``slots``, at most ``max_slots`` are occupied by (any of) the activities."""

    activities: tuple[int, ...]
    slots: frozenset[Slot]
    max_slots: int


@dataclass(frozen=True, kw_only=True)
class MaxSimultaneous(Constraint):
    """In each of ``slots``, at most ``max_activities`` of the activities take place."""

    activities: tuple[int, ...]
    slots: frozenset[Slot]
    max_activities: int


# ---- time constraints on teachers and students (per resource)


@dataclass(frozen=True, kw_only=True)
class ResourceConstraint(Constraint):
    """Applies to each teacher / each subgroup of the named students sets.

    ``resources`` empty means "all teachers" / "all students". ``tag`` restricts the counted
    activities to those with that activity tag.
    """

    resource_kind: ResourceKind
    resources: tuple[str, ...] = ()
    tag: str | None = None


@dataclass(frozen=True, kw_only=True)
class MaxHoursDaily(ResourceConstraint):
    max_hours: int


@dataclass(frozen=True, kw_only=True)
class MinHoursDaily(ResourceConstraint):
    min_hours: int
    allow_empty_days: bool = True


@dataclass(frozen=True, kw_only=True)
class MaxHoursContinuously(ResourceConstraint):
    max_hours: int


@dataclass(frozen=True, kw_only=True)
class MaxDaysPerWeek(ResourceConstraint):
    max_days: int


@dataclass(frozen=True, kw_only=True)
class MinDaysPerWeek(ResourceConstraint):
    min_days: int


@dataclass(frozen=True, kw_only=True)
class IntervalMaxDaysPerWeek(ResourceConstraint):
    """At most ``max_days`` days with an activity in hours ``[start_hour, end_hour)``."""

    start_hour: int
    end_hour: int
    max_days: int


@dataclass(frozen=True, kw_only=True)
class MaxGapsPerWeek(ResourceConstraint):
    """Gaps: free available hours between the first and last activity of a day.

    Break slots and the resource's not-available slots are not gaps.
    """

    max_gaps: int


@dataclass(frozen=True, kw_only=True)
class MaxGapsPerDay(ResourceConstraint):
    max_gaps: int


@dataclass(frozen=True, kw_only=True)
class MaxSpanPerDay(ResourceConstraint):
    """Hours from the first to the last activity of a day, inclusive, at most ``max_span``."""

    max_span: int
    allow_one_day_exception: bool = False


@dataclass(frozen=True, kw_only=True)
class MinRestingHours(ResourceConstraint):
    """Free hours between the end of one day and the start of the next (``circular``: also
    from the last day to the first)."""

    min_hours: int
    circular: bool = False


@dataclass(frozen=True, kw_only=True)
class EarlyMaxBeginningsAtSecondHour(ResourceConstraint):
    """Students begin their day at the first (available) hour; at most ``max_beginnings``
    days a week they may begin at the second; never later."""

    max_beginnings: int


# ---- space constraints


@dataclass(frozen=True, kw_only=True)
class PreferredRooms(Constraint):
    """Each listed activity takes place in one of ``rooms``."""

    activities: tuple[int, ...]
    rooms: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class HomeRooms(Constraint):
    """FET home room: the activities should be in one of ``rooms``; a room coming from a
    preferred-room constraint of the activity also satisfies it."""

    activities: tuple[int, ...]
    rooms: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class OccupyMaxDifferentRooms(Constraint):
    activities: tuple[int, ...]
    max_rooms: int


@dataclass(frozen=True, kw_only=True)
class SameRoomIfConsecutive(Constraint):
    activities: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class MaxBuildingChangesPerDay(ResourceConstraint):
    """Moves between buildings (consecutive lessons with a room, in different buildings)."""

    max_changes: int


@dataclass(frozen=True, kw_only=True)
class MaxBuildingChangesPerWeek(ResourceConstraint):
    max_changes: int


@dataclass(frozen=True, kw_only=True)
class MinGapsBetweenBuildingChanges(ResourceConstraint):
    """At least ``min_gaps`` free hours before a lesson in another building, the same day."""

    min_gaps: int


TIME_RESOURCE_TYPES: tuple[type[ResourceConstraint], ...] = (
    MaxHoursDaily,
    MinHoursDaily,
    MaxHoursContinuously,
    MaxDaysPerWeek,
    MinDaysPerWeek,
    IntervalMaxDaysPerWeek,
    MaxGapsPerWeek,
    MaxGapsPerDay,
    MaxSpanPerDay,
    MinRestingHours,
    EarlyMaxBeginningsAtSecondHour,
    MaxBuildingChangesPerDay,
    MaxBuildingChangesPerWeek,
    MinGapsBetweenBuildingChanges,
)


# --------------------------------------------------------------------------- solution


@dataclass(frozen=True)
class Placement:
    day: int
    hour: int
    room: str | None = None


@dataclass
class Solution:
    placements: dict[int, Placement] = field(default_factory=dict)

    def slot(self, activity_id: int) -> Slot | None:
        p = self.placements.get(activity_id)
        return None if p is None else (p.day, p.hour)


# --------------------------------------------------------------------------- instance


class ModelError(ValueError):
    """The instance is inconsistent (unknown reference, bad duration, ...)."""


@dataclass
class Instance:
    name: str
    days: list[str]
    hours: list[str]
    activities: list[Activity]
    teachers: list[Teacher] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    activity_tags: list[str] = field(default_factory=list)
    years: list[Year] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    unsupported: dict[str, int] = field(default_factory=dict)
    """Constraint types read from a file but not modelled, with their counts."""

    # ---- derived lookups (the instance is treated as immutable once built)

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_hours(self) -> int:
        return len(self.hours)

    @cached_property
    def activity_by_id(self) -> dict[int, Activity]:
        return {a.id: a for a in self.activities}

    @cached_property
    def room_by_name(self) -> dict[str, Room]:
        return {r.name: r for r in self.rooms}

    @cached_property
    def students_sets(self) -> dict[str, frozenset[str]]:
        """Every students set name -> the atomic subgroup names it occupies."""
        sets: dict[str, set[str]] = {}
        for year in self.years:
            year_atoms: set[str] = set()
            if not year.groups:
                year_atoms.add(year.name)
            for group in year.groups:
                atoms = {s.name for s in group.subgroups} or {group.name}
                sets.setdefault(group.name, set()).update(atoms)
                for sub in group.subgroups:
                    sets.setdefault(sub.name, set()).add(sub.name)
                year_atoms |= atoms
            sets.setdefault(year.name, set()).update(year_atoms)
        return {k: frozenset(v) for k, v in sets.items()}

    @cached_property
    def set_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for year in self.years:
            sizes[year.name] = year.size
            for group in year.groups:
                sizes[group.name] = group.size
                for sub in group.subgroups:
                    sizes[sub.name] = sub.size
        return sizes

    @cached_property
    def subgroups(self) -> list[str]:
        """All atomic subgroups, in file order."""
        seen: dict[str, None] = {}
        for year in self.years:
            if not year.groups:
                seen[year.name] = None
            for group in year.groups:
                if not group.subgroups:
                    seen[group.name] = None
                for sub in group.subgroups:
                    seen[sub.name] = None
        return list(seen)

    def activity_subgroups(self, activity: Activity) -> frozenset[str]:
        out: set[str] = set()
        for s in activity.students:
            out |= self.students_sets.get(s, frozenset())
        return frozenset(out)

    def activity_size(self, activity: Activity) -> int:
        if activity.n_students is not None:
            return activity.n_students
        return sum(self.set_sizes.get(s, 0) for s in activity.students)

    def resolve_resources(self, c: ResourceConstraint) -> list[str]:
        """Teacher names, or atomic subgroup names, the constraint applies to."""
        if c.resource_kind == "teacher":
            return list(c.resources) if c.resources else [t.name for t in self.teachers]
        if not c.resources:
            return list(self.subgroups)
        out: dict[str, None] = {}
        for s in c.resources:
            for g in sorted(self.students_sets.get(s, frozenset())):
                out[g] = None
        return list(out)

    # ---- validation

    def validate(self) -> None:
        """Raise ModelError naming the first dangling reference or impossible value."""
        if not self.days or not self.hours:
            raise ModelError("the week has no days or no hours")
        teachers = {t.name for t in self.teachers}
        subjects = {s.name for s in self.subjects}
        tags = set(self.activity_tags)
        sets = self.students_sets
        rooms = self.room_by_name
        ids: set[int] = set()
        for a in self.activities:
            if a.id in ids:
                raise ModelError(f"activity id {a.id} is used twice")
            ids.add(a.id)
            if not 1 <= a.duration <= self.n_hours:
                raise ModelError(f"activity {a.id} has impossible duration {a.duration}")
            for t in a.teachers:
                if t not in teachers:
                    raise ModelError(f"activity {a.id} names unknown teacher {t!r}")
            for s in a.students:
                if s not in sets:
                    raise ModelError(f"activity {a.id} names unknown students set {s!r}")
            if subjects and a.subject not in subjects:
                raise ModelError(f"activity {a.id} names unknown subject {a.subject!r}")
            for tg in a.tags:
                if tags and tg not in tags:
                    raise ModelError(f"activity {a.id} names unknown activity tag {tg!r}")
        buildings = {b.name for b in self.buildings}
        for r in self.rooms:
            if r.building and r.building not in buildings:
                raise ModelError(f"room {r.name!r} names unknown building {r.building!r}")
        for c in self.constraints:
            _validate_constraint(self, c, ids, teachers, sets, rooms)


def _validate_slots(inst: Instance, c: Constraint, slots: Iterable[Slot]) -> None:
    for d, h in slots:
        if not (0 <= d < inst.n_days and 0 <= h < inst.n_hours):
            raise ModelError(f"{c.describe()}: slot ({d}, {h}) is outside the week")


def _validate_constraint(
    inst: Instance,
    c: Constraint,
    ids: set[int],
    teachers: set[str],
    sets: Mapping[str, frozenset[str]],
    rooms: Mapping[str, Room],
) -> None:
    if not 0 <= c.weight <= HARD:
        raise ModelError(f"{c.describe()}: weight {c.weight} is not within 0..100")
    acts: Sequence[int] = ()
    if hasattr(c, "activities"):
        acts = c.activities
    elif isinstance(c, Consecutive | Ordered):
        acts = (c.first, c.second)
    for a in acts:
        if a not in ids:
            raise ModelError(f"{c.describe()}: unknown activity id {a}")
    if hasattr(c, "slots"):
        _validate_slots(inst, c, c.slots)
    if isinstance(c, NotAvailable):
        known: Iterable[str] = (
            teachers
            if c.resource_kind == "teacher"
            else sets
            if c.resource_kind == "students"
            else rooms
        )
        if c.resource not in known:
            raise ModelError(f"{c.describe()}: unknown {c.resource_kind} {c.resource!r}")
    if isinstance(c, ResourceConstraint):
        known2: Iterable[str] = teachers if c.resource_kind == "teacher" else sets
        for r in c.resources:
            if r not in known2:
                raise ModelError(f"{c.describe()}: unknown {c.resource_kind} {r!r}")
    if isinstance(c, PreferredRooms | HomeRooms):
        for r in c.rooms:
            if r not in rooms:
                raise ModelError(f"{c.describe()}: unknown room {r!r}")
