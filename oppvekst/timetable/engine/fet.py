"""Read and write FET (https://lalescu.ro/liviu/fet/) ``.fet`` files.

``read_fet`` turns a file into an :class:`~oppvekst.timetable.engine.model.Instance`. Constraints
whose type is not modelled are counted in ``Instance.unsupported`` (never silently dropped).
Inactive activities and inactive constraints are left out, as FET does.

``write_fet_with_solution`` writes the *input* back (the original XML when the instance came
from a file, otherwise XML generated from the model) with every placed activity locked at its
time and room by 100 % constraints (``ConstraintActivityPreferredStartingTime`` with
``Permanently_Locked`` and ``ConstraintActivityPreferredRoom``), so that ``fet-cl`` can load and
check it. ``read_locked_solution`` reads such locks back (warm start).
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .model import (
    HARD,
    Activity,
    BreakTimes,
    Building,
    Consecutive,
    Constraint,
    EarlyMaxBeginningsAtSecondHour,
    EndsStudentsDay,
    Group,
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
    ModelError,
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
    ResourceKind,
    Room,
    SameRoomIfConsecutive,
    SameStartingDay,
    SameStartingHour,
    SameStartingTime,
    Slot,
    Solution,
    Subgroup,
    Subject,
    Teacher,
    Year,
)

_Element = etree._Element


class FetError(ModelError):
    """The file is missing, not XML, not a FET file, or refers to unknown things."""


@dataclass
class FetDocument:
    """A parsed FET file: the model plus the original XML (for faithful export)."""

    instance: Instance
    tree: etree._ElementTree
    path: str = ""
    inactive_activities: set[int] = field(default_factory=set)


# --------------------------------------------------------------------------- helpers


def _children(el: _Element, tag: str) -> list[_Element]:
    return [c for c in el if isinstance(c.tag, str) and c.tag == tag]


def _text(el: _Element, tag: str, default: str = "") -> str:
    for c in el:
        if isinstance(c.tag, str) and c.tag == tag:
            return (c.text or "").strip()
    return default


def _texts(el: _Element, tag: str) -> list[str]:
    return [(c.text or "").strip() for c in _children(el, tag)]


def _int(el: _Element, tag: str, default: int | None = None) -> int:
    t = _text(el, tag)
    if t == "":
        if default is None:
            raise FetError(f"<{el.tag}> lacks <{tag}>")
        return default
    try:
        return int(float(t))
    except ValueError as exc:
        raise FetError(f"<{el.tag}>: <{tag}> is not a number: {t!r}") from exc


def _bool(el: _Element, tag: str, default: bool) -> bool:
    t = _text(el, tag).lower()
    if t == "":
        return default
    return t in ("true", "yes", "1")


def _name_list(parent: _Element | None, item: str) -> list[str]:
    """Day/hour names: ``<Day><Name>x</Name></Day>`` or old ``<Day>x</Day>``."""
    if parent is None:
        return []
    out = []
    for el in _children(parent, item):
        name = _text(el, "Name") if len(el) else (el.text or "").strip()
        out.append(name)
    return out


# --------------------------------------------------------------------------- reader


def read_fet(path: str | os.PathLike[str]) -> FetDocument:
    p = Path(path)
    if not p.is_file():
        raise FetError(f"file not found: {p}")
    try:
        parser = etree.XMLParser(remove_blank_text=False, huge_tree=True)
        tree = etree.parse(str(p), parser)
    except etree.XMLSyntaxError as exc:
        raise FetError(f"not valid XML: {p}: {exc}") from exc
    doc = parse_fet_tree(tree, name=p.stem)
    doc.path = str(p)
    return doc


def read_fet_string(data: str | bytes, name: str = "input") -> FetDocument:
    raw = data.encode() if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, etree.XMLParser(huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise FetError(f"not valid XML: {exc}") from exc
    return parse_fet_tree(etree.ElementTree(root), name=name)


def parse_fet_tree(tree: etree._ElementTree, name: str = "input") -> FetDocument:
    root = tree.getroot()
    if not isinstance(root.tag, str) or root.tag != "fet":
        raise FetError(f"not a FET file: the root element is <{root.tag}>, not <fet>")
    reader = _Reader(root, name)
    inst = reader.read()
    return FetDocument(instance=inst, tree=tree, inactive_activities=reader.inactive)


class _Reader:
    def __init__(self, root: _Element, name: str) -> None:
        self.root = root
        self.name = _text(root, "Institution_Name") or name
        self.inactive: set[int] = set()
        self.unsupported: Counter[str] = Counter()
        self.constraints: list[Constraint] = []

    # ---- lookups
    def day(self, name: str, ctx: str) -> int:
        try:
            return self.day_index[name]
        except KeyError:
            raise FetError(f"{ctx}: unknown day {name!r}") from None

    def hour(self, name: str, ctx: str) -> int:
        try:
            return self.hour_index[name]
        except KeyError:
            raise FetError(f"{ctx}: unknown hour {name!r}") from None

    def slots(self, el: _Element, item: str, dtag: str, htag: str, ctx: str) -> frozenset[Slot]:
        out: set[Slot] = set()
        for it in _children(el, item):
            dn, hn = _text(it, dtag), _text(it, htag)
            days = [self.day(dn, ctx)] if dn else list(range(len(self.days)))
            hours = [self.hour(hn, ctx)] if hn else list(range(len(self.hours)))
            out.update((d, h) for d in days for h in hours)
        return frozenset(out)

    def teacher(self, name: str, ctx: str) -> str:
        if name not in self.teacher_names:
            raise FetError(f"{ctx}: unknown teacher {name!r}")
        return name

    def students(self, name: str, ctx: str) -> str:
        if name not in self.sets:
            raise FetError(f"{ctx}: unknown students set {name!r}")
        return name

    def room(self, name: str, ctx: str) -> str:
        if name not in self.room_names:
            raise FetError(f"{ctx}: unknown room {name!r}")
        return name

    def act_ids(self, ids: Iterable[str | int], ctx: str) -> tuple[int, ...]:
        out = []
        for raw in ids:
            try:
                i = int(raw)
            except ValueError:
                raise FetError(f"{ctx}: bad activity id {raw!r}") from None
            if i in self.inactive:
                continue
            if i not in self.acts:
                raise FetError(f"{ctx}: unknown activity id {i}")
            out.append(i)
        return tuple(out)

    # ---- main
    def read(self) -> Instance:
        root = self.root
        self.days = _name_list(root.find("Days_List"), "Day")
        self.hours = _name_list(root.find("Hours_List"), "Hour")
        if not self.days or not self.hours:
            raise FetError("not a FET file: no days or hours")
        self.day_index = {n: i for i, n in enumerate(self.days)}
        self.hour_index = {n: i for i, n in enumerate(self.hours)}
        mode = _text(root, "Mode")
        if mode and mode != "Official":
            self.unsupported[f"Mode {mode}"] += 1

        subjects = [Subject(_text(s, "Name")) for s in root.iterfind("Subjects_List/Subject")]
        tags = [_text(t, "Name") for t in root.iterfind("Activity_Tags_List/Activity_Tag")]
        teachers = []
        for t in root.iterfind("Teachers_List/Teacher"):
            target = _text(t, "Target_Number_of_Hours")
            qual_el = t.find("Qualified_Subjects")
            qs = tuple(_texts(qual_el, "Qualified_Subject")) if qual_el is not None else ()
            teachers.append(
                Teacher(_text(t, "Name"), int(target) if target.isdigit() else None, qs)
            )
        self.teacher_names = {t.name for t in teachers}
        years = [self._year(y) for y in root.iterfind("Students_List/Year")]
        buildings = [Building(_text(b, "Name")) for b in root.iterfind("Buildings_List/Building")]
        rooms = []
        for r in root.iterfind("Rooms_List/Room"):
            if _bool(r, "Virtual", False):
                self.unsupported["Virtual rooms"] += 1
            cap = _text(r, "Capacity")
            rooms.append(
                Room(
                    _text(r, "Name"),
                    int(cap) if cap.lstrip("-").isdigit() else None,
                    _text(r, "Building"),
                )
            )
        self.room_names = {r.name for r in rooms}

        inst = Instance(
            name=self.name,
            days=self.days,
            hours=self.hours,
            activities=[],
            teachers=teachers,
            subjects=subjects,
            activity_tags=tags,
            years=years,
            buildings=buildings,
            rooms=rooms,
        )
        self.sets = inst.students_sets
        subject_names = {s.name for s in subjects}
        tag_names = set(tags)
        acts: list[Activity] = []
        for el in root.iterfind("Activities_List/Activity"):
            aid = _int(el, "Id")
            if not _bool(el, "Active", True):
                self.inactive.add(aid)
                continue
            ctx = f"activity {aid}"
            subj = _text(el, "Subject")
            if subject_names and subj not in subject_names:
                raise FetError(f"{ctx}: unknown subject {subj!r}")
            atags = tuple(_texts(el, "Activity_Tag"))
            for tg in atags:
                if tg not in tag_names:
                    raise FetError(f"{ctx}: unknown activity tag {tg!r}")
            nst = _text(el, "Number_Of_Students")
            acts.append(
                Activity(
                    id=aid,
                    duration=_int(el, "Duration"),
                    subject=subj,
                    teachers=tuple(self.teacher(t, ctx) for t in _texts(el, "Teacher")),
                    students=tuple(self.students(s, ctx) for s in _texts(el, "Students")),
                    tags=atags,
                    group_id=_int(el, "Activity_Group_Id", 0),
                    n_students=int(nst) if nst.lstrip("-").isdigit() and int(nst) >= 0 else None,
                )
            )
        inst.activities = acts
        self.inst = inst
        self.acts = {a.id: a for a in acts}
        for a in acts:
            if not 1 <= a.duration <= len(self.hours):
                raise FetError(f"activity {a.id}: impossible duration {a.duration}")
        for n, c in enumerate(_constraint_elements(root, "Time_Constraints_List"), 1):
            self._constraint(c, n)
        for n, c in enumerate(_constraint_elements(root, "Space_Constraints_List"), 1):
            self._constraint(c, n)
        inst.constraints = self.constraints
        inst.unsupported = dict(self.unsupported)
        return inst

    def _year(self, y: _Element) -> Year:
        groups = []
        for g in _children(y, "Group"):
            subs = tuple(
                Subgroup(_text(s, "Name"), _int(s, "Number_of_Students", 0))
                for s in _children(g, "Subgroup")
            )
            groups.append(Group(_text(g, "Name"), _int(g, "Number_of_Students", 0), subs))
        return Year(_text(y, "Name"), _int(y, "Number_of_Students", 0), tuple(groups))

    # ---- activity filters (teacher / students / subject / tag [/ duration / component])
    def filtered(self, el: _Element, ctx: str, component: int | None = None) -> tuple[int, ...]:
        t = _text(el, "Teacher_Name")
        s = _text(el, "Students_Name")
        subj = _text(el, "Subject_Name")
        tag = _text(el, "Activity_Tag_Name")
        dur = _int(el, "Duration", -1) if _text(el, "Duration") else -1
        if t:
            self.teacher(t, ctx)
        sset = self.sets[self.students(s, ctx)] if s else None
        out = []
        for a in self.inst.activities:
            if t and t not in a.teachers:
                continue
            if sset is not None and not (self.inst.activity_subgroups(a) & sset):
                continue
            if subj and a.subject != subj:
                continue
            if tag and tag not in a.tags:
                continue
            if dur >= 1 and a.duration != dur:
                continue
            if component is not None:
                comp = 1 if a.group_id == 0 else a.id - a.group_id + 1
                if comp != component:
                    continue
            out.append(a.id)
        return tuple(out)

    def by_subject_tag(self, subject: str | None, tag: str | None) -> tuple[int, ...]:
        return tuple(
            a.id
            for a in self.inst.activities
            if (subject is None or a.subject == subject) and (tag is None or tag in a.tags)
        )

    # ---- constraints
    def _constraint(self, el: _Element, n: int) -> None:
        tag = str(el.tag)
        if not _bool(el, "Active", True):
            return
        w_text = _text(el, "Weight_Percentage", "100")
        try:
            weight = float(w_text)
        except ValueError:
            raise FetError(f"{tag} #{n}: bad weight {w_text!r}") from None
        if tag in ("ConstraintBasicCompulsoryTime", "ConstraintBasicCompulsorySpace"):
            return
        handler = _HANDLERS.get(tag)
        if handler is None:
            self.unsupported[tag] += 1
            return
        made = handler(self, el, f"{tag} #{n}", weight)
        self.constraints.extend(c for c in made if c is not None)


def _constraint_elements(root: _Element, list_tag: str) -> list[_Element]:
    out: list[_Element] = []
    for lst in _children(root, list_tag):
        out.extend(c for c in lst if isinstance(c.tag, str))
    return out


_Handler = Callable[[_Reader, _Element, str, float], Sequence[Constraint | None]]
_HANDLERS: dict[str, _Handler] = {}


def _handles(*tags: str) -> Callable[[_Handler], _Handler]:
    def deco(fn: _Handler) -> _Handler:
        for t in tags:
            _HANDLERS[t] = fn
        return fn

    return deco


@_handles("ConstraintBreakTimes")
def _break(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    return [BreakTimes(slots=r.slots(el, "Break_Time", "Day", "Hour", ctx), weight=w, label=ctx)]


@_handles(
    "ConstraintTeacherNotAvailableTimes",
    "ConstraintStudentsSetNotAvailableTimes",
    "ConstraintRoomNotAvailableTimes",
)
def _not_available(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    slots = r.slots(el, "Not_Available_Time", "Day", "Hour", ctx)
    if "Teacher" in el.tag:
        name = r.teacher(_text(el, "Teacher"), ctx)
        return [
            NotAvailable(
                resource_kind="teacher",
                resource=name,
                slots=slots,
                weight=w,
                label=f"{ctx} ({name})",
            )
        ]
    if "Students" in el.tag:
        name = r.students(_text(el, "Students"), ctx)
        return [
            NotAvailable(
                resource_kind="students",
                resource=name,
                slots=slots,
                weight=w,
                label=f"{ctx} ({name})",
            )
        ]
    name = r.room(_text(el, "Room"), ctx)
    return [
        NotAvailable(
            resource_kind="room", resource=name, slots=slots, weight=w, label=f"{ctx} ({name})"
        )
    ]


@_handles("ConstraintActivityPreferredStartingTime")
def _act_start(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = r.act_ids([_text(el, "Activity_Id")], ctx)
    if not acts:
        return []
    dn, hn = _text(el, "Preferred_Day"), _text(el, "Preferred_Hour")
    days = [r.day(dn, ctx)] if dn else range(len(r.days))
    hours = [r.hour(hn, ctx)] if hn else range(len(r.hours))
    slots = frozenset((d, h) for d in days for h in hours)
    locked = _bool(el, "Permanently_Locked", False)
    return [
        PreferredStartingTimes(
            activities=acts,
            slots=slots,
            locked=locked,
            weight=w,
            label=f"{ctx} (activity {acts[0]})",
        )
    ]


@_handles("ConstraintActivityPreferredStartingTimes", "ConstraintActivityPreferredTimeSlots")
def _act_starts(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = r.act_ids([_text(el, "Activity_Id")], ctx)
    if not acts:
        return []
    if "StartingTimes" in el.tag:
        slots = r.slots(
            el, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour", ctx
        )
        return [
            PreferredStartingTimes(
                activities=acts, slots=slots, weight=w, label=f"{ctx} (activity {acts[0]})"
            )
        ]
    slots = r.slots(el, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour", ctx)
    return [
        PreferredTimeSlots(
            activities=acts, slots=slots, weight=w, label=f"{ctx} (activity {acts[0]})"
        )
    ]


@_handles(
    "ConstraintActivitiesPreferredStartingTimes",
    "ConstraintSubactivitiesPreferredStartingTimes",
    "ConstraintActivitiesPreferredTimeSlots",
    "ConstraintSubactivitiesPreferredTimeSlots",
)
def _acts_starts(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    comp = _int(el, "Component_Number") if "Subactivities" in el.tag else None
    acts = r.filtered(el, ctx, comp)
    if not acts:
        return []
    if "StartingTimes" in el.tag:
        slots = r.slots(
            el, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour", ctx
        )
        return [PreferredStartingTimes(activities=acts, slots=slots, weight=w, label=ctx)]
    slots = r.slots(el, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour", ctx)
    return [PreferredTimeSlots(activities=acts, slots=slots, weight=w, label=ctx)]


def _ids(r: _Reader, el: _Element, ctx: str) -> tuple[int, ...]:
    return r.act_ids(_texts(el, "Activity_Id"), ctx)


@_handles("ConstraintMinDaysBetweenActivities")
def _min_days(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if len(acts) < 2:
        return []
    return [
        MinDaysBetween(
            activities=acts,
            min_days=_int(el, "MinDays"),
            consecutive_if_same_day=_bool(el, "Consecutive_If_Same_Day", False),
            weight=w,
            label=ctx,
        )
    ]


@_handles("ConstraintMaxDaysBetweenActivities")
def _max_days(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if len(acts) < 2:
        return []
    return [MaxDaysBetween(activities=acts, max_days=_int(el, "MaxDays"), weight=w, label=ctx)]


@_handles(
    "ConstraintActivitiesSameStartingTime",
    "ConstraintActivitiesSameStartingDay",
    "ConstraintActivitiesSameStartingHour",
    "ConstraintActivitiesNotOverlapping",
)
def _same(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if len(acts) < 2:
        return []
    cls = {
        "ConstraintActivitiesSameStartingTime": SameStartingTime,
        "ConstraintActivitiesSameStartingDay": SameStartingDay,
        "ConstraintActivitiesSameStartingHour": SameStartingHour,
        "ConstraintActivitiesNotOverlapping": NotOverlapping,
    }[str(el.tag)]
    return [cls(activities=acts, weight=w, label=ctx)]


@_handles(
    "ConstraintTwoActivitiesConsecutive",
    "ConstraintTwoActivitiesGrouped",
    "ConstraintTwoActivitiesOrdered",
    "ConstraintTwoActivitiesOrderedIfSameDay",
    "ConstraintThreeActivitiesGrouped",
)
def _pairs(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    tags = ["First_Activity_Id", "Second_Activity_Id"]
    if el.tag == "ConstraintThreeActivitiesGrouped":
        tags.append("Third_Activity_Id")
    raw = [_text(el, t) for t in tags]
    acts = r.act_ids(raw, ctx)
    if len(acts) < len(raw):
        return []  # an inactive activity: FET ignores the constraint
    if el.tag == "ConstraintTwoActivitiesConsecutive":
        return [Consecutive(first=acts[0], second=acts[1], weight=w, label=ctx)]
    if el.tag == "ConstraintTwoActivitiesOrdered":
        return [Ordered(first=acts[0], second=acts[1], weight=w, label=ctx)]
    if el.tag == "ConstraintTwoActivitiesOrderedIfSameDay":
        return [Ordered(first=acts[0], second=acts[1], same_day_only=True, weight=w, label=ctx)]
    return [Grouped(activities=acts, weight=w, label=ctx)]


@_handles("ConstraintMinGapsBetweenActivities")
def _min_gaps(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if len(acts) < 2:
        return []
    return [MinGapsBetween(activities=acts, min_gaps=_int(el, "MinGaps"), weight=w, label=ctx)]


@_handles("ConstraintActivityEndsStudentsDay", "ConstraintActivitiesEndStudentsDay")
def _ends(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    if el.tag == "ConstraintActivityEndsStudentsDay":
        acts = r.act_ids([_text(el, "Activity_Id")], ctx)
    else:
        acts = r.filtered(el, ctx)
    if not acts:
        return []
    return [EndsStudentsDay(activities=acts, weight=w, label=ctx)]


@_handles(
    "ConstraintActivitiesOccupyMaxTimeSlotsFromSelection",
    "ConstraintActivitiesMaxSimultaneousInSelectedTimeSlots",
)
def _selection(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if not acts:
        return []
    slots = r.slots(el, "Selected_Time_Slot", "Selected_Day", "Selected_Hour", ctx)
    if el.tag == "ConstraintActivitiesOccupyMaxTimeSlotsFromSelection":
        return [
            OccupyMaxTimeSlots(
                activities=acts,
                slots=slots,
                max_slots=_int(el, "Max_Number_of_Occupied_Time_Slots"),
                weight=w,
                label=ctx,
            )
        ]
    return [
        MaxSimultaneous(
            activities=acts,
            slots=slots,
            max_activities=_int(el, "Max_Number_of_Simultaneous_Activities"),
            weight=w,
            label=ctx,
        )
    ]


# ---- per teacher / students constraints

_RESOURCE_TYPES: dict[str, tuple[type[ResourceConstraint], str]] = {
    "MaxDaysPerWeek": (MaxDaysPerWeek, "Max_Days_Per_Week"),
    "MinDaysPerWeek": (MinDaysPerWeek, "Minimum_Days_Per_Week"),
    "MaxGapsPerWeek": (MaxGapsPerWeek, "Max_Gaps"),
    "MaxGapsPerDay": (MaxGapsPerDay, "Max_Gaps"),
    "MaxHoursDaily": (MaxHoursDaily, "Maximum_Hours_Daily"),
    "MinHoursDaily": (MinHoursDaily, "Minimum_Hours_Daily"),
    "MaxHoursContinuously": (MaxHoursContinuously, "Maximum_Hours_Continuously"),
    "IntervalMaxDaysPerWeek": (IntervalMaxDaysPerWeek, "Max_Days_Per_Week"),
    "MaxSpanPerDay": (MaxSpanPerDay, "Max_Span"),
    "MinRestingHours": (MinRestingHours, "Minimum_Resting_Hours"),
    "EarlyMaxBeginningsAtSecondHour": (
        EarlyMaxBeginningsAtSecondHour,
        "Max_Beginnings_At_Second_Hour",
    ),
    "MaxBuildingChangesPerDay": (MaxBuildingChangesPerDay, "Max_Building_Changes_Per_Day"),
    "MaxBuildingChangesPerWeek": (MaxBuildingChangesPerWeek, "Max_Building_Changes_Per_Week"),
    "MinGapsBetweenBuildingChanges": (
        MinGapsBetweenBuildingChanges,
        "Min_Gaps_Between_Building_Changes",
    ),
}


def _resource_tags() -> list[str]:
    out = []
    for metric in _RESOURCE_TYPES:
        for who in ("Teacher", "Teachers", "Students", "StudentsSet"):
            if metric == "EarlyMaxBeginningsAtSecondHour" and who.startswith("Teacher"):
                continue
            out.append(f"Constraint{who}{metric}")
            if metric in ("MaxHoursDaily", "MaxHoursContinuously"):
                out.append(f"Constraint{who}ActivityTag{metric}")
    return out


def _resource(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    tag = str(el.tag).removeprefix("Constraint")
    kind: ResourceKind
    for who in ("StudentsSet", "Students", "Teachers", "Teacher"):
        if tag.startswith(who):
            rest = tag[len(who) :]
            break
    else:  # pragma: no cover - registered tags always match
        raise FetError(f"{ctx}: unexpected constraint")
    activity_tag: str | None = None
    if rest.startswith("ActivityTag"):
        rest = rest.removeprefix("ActivityTag")
        activity_tag = _text(el, "Activity_Tag_Name") or _text(el, "Activity_Tag")
        if activity_tag not in r.inst.activity_tags:
            raise FetError(f"{ctx}: unknown activity tag {activity_tag!r}")
    cls, value_tag = _RESOURCE_TYPES[rest]
    resources: tuple[str, ...] = ()
    if who == "Teacher":
        kind = "teacher"
        resources = (r.teacher(_text(el, "Teacher_Name") or _text(el, "Teacher"), ctx),)
    elif who == "Teachers":
        kind = "teacher"
    elif who == "StudentsSet":
        kind = "students"
        resources = (r.students(_text(el, "Students"), ctx),)
    else:
        kind = "students"
    label = ctx + (f" ({resources[0]})" if resources else "")
    value = _int(el, value_tag)
    extra: dict[str, Any]
    if cls is MaxDaysPerWeek or cls is IntervalMaxDaysPerWeek:
        extra = {"max_days": value}
    elif cls is MinDaysPerWeek:
        extra = {"min_days": value}
    elif cls is MaxGapsPerWeek or cls is MaxGapsPerDay:
        extra = {"max_gaps": value}
    elif cls is MaxHoursDaily or cls is MaxHoursContinuously:
        extra = {"max_hours": value}
    elif cls is MinHoursDaily:
        # FET's teacher variant always allowed empty days; the students one says so
        extra = {
            "min_hours": value,
            "allow_empty_days": _bool(el, "Allow_Empty_Days", kind == "teacher"),
        }
    elif cls is MaxSpanPerDay:
        extra = {
            "max_span": value,
            "allow_one_day_exception": _bool(el, "Allow_One_Day_Exception_of_Plus_One", False),
        }
    elif cls is MinRestingHours:
        extra = {"min_hours": value, "circular": _bool(el, "Circular", False)}
    elif cls is MaxBuildingChangesPerDay or cls is MaxBuildingChangesPerWeek:
        extra = {"max_changes": value}
    elif cls is MinGapsBetweenBuildingChanges:
        extra = {"min_gaps": value}
    else:
        extra = {"max_beginnings": value}
    if cls is IntervalMaxDaysPerWeek:
        end_name = _text(el, "Interval_End_Hour")
        extra["start_hour"] = r.hour(_text(el, "Interval_Start_Hour"), ctx)
        extra["end_hour"] = r.hour(end_name, ctx) if end_name else len(r.hours)
    c = cls(
        resource_kind=kind, resources=resources, tag=activity_tag, weight=w, label=label, **extra
    )
    return [c]


for _t in _resource_tags():
    _HANDLERS[_t] = _resource


# ---- space


@_handles("ConstraintActivityPreferredRoom", "ConstraintActivityPreferredRooms")
def _act_room(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = r.act_ids([_text(el, "Activity_Id")], ctx)
    if not acts:
        return []
    rooms: tuple[str, ...]
    if el.tag == "ConstraintActivityPreferredRoom":
        if _int(el, "Number_of_Real_Rooms", 0) > 0:
            r.unsupported["Virtual rooms"] += 1
        rooms = (r.room(_text(el, "Room"), ctx),)
    else:
        rooms = tuple(r.room(x, ctx) for x in _texts(el, "Preferred_Room"))
    return [
        PreferredRooms(activities=acts, rooms=rooms, weight=w, label=f"{ctx} (activity {acts[0]})")
    ]


@_handles(
    "ConstraintSubjectPreferredRoom",
    "ConstraintSubjectPreferredRooms",
    "ConstraintSubjectActivityTagPreferredRoom",
    "ConstraintSubjectActivityTagPreferredRooms",
    "ConstraintActivityTagPreferredRoom",
    "ConstraintActivityTagPreferredRooms",
)
def _subject_room(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    tag = str(el.tag)
    subject = _text(el, "Subject") if "Subject" in tag else None
    atag = _text(el, "Activity_Tag") if "ActivityTag" in tag else None
    if subject is not None and subject not in {s.name for s in r.inst.subjects}:
        raise FetError(f"{ctx}: unknown subject {subject!r}")
    if atag is not None and atag not in r.inst.activity_tags:
        raise FetError(f"{ctx}: unknown activity tag {atag!r}")
    if tag.endswith("Rooms"):
        rooms = tuple(r.room(x, ctx) for x in _texts(el, "Preferred_Room"))
    else:
        rooms = (r.room(_text(el, "Room"), ctx),)
    acts = r.by_subject_tag(subject, atag)
    if not acts:
        return []
    what = ", ".join(x for x in (subject, atag) if x)
    return [PreferredRooms(activities=acts, rooms=rooms, weight=w, label=f"{ctx} ({what})")]


@_handles(
    "ConstraintTeacherHomeRoom",
    "ConstraintTeacherHomeRooms",
    "ConstraintStudentsSetHomeRoom",
    "ConstraintStudentsSetHomeRooms",
)
def _home(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    tag = str(el.tag)
    if tag.endswith("Rooms"):
        rooms = tuple(r.room(x, ctx) for x in _texts(el, "Preferred_Room"))
    else:
        rooms = (r.room(_text(el, "Room"), ctx),)
    if "Teacher" in tag:
        who = r.teacher(_text(el, "Teacher"), ctx)
        acts = tuple(a.id for a in r.inst.activities if a.teachers == (who,))
    else:
        who = r.students(_text(el, "Students"), ctx)
        acts = tuple(a.id for a in r.inst.activities if a.students == (who,))
    if not acts:
        return []
    return [HomeRooms(activities=acts, rooms=rooms, weight=w, label=f"{ctx} ({who})")]


@_handles(
    "ConstraintActivitiesOccupyMaxDifferentRooms", "ConstraintActivitiesSameRoomIfConsecutive"
)
def _room_sets(r: _Reader, el: _Element, ctx: str, w: float) -> Sequence[Constraint]:
    acts = _ids(r, el, ctx)
    if len(acts) < 2:
        return []
    if el.tag == "ConstraintActivitiesOccupyMaxDifferentRooms":
        return [
            OccupyMaxDifferentRooms(
                activities=acts,
                max_rooms=_int(el, "Max_Number_of_Different_Rooms"),
                weight=w,
                label=ctx,
            )
        ]
    return [SameRoomIfConsecutive(activities=acts, weight=w, label=ctx)]


SUPPORTED_TYPES: frozenset[str] = frozenset(
    set(_HANDLERS) | {"ConstraintBasicCompulsoryTime", "ConstraintBasicCompulsorySpace"}
)
"""FET constraint element names this module models."""


# --------------------------------------------------------------------------- warm start


def read_locked_solution(doc: FetDocument) -> Solution:
    """Activities fixed by 100 % single-slot starting-time (and single-room) constraints, e.g.
    a FET ``*_data_and_timetable.fet`` file or one written by ``write_fet_with_solution``."""
    inst = doc.instance
    sol = Solution()
    rooms: dict[int, str] = {}
    for c in inst.constraints:
        if isinstance(c, PreferredRooms) and c.hard and len(c.rooms) == len(c.activities) == 1:
            rooms[c.activities[0]] = c.rooms[0]
    for c in inst.constraints:
        if isinstance(c, PreferredStartingTimes) and c.hard and len(c.slots) == 1:
            ((d, h),) = c.slots
            for aid in c.activities:
                sol.placements[aid] = Placement(d, h, rooms.get(aid))
    return sol


# --------------------------------------------------------------------------- writer


def _sub(parent: _Element, tag: str, text: str | None = None) -> _Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _fmt_weight(w: float) -> str:
    return str(int(w)) if float(w).is_integer() else repr(float(w))


def _raw_names(root: _Element) -> dict[str, dict[str, str]]:
    """Names exactly as the file spells them (keyed by the stripped name we use).

    FET compares names verbatim, trailing spaces and tabs included (Spain/2 has such rooms),
    so locks written back must repeat the original spelling."""
    out: dict[str, dict[str, str]] = {"room": {}, "day": {}, "hour": {}}
    for kind, path in (
        ("room", "Rooms_List/Room"),
        ("day", "Days_List/Day"),
        ("hour", "Hours_List/Hour"),
    ):
        for el in root.iterfind(path):
            name_el = el.find("Name")
            raw = (name_el.text if name_el is not None else el.text) or ""
            out[kind].setdefault(raw.strip(), raw)
    return out


def _lock_elements(
    inst: Instance, solution: Solution, raw: dict[str, dict[str, str]] | None = None
) -> list[_Element]:
    names = raw or {"room": {}, "day": {}, "hour": {}}

    def spelled(kind: str, name: str) -> str:
        return names[kind].get(name, name)

    out = []
    for a in inst.activities:
        p = solution.placements.get(a.id)
        if p is None:
            continue
        c = etree.Element("ConstraintActivityPreferredStartingTime")
        _sub(c, "Weight_Percentage", "100")
        _sub(c, "Activity_Id", str(a.id))
        _sub(c, "Preferred_Day", spelled("day", inst.days[p.day]))
        _sub(c, "Preferred_Hour", spelled("hour", inst.hours[p.hour]))
        _sub(c, "Permanently_Locked", "true")
        _sub(c, "Active", "true")
        _sub(c, "Comments", "locked by oppvekst")
        out.append(c)
        if p.room is not None:
            rc = etree.Element("ConstraintActivityPreferredRoom")
            _sub(rc, "Weight_Percentage", "100")
            _sub(rc, "Activity_Id", str(a.id))
            _sub(rc, "Room", spelled("room", p.room))
            _sub(rc, "Permanently_Locked", "true")
            _sub(rc, "Active", "true")
            _sub(rc, "Comments", "locked by oppvekst")
            out.append(rc)
    return out


def _lock_key(el: _Element) -> tuple[str, ...]:
    if el.tag == "ConstraintActivityPreferredStartingTime":
        return (
            "time",
            _text(el, "Activity_Id"),
            _text(el, "Preferred_Day"),
            _text(el, "Preferred_Hour"),
        )
    return ("room", _text(el, "Activity_Id"), _text(el, "Room"))


def _existing_locks(root: _Element) -> set[tuple[str, ...]]:
    """Active 100 % single-activity time/room constraints already in the file (FET refuses
    duplicates, so the export does not repeat them)."""
    out = set()
    for lst in ("Time_Constraints_List", "Space_Constraints_List"):
        for c in _constraint_elements(root, lst):
            if c.tag not in (
                "ConstraintActivityPreferredStartingTime",
                "ConstraintActivityPreferredRoom",
            ):
                continue
            if not _bool(c, "Active", True):
                continue
            try:
                if float(_text(c, "Weight_Percentage", "100")) != 100.0:
                    continue
            except ValueError:
                continue
            out.add(_lock_key(c))
    return out


def _append_to_list(root: _Element, list_tag: str, elements: Iterable[_Element]) -> None:
    lst = root.find(list_tag)
    if lst is None:
        lst = _sub(root, list_tag)
    for el in elements:
        el.tail = "\n"
        lst.append(el)


def solution_tree(source: FetDocument | Instance, solution: Solution) -> etree._ElementTree:
    """The input as FET XML with the solution added as locked 100 % constraints."""
    if isinstance(source, FetDocument):
        tree = copy.deepcopy(source.tree)
        inst = source.instance
    else:
        inst = source
        tree = etree.ElementTree(instance_to_fet_root(inst))
    root = tree.getroot()
    existing = _existing_locks(root)
    locks = [
        e for e in _lock_elements(inst, solution, _raw_names(root)) if _lock_key(e) not in existing
    ]
    _append_to_list(
        root,
        "Time_Constraints_List",
        [e for e in locks if e.tag == "ConstraintActivityPreferredStartingTime"],
    )
    _append_to_list(
        root,
        "Space_Constraints_List",
        [e for e in locks if e.tag == "ConstraintActivityPreferredRoom"],
    )
    return tree


def write_fet_with_solution(
    source: FetDocument | Instance, solution: Solution, path: str | os.PathLike[str]
) -> None:
    tree = solution_tree(source, solution)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def fet_bytes_with_solution(source: FetDocument | Instance, solution: Solution) -> bytes:
    """The same document as ``write_fet_with_solution`` writes, as bytes (for atomic writes)."""
    tree = solution_tree(source, solution)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def write_fet(inst: Instance, path: str | os.PathLike[str]) -> None:
    etree.ElementTree(instance_to_fet_root(inst)).write(
        str(path), xml_declaration=True, encoding="UTF-8"
    )


def instance_to_fet_root(inst: Instance) -> _Element:
    """FET XML for a model instance (used for generated schools and for tests)."""
    root = etree.Element("fet", version="6.8.5")
    root.text = "\n"
    _sub(root, "Mode", "Official")
    _sub(root, "Institution_Name", inst.name)
    _sub(root, "Comments", "generated by oppvekst")
    dl = _sub(root, "Days_List")
    _sub(dl, "Number_of_Days", str(inst.n_days))
    for d in inst.days:
        _sub(_sub(dl, "Day"), "Name", d)
    hl = _sub(root, "Hours_List")
    _sub(hl, "Number_of_Hours", str(inst.n_hours))
    for h in inst.hours:
        _sub(_sub(hl, "Hour"), "Name", h)
    sl = _sub(root, "Subjects_List")
    subjects = [s.name for s in inst.subjects] or sorted({a.subject for a in inst.activities})
    for s in subjects:
        _sub(_sub(sl, "Subject"), "Name", s)
    tl = _sub(root, "Activity_Tags_List")
    for tag in inst.activity_tags:
        e = _sub(tl, "Activity_Tag")
        _sub(e, "Name", tag)
        _sub(e, "Printable", "true")
    te = _sub(root, "Teachers_List")
    for t in inst.teachers:
        e = _sub(te, "Teacher")
        _sub(e, "Name", t.name)
        _sub(e, "Target_Number_of_Hours", str(t.target_hours or 0))
        _sub(e, "Qualified_Subjects")
    st = _sub(root, "Students_List")
    for y in inst.years:
        ye = _sub(st, "Year")
        _sub(ye, "Name", y.name)
        _sub(ye, "Number_of_Students", str(y.size))
        for g in y.groups:
            ge = _sub(ye, "Group")
            _sub(ge, "Name", g.name)
            _sub(ge, "Number_of_Students", str(g.size))
            for sub in g.subgroups:
                se = _sub(ge, "Subgroup")
                _sub(se, "Name", sub.name)
                _sub(se, "Number_of_Students", str(sub.size))
    al = _sub(root, "Activities_List")
    group_total: dict[int, int] = {}
    for a in inst.activities:
        if a.group_id:
            group_total[a.group_id] = group_total.get(a.group_id, 0) + a.duration
    for a in inst.activities:
        e = _sub(al, "Activity")
        for tname in a.teachers:
            _sub(e, "Teacher", tname)
        _sub(e, "Subject", a.subject)
        for tg in a.tags:
            _sub(e, "Activity_Tag", tg)
        for sname in a.students:
            _sub(e, "Students", sname)
        _sub(e, "Duration", str(a.duration))
        _sub(e, "Total_Duration", str(group_total.get(a.group_id, a.duration)))
        _sub(e, "Id", str(a.id))
        _sub(e, "Activity_Group_Id", str(a.group_id))
        if a.n_students is not None:
            _sub(e, "Number_Of_Students", str(a.n_students))
        _sub(e, "Active", "true")
        _sub(e, "Comments")
    bl = _sub(root, "Buildings_List")
    for b in inst.buildings:
        _sub(_sub(bl, "Building"), "Name", b.name)
    rl = _sub(root, "Rooms_List")
    for r in inst.rooms:
        e = _sub(rl, "Room")
        _sub(e, "Name", r.name)
        _sub(e, "Building", r.building)
        _sub(e, "Capacity", str(r.capacity if r.capacity is not None else 30000))
        _sub(e, "Virtual", "false")
        _sub(e, "Comments", r.kind)
    time_list = _sub(root, "Time_Constraints_List")
    space_list = _sub(root, "Space_Constraints_List")
    basic = _sub(time_list, "ConstraintBasicCompulsoryTime")
    _sub(basic, "Weight_Percentage", "100")
    _sub(basic, "Active", "true")
    _sub(basic, "Comments")
    basic = _sub(space_list, "ConstraintBasicCompulsorySpace")
    _sub(basic, "Weight_Percentage", "100")
    _sub(basic, "Active", "true")
    _sub(basic, "Comments")
    for c in inst.constraints:
        for el, is_space in _constraint_to_xml(inst, c):
            (space_list if is_space else time_list).append(el)
    for el in root.iter():
        if len(el):
            el.text = (el.text or "") + "\n" if not (el.text or "").strip() else el.text
        el.tail = "\n"
    return root


def _new(tag: str, weight: float) -> _Element:
    el = etree.Element(tag)
    _sub(el, "Weight_Percentage", _fmt_weight(weight))
    return el


def _finish(el: _Element, comments: str = "") -> _Element:
    _sub(el, "Active", "true")
    _sub(el, "Comments", comments)
    return el


def _slots_xml(
    el: _Element,
    inst: Instance,
    slots: Iterable[Slot],
    count_tag: str,
    item: str,
    dtag: str,
    htag: str,
) -> None:
    ss = sorted(slots)
    _sub(el, count_tag, str(len(ss)))
    for d, h in ss:
        it = _sub(el, item)
        _sub(it, dtag, inst.days[d])
        _sub(it, htag, inst.hours[h])


def _ids_xml(el: _Element, acts: Sequence[int]) -> None:
    _sub(el, "Number_of_Activities", str(len(acts)))
    for a in acts:
        _sub(el, "Activity_Id", str(a))


def _constraint_to_xml(inst: Instance, c: Constraint) -> list[tuple[_Element, bool]]:
    """FET elements equivalent to one model constraint (bool: is a space constraint)."""
    w = c.weight
    out: list[tuple[_Element, bool]] = []
    if isinstance(c, BreakTimes):
        el = _new("ConstraintBreakTimes", w)
        _slots_xml(el, inst, c.slots, "Number_of_Break_Times", "Break_Time", "Day", "Hour")
        out.append((_finish(el), False))
    elif isinstance(c, NotAvailable):
        tag, field_ = {
            "teacher": ("ConstraintTeacherNotAvailableTimes", "Teacher"),
            "students": ("ConstraintStudentsSetNotAvailableTimes", "Students"),
            "room": ("ConstraintRoomNotAvailableTimes", "Room"),
        }[c.resource_kind]
        el = _new(tag, w)
        _sub(el, field_, c.resource)
        _slots_xml(
            el, inst, c.slots, "Number_of_Not_Available_Times", "Not_Available_Time", "Day", "Hour"
        )
        out.append((_finish(el), c.resource_kind == "room"))
    elif isinstance(c, PreferredStartingTimes):
        for a in c.activities:
            el = _new("ConstraintActivityPreferredStartingTimes", w)
            _sub(el, "Activity_Id", str(a))
            _slots_xml(
                el,
                inst,
                c.slots,
                "Number_of_Preferred_Starting_Times",
                "Preferred_Starting_Time",
                "Preferred_Starting_Day",
                "Preferred_Starting_Hour",
            )
            out.append((_finish(el), False))
    elif isinstance(c, PreferredTimeSlots):
        for a in c.activities:
            el = _new("ConstraintActivityPreferredTimeSlots", w)
            _sub(el, "Activity_Id", str(a))
            _slots_xml(
                el,
                inst,
                c.slots,
                "Number_of_Preferred_Time_Slots",
                "Preferred_Time_Slot",
                "Preferred_Day",
                "Preferred_Hour",
            )
            out.append((_finish(el), False))
    elif isinstance(c, MinDaysBetween):
        el = _new("ConstraintMinDaysBetweenActivities", w)
        _sub(el, "Consecutive_If_Same_Day", "true" if c.consecutive_if_same_day else "false")
        _ids_xml(el, c.activities)
        _sub(el, "MinDays", str(c.min_days))
        out.append((_finish(el), False))
    elif isinstance(c, MaxDaysBetween):
        el = _new("ConstraintMaxDaysBetweenActivities", w)
        _ids_xml(el, c.activities)
        _sub(el, "MaxDays", str(c.max_days))
        out.append((_finish(el), False))
    elif isinstance(c, SameStartingTime | SameStartingDay | SameStartingHour | NotOverlapping):
        tag = {
            SameStartingTime: "ConstraintActivitiesSameStartingTime",
            SameStartingDay: "ConstraintActivitiesSameStartingDay",
            SameStartingHour: "ConstraintActivitiesSameStartingHour",
            NotOverlapping: "ConstraintActivitiesNotOverlapping",
        }[type(c)]
        el = _new(tag, w)
        _ids_xml(el, c.activities)
        out.append((_finish(el), False))
    elif isinstance(c, Consecutive | Ordered):
        if isinstance(c, Consecutive):
            tag = "ConstraintTwoActivitiesConsecutive"
        else:
            tag = (
                "ConstraintTwoActivitiesOrderedIfSameDay"
                if c.same_day_only
                else "ConstraintTwoActivitiesOrdered"
            )
        el = _new(tag, w)
        _sub(el, "First_Activity_Id", str(c.first))
        _sub(el, "Second_Activity_Id", str(c.second))
        out.append((_finish(el), False))
    elif isinstance(c, Grouped):
        tag = (
            "ConstraintThreeActivitiesGrouped"
            if len(c.activities) == 3
            else "ConstraintTwoActivitiesGrouped"
        )
        el = _new(tag, w)
        for t, a in zip(
            ("First_Activity_Id", "Second_Activity_Id", "Third_Activity_Id"),
            c.activities,
            strict=False,
        ):
            _sub(el, t, str(a))
        out.append((_finish(el), False))
    elif isinstance(c, MinGapsBetween):
        el = _new("ConstraintMinGapsBetweenActivities", w)
        _ids_xml(el, c.activities)
        _sub(el, "MinGaps", str(c.min_gaps))
        out.append((_finish(el), False))
    elif isinstance(c, EndsStudentsDay):
        for a in c.activities:
            el = _new("ConstraintActivityEndsStudentsDay", w)
            _sub(el, "Activity_Id", str(a))
            out.append((_finish(el), False))
    elif isinstance(c, OccupyMaxTimeSlots | MaxSimultaneous):
        if isinstance(c, OccupyMaxTimeSlots):
            el = _new("ConstraintActivitiesOccupyMaxTimeSlotsFromSelection", w)
        else:
            el = _new("ConstraintActivitiesMaxSimultaneousInSelectedTimeSlots", w)
        _ids_xml(el, c.activities)
        _slots_xml(
            el,
            inst,
            c.slots,
            "Number_of_Selected_Time_Slots",
            "Selected_Time_Slot",
            "Selected_Day",
            "Selected_Hour",
        )
        if isinstance(c, OccupyMaxTimeSlots):
            _sub(el, "Max_Number_of_Occupied_Time_Slots", str(c.max_slots))
        else:
            _sub(el, "Max_Number_of_Simultaneous_Activities", str(c.max_activities))
        out.append((_finish(el), False))
    elif isinstance(c, ResourceConstraint):
        out.extend((e, False) for e in _resource_to_xml(inst, c))
    elif isinstance(c, PreferredRooms | HomeRooms):
        # Home rooms are written as their FET meaning for the listed activities: preferred
        # rooms (a home room constraint cannot name activities).
        for a in c.activities:
            if len(c.rooms) == 1:
                el = _new("ConstraintActivityPreferredRoom", w)
                _sub(el, "Activity_Id", str(a))
                _sub(el, "Room", c.rooms[0])
                _sub(el, "Permanently_Locked", "false")
            else:
                el = _new("ConstraintActivityPreferredRooms", w)
                _sub(el, "Activity_Id", str(a))
                _sub(el, "Number_of_Preferred_Rooms", str(len(c.rooms)))
                for r in c.rooms:
                    _sub(el, "Preferred_Room", r)
            out.append((_finish(el), True))
    elif isinstance(c, OccupyMaxDifferentRooms):
        el = _new("ConstraintActivitiesOccupyMaxDifferentRooms", w)
        _ids_xml(el, c.activities)
        _sub(el, "Max_Number_of_Different_Rooms", str(c.max_rooms))
        out.append((_finish(el), True))
    elif isinstance(c, SameRoomIfConsecutive):
        el = _new("ConstraintActivitiesSameRoomIfConsecutive", w)
        _ids_xml(el, c.activities)
        out.append((_finish(el), True))
    else:  # pragma: no cover - every model type is handled above
        raise ModelError(f"cannot write {c.kind} to FET")
    return out


def _resource_to_xml(inst: Instance, c: ResourceConstraint) -> list[_Element]:
    metric = type(c).__name__
    tag_part = "ActivityTag" if c.tag else ""
    out = []
    targets: list[str | None] = list(c.resources) if c.resources else [None]
    for res in targets:
        if c.resource_kind == "teacher":
            who = "Teacher" if res is not None else "Teachers"
        else:
            who = "StudentsSet" if res is not None else "Students"
        el = _new(f"Constraint{who}{tag_part}{metric}", c.weight)
        if res is not None:
            if who == "Teacher":
                building = "Building" in metric  # these name the teacher <Teacher>
                _sub(el, "Teacher" if building else "Teacher_Name", res)
            else:
                _sub(el, "Students", res)
        if c.tag:
            _sub(el, "Activity_Tag_Name" if who.startswith("Teacher") else "Activity_Tag", c.tag)
        if isinstance(c, MaxDaysPerWeek):
            _sub(el, "Max_Days_Per_Week", str(c.max_days))
        elif isinstance(c, MinDaysPerWeek):
            _sub(el, "Minimum_Days_Per_Week", str(c.min_days))
        elif isinstance(c, MaxGapsPerWeek | MaxGapsPerDay):
            _sub(el, "Max_Gaps", str(c.max_gaps))
        elif isinstance(c, MaxHoursDaily):
            _sub(el, "Maximum_Hours_Daily", str(c.max_hours))
        elif isinstance(c, MinHoursDaily):
            _sub(el, "Minimum_Hours_Daily", str(c.min_hours))
            _sub(el, "Allow_Empty_Days", "true" if c.allow_empty_days else "false")
        elif isinstance(c, MaxHoursContinuously):
            _sub(el, "Maximum_Hours_Continuously", str(c.max_hours))
        elif isinstance(c, IntervalMaxDaysPerWeek):
            _sub(el, "Interval_Start_Hour", inst.hours[c.start_hour])
            _sub(
                el, "Interval_End_Hour", inst.hours[c.end_hour] if c.end_hour < inst.n_hours else ""
            )
            _sub(el, "Max_Days_Per_Week", str(c.max_days))
        elif isinstance(c, MaxSpanPerDay):
            _sub(el, "Max_Span", str(c.max_span))
            _sub(
                el,
                "Allow_One_Day_Exception_of_Plus_One",
                "true" if c.allow_one_day_exception else "false",
            )
        elif isinstance(c, MinRestingHours):
            _sub(el, "Minimum_Resting_Hours", str(c.min_hours))
            _sub(el, "Circular", "true" if c.circular else "false")
        elif isinstance(c, EarlyMaxBeginningsAtSecondHour):
            _sub(el, "Max_Beginnings_At_Second_Hour", str(c.max_beginnings))
        elif isinstance(c, MaxBuildingChangesPerDay):
            _sub(el, "Max_Building_Changes_Per_Day", str(c.max_changes))
        elif isinstance(c, MaxBuildingChangesPerWeek):
            _sub(el, "Max_Building_Changes_Per_Week", str(c.max_changes))
        elif isinstance(c, MinGapsBetweenBuildingChanges):
            _sub(el, "Min_Gaps_Between_Building_Changes", str(c.min_gaps))
        out.append(_finish(el))
    return out


def constraint_type_counts(root: _Element) -> Counter[str]:
    """Active constraint element names in a FET document (for coverage reports)."""
    out: Counter[str] = Counter()
    for lst in ("Time_Constraints_List", "Space_Constraints_List"):
        for c in _constraint_elements(root, lst):
            if _bool(c, "Active", True):
                out[str(c.tag)] += 1
    return out


__all__ = [
    "HARD",
    "SUPPORTED_TYPES",
    "FetDocument",
    "FetError",
    "constraint_type_counts",
    "fet_bytes_with_solution",
    "instance_to_fet_root",
    "parse_fet_tree",
    "read_fet",
    "read_fet_string",
    "read_locked_solution",
    "solution_tree",
    "write_fet",
    "write_fet_with_solution",
]
