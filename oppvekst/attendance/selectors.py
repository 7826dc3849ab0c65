"""Reads for daily kindergarten and SFO life, scoped through the access policy.

Helpers marked "not access-scoped" take a child or unit the caller has already checked with
`can()`; everything that starts from an actor filters through `scope()`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from oppvekst.access.policy import Actor, allowed_ids, scope
from oppvekst.attendance.engine import daylist, staffing
from oppvekst.attendance.engine.holidays import HolidayRule as RuleData
from oppvekst.attendance.models import (
    Absence,
    Attendance,
    ChildNote,
    Consent,
    ConsentPurpose,
    EmergencyContact,
    HolidayRule,
    PickupAuthorization,
    PickupRestriction,
    StaffPresence,
    month_day,
)
from oppvekst.core.models import ClosedDay, Group, Unit
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement
from oppvekst.staff.models import Employment, GroupAssignment, Position

# Staff who work directly with the children count towards basic staffing (grunnbemanning,
# norway.md §1.8 BASIL; the head of the kindergarten does not).
BASIC_STAFFING_POSITIONS = {Position.PEDAGOGICAL_LEADER, Position.ASSISTANT, Position.TEACHER}
# A kindergarten place without agreed hours is a full-time place (41 hours or more a week).
FULL_TIME_HOURS = Decimal(45)


@dataclass(frozen=True)
class PickupOption:
    key: str
    name: str
    relation: str
    phone: str
    authorization_id: int | None
    one_off: bool


def pickup_options(child: Person, day: dt.date) -> list[PickupOption]:
    """Who may pick the child up on `day`: its guardians and daily carers, and the persons the
    guardians authorised (one-off names included). Not access-scoped."""
    options = [
        PickupOption(
            key=f"guardian:{g.guardian_id}",
            name=g.guardian.full_name,
            relation=str(_("foresatt")),
            phone=g.guardian.phone,
            authorization_id=None,
            one_off=False,
        )
        for g in Guardianship.objects.active_on(day)
        .filter(child=child)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name")
    ]
    for a in (
        PickupAuthorization.objects.active_on(day)
        .filter(child=child, withdrawn_at__isnull=True)
        .order_by("-one_off", "name")
    ):
        options.append(
            PickupOption(
                key=f"pickup:{a.pk}",
                name=a.name,
                relation=a.relation,
                phone=a.phone,
                authorization_id=a.pk,
                one_off=a.one_off,
            )
        )
    return options


def restricted_ids(child_ids: Iterable[int], day: dt.date) -> set[int]:
    """Children with a court or agency pick-up restriction in force: staff see only "contact
    the leader" (operations.md §3.1). Not access-scoped; reveals no content."""
    return set(
        PickupRestriction.objects.active_on(day)
        .filter(child_id__in=list(child_ids))
        .values_list("child_id", flat=True)
    )


def restrictions(actor: Actor, child: Person) -> list[PickupRestriction]:
    if not allowed_ids(actor, "restriction.read", [child.pk]):
        return []
    return list(PickupRestriction.objects.filter(child=child).order_by("-valid_from"))


def holiday_rule_for(unit: Unit) -> RuleData | None:
    """The owner's holiday rule: the private kindergarten's own, else the municipality's for its
    own kindergartens (operations.md §3.2). Not access-scoped (configuration)."""
    row = HolidayRule.objects.filter(unit=unit).first()
    if row is None and unit.owner == "municipal":
        row = HolidayRule.objects.filter(municipality_id=unit.municipality_id, unit=None).first()
    if row is None:
        return None
    return RuleData(
        total_weeks=row.total_weeks,
        consecutive_weeks=row.consecutive_weeks,
        window_start=month_day(row.window_start),
        window_end=month_day(row.window_end),
        deadline=month_day(row.deadline),
        planning_days_count=row.planning_days_count,
        school_starter_cutoff=month_day(row.school_starter_cutoff),
    )


# -- units and day lists ------------------------------------------------------------------------


def units_on_duty(actor: Actor) -> list[Unit]:
    return list(scope(actor, "unit.attendance", Unit.objects.all()).order_by("name"))


def unit_on_duty(actor: Actor, unit_id: int) -> Unit | None:
    return scope(actor, "unit.attendance", Unit.objects.all()).filter(pk=unit_id).first()


def departments(unit: Unit, day: dt.date) -> list[Group]:
    return list(
        Group.objects.active_on(day)
        .filter(unit=unit, kind__in=["department", "sfo_group"])
        .order_by("name")
    )


def is_open(unit: Unit, day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    return (
        not ClosedDay.objects.filter(
            municipality_id=unit.municipality_id, date=day, applies_to=unit.kind
        )
        .exclude(kind="holiday" if unit.kind == "kindergarten" else "")
        .exists()
    )


@dataclass
class ChildRow:
    child: Person
    group: Group | None
    status: str
    absence_reason: str | None
    checked_in: dt.datetime | None
    checked_out: dt.datetime | None
    picked_up_by: str
    attendance_id: int | None
    restricted: bool


@dataclass
class DayView:
    unit: Unit
    day: dt.date
    open: bool
    rows: list[ChildRow]
    adults_present: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def children_per_adult(self) -> Decimal | None:
        ratio = staffing.children_per_adult(self.counts.get("present", 0), self.adults_present)
        if ratio is None:
            return None
        return Decimal(ratio.numerator) / Decimal(ratio.denominator)


def _active_placements(unit: Unit, day: dt.date) -> QuerySet[Placement]:
    return Placement.objects.active_on(day).filter(unit=unit, service__in=["kindergarten", "sfo"])


def day_view(actor: Actor, unit: Unit, day: dt.date, *, group_id: int | None = None) -> DayView:
    """The day's list of one unit (or one department) with the children the actor may check
    in: expected, here, gone home, absent. A fixed number of queries whatever the size."""
    placements = _active_placements(unit, day)
    if group_id is not None:
        placements = placements.filter(group_id=group_id)
    visible = scope(actor, "attendance.check", Person.objects.all())
    placed = list(
        placements.filter(child__in=visible)
        .select_related("child", "group")
        .order_by("child__first_name", "child__last_name", "pk")
    )
    ids = [p.child_id for p in placed]
    absences = [
        daylist.ReportedAbsence(a.child_id, a.first_day, a.last_day, a.reason)
        for a in Absence.objects.filter(
            child_id__in=ids, cancelled_at__isnull=True, first_day__lte=day, last_day__gte=day
        )
    ]
    records = {
        r.child_id: r for r in Attendance.objects.filter(unit=unit, day=day, child_id__in=ids)
    }
    open_today = is_open(unit, day)
    result = daylist.day_list(
        day,
        [daylist.Placed(p.child_id, p.group_id) for p in placed],
        absences,
        [daylist.Visit(r.child_id, r.checked_in_at, r.checked_out_at) for r in records.values()],
        open_today=open_today,
    )
    by_child = {p.child_id: p for p in placed}
    restricted = restricted_ids(ids, day)
    rows = []
    for row in result.rows:
        p = by_child[row.child_id]
        record = records.get(row.child_id)
        rows.append(
            ChildRow(
                child=p.child,
                group=p.group,
                status=row.status.value,
                absence_reason=row.absence_reason,
                checked_in=row.checked_in,
                checked_out=row.checked_out,
                picked_up_by=record.picked_up_by if record else "",
                attendance_id=record.pk if record else None,
                restricted=row.child_id in restricted,
            )
        )
    adults = StaffPresence.objects.filter(unit=unit, day=day, left_at__isnull=True).count()
    counts = Counter(r.status for r in rows)
    return DayView(
        unit=unit, day=day, open=open_today, rows=rows, adults_present=adults, counts=dict(counts)
    )


def live_counts(unit_ids: list[int], day: dt.date) -> dict[int, tuple[int, int]]:
    """unit -> (children in the building, adults present): the live figure (never a norm)."""
    children = dict(
        Attendance.objects.filter(unit_id__in=unit_ids, day=day, checked_out_at__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    adults = dict(
        StaffPresence.objects.filter(unit_id__in=unit_ids, day=day, left_at__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return {u: (children.get(u, 0), adults.get(u, 0)) for u in unit_ids}


# -- formal staffing norms ----------------------------------------------------------------------


def norm_inputs(
    unit_ids: list[int], day: dt.date
) -> dict[int, tuple[list[staffing.NormChild], list[staffing.NormStaff]]]:
    """The engine's input per kindergarten, from placements and employments on `day` (two
    queries for any number of units). Not access-scoped: figures only, no child data."""
    result: dict[int, tuple[list[staffing.NormChild], list[staffing.NormStaff]]] = defaultdict(
        lambda: ([], [])
    )
    for unit_id, child_id, birth, hours, percent in (
        Placement.objects.active_on(day)
        .filter(unit_id__in=unit_ids, service="kindergarten")
        .values_list("unit_id", "child_id", "child__birth_date", "weekly_hours", "place_percent")
    ):
        weekly = hours if hours is not None else FULL_TIME_HOURS * percent / 100
        result[unit_id][0].append(staffing.NormChild(str(child_id), birth, weekly))
    for unit_id, pk, position, percentage in (
        Employment.objects.active_on(day)
        .filter(unit_id__in=unit_ids)
        .values_list("unit_id", "pk", "position", "percentage")
    ):
        result[unit_id][1].append(
            staffing.NormStaff(
                id=str(pk),
                fte=percentage / 100,
                pedagogical_leader=position == Position.PEDAGOGICAL_LEADER,
                basic_staffing=position in BASIC_STAFFING_POSITIONS,
            )
        )
    return result


@dataclass
class StaffingRow:
    unit: Unit
    norms: staffing.NormResult
    children_present: int
    adults_present: int

    @property
    def children_per_adult(self) -> Decimal | None:
        ratio = staffing.children_per_adult(self.children_present, self.adults_present)
        return None if ratio is None else Decimal(ratio.numerator) / Decimal(ratio.denominator)

    @property
    def corrected_per_fte(self) -> str | None:
        value = self.norms.corrected_per_fte
        return None if value is None else staffing.format_2(value)

    @property
    def children_corrected(self) -> str:
        return staffing.format_2(self.norms.children_corrected)

    @property
    def fte_basic(self) -> str:
        return staffing.format_2(self.norms.fte_basic)


def staffing_rows(actor: Actor, day: dt.date, *, unit_id: int | None = None) -> list[StaffingRow]:
    """Formal norms and the live figure for every kindergarten the actor may see (a leader's
    own; a caseworker's whole municipality). A fixed number of queries."""
    units = scope(actor, "unit.staffing_read", Unit.objects.all())
    if unit_id is not None:
        units = units.filter(pk=unit_id)
    unit_list = list(units.order_by("name"))
    ids = [u.pk for u in unit_list]
    inputs = norm_inputs(ids, day)
    live = live_counts(ids, day) if day == actor.day else {}
    rows = []
    for unit in unit_list:
        children, staff = inputs.get(unit.pk, ([], []))
        present, adults = live.get(unit.pk, (0, 0))
        rows.append(
            StaffingRow(
                unit=unit,
                norms=staffing.formal_norms(day, children, staff),
                children_present=present,
                adults_present=adults,
            )
        )
    return rows


def week_norms(unit: Unit, monday: dt.date) -> list[tuple[dt.date, staffing.NormResult]]:
    """The formal norms on each weekday of a week (placements and employments change by date).
    Not access-scoped: the caller checked unit.staffing_read."""
    days = [monday + dt.timedelta(days=i) for i in range(5)]
    out = []
    for day in days:
        children, staff = norm_inputs([unit.pk], day).get(unit.pk, ([], []))
        out.append((day, staffing.formal_norms(day, children, staff)))
    return out


# -- families -----------------------------------------------------------------------------------


@dataclass
class FamilyChild:
    child: Person
    placements: list[Placement]
    today: list[Attendance]
    absences: list[Absence]
    pickups: list[PickupAuthorization]
    can_manage_pickups: bool


def family_overview(actor: Actor) -> list[FamilyChild]:
    """A guardian's children: today's check-in and check-out times, coming absences, the
    pick-up list. A fixed number of queries for any family."""
    ids = actor.ids("child_id", ["guardian", "daily_carer"])
    visible = allowed_ids(actor, "attendance.read", ids)
    managed = allowed_ids(actor, "pickup.manage", visible)
    children = list(Person.objects.filter(pk__in=visible).order_by("birth_date", "pk"))
    placements: dict[int, list[Placement]] = defaultdict(list)
    for p in (
        Placement.objects.active_on(actor.day)
        .filter(child_id__in=visible)
        .select_related("unit")
        .order_by("service")
    ):
        placements[p.child_id].append(p)
    today: dict[int, list[Attendance]] = defaultdict(list)
    for a in Attendance.objects.filter(child_id__in=visible, day=actor.day).select_related("unit"):
        today[a.child_id].append(a)
    absences: dict[int, list[Absence]] = defaultdict(list)
    for ab in Absence.objects.filter(
        child_id__in=visible, cancelled_at__isnull=True, last_day__gte=actor.day
    ).order_by("first_day"):
        absences[ab.child_id].append(ab)
    pickups: dict[int, list[PickupAuthorization]] = defaultdict(list)
    for pa in (
        PickupAuthorization.objects.not_ended_by(actor.day)
        .filter(
            child_id__in=visible,
            withdrawn_at__isnull=True,
        )
        .order_by("name")
    ):
        pickups[pa.child_id].append(pa)
    return [
        FamilyChild(
            child=c,
            placements=placements[c.pk],
            today=today[c.pk],
            absences=absences[c.pk],
            pickups=pickups[c.pk],
            can_manage_pickups=c.pk in managed,
        )
        for c in children
    ]


def child_absences(actor: Actor, child_id: int) -> list[Absence] | None:
    """None when the actor may not know the child exists (404)."""
    if not allowed_ids(actor, "absence.read", [child_id]):
        return None
    return list(
        Absence.objects.filter(child_id=child_id, cancelled_at__isnull=True).order_by(
            "-first_day", "-pk"
        )[:200]
    )


def units_attended(child: Person, day: dt.date) -> list[Unit]:
    return [
        p.unit for p in Placement.objects.active_on(day).filter(child=child).select_related("unit")
    ]


def scope_units(actor: Actor, action: str) -> QuerySet[Unit]:
    return scope(actor, action, Unit.objects.all())


def is_present(actor: Actor, unit: Unit, day: dt.date) -> bool:
    if actor.person is None:
        return False
    return StaffPresence.objects.filter(
        person=actor.person, unit=unit, day=day, left_at__isnull=True
    ).exists()


# -- departments --------------------------------------------------------------------------------


@dataclass
class DepartmentChild:
    placement: Placement
    child: Person
    age: int
    over_3: bool


@dataclass
class Department:
    group: Group | None
    children: list[DepartmentChild]
    staff: list[tuple[Person, str]]

    @property
    def under_3(self) -> int:
        return sum(1 for c in self.children if not c.over_3)


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def department_overview(actor: Actor, unit: Unit, day: dt.date) -> list[Department]:
    """Each department of the unit with its children (age, and under/over 3 by the August rule,
    norway.md §1.7; place size) and staff, plus children placed without a department. A fixed
    number of queries."""

    groups = departments(unit, day)
    visible = scope(actor, "department.move", Person.objects.all())
    placements = list(
        Placement.objects.not_ended_by(day)
        .filter(
            unit=unit,
            service__in=["kindergarten", "sfo"],
            child__in=visible,
        )
        .select_related("child")
        .order_by("child__birth_date", "child__last_name", "pk")
    )
    by_group: dict[int | None, list[DepartmentChild]] = defaultdict(list)
    for p in placements:
        if p.valid_from > day:
            continue  # a move that has not happened yet shows under the old department
        by_group[p.group_id].append(
            DepartmentChild(
                placement=p,
                child=p.child,
                age=_age(p.child.birth_date, day),
                over_3=staffing.counts_as_over_3(p.child.birth_date, day),
            )
        )
    staff: dict[int, list[tuple[Person, str]]] = defaultdict(list)
    for a in (
        GroupAssignment.objects.active_on(day)
        .filter(group__in=groups)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    ):
        staff[a.group_id].append((a.person, a.get_role_display()))
    result = [Department(g, by_group.get(g.pk, []), staff.get(g.pk, [])) for g in groups]
    loose = [c for gid, cs in by_group.items() if gid not in {g.pk for g in groups} for c in cs]
    if loose:
        result.append(Department(None, loose, []))
    return result


@dataclass
class ChartDay:
    day: dt.date
    norms: staffing.NormResult
    corrected_per_fte: str | None
    value: float


def week_chart(week: list[tuple[dt.date, staffing.NormResult]]) -> list[ChartDay]:
    """Bars for a <meter> chart (no inline styles under the CSP): the formal ratio per day."""
    out = []
    for day, norms in week:
        ratio = norms.corrected_per_fte
        out.append(
            ChartDay(
                day=day,
                norms=norms,
                corrected_per_fte=None if ratio is None else staffing.format_2(ratio),
                value=0.0 if ratio is None else min(float(ratio), 12.0),
            )
        )
    return out


# -- the child's record -------------------------------------------------------------------------


@dataclass
class ConsentLine:
    purpose: str
    label: str
    answers: list[tuple[Person, bool | None, dt.datetime | None]]  # per guardian

    @property
    def all_granted(self) -> bool:
        """Every guardian with parental responsibility said yes (a missing answer is a no)."""
        return bool(self.answers) and all(granted for _p, granted, _at in self.answers)


@dataclass
class ChildRecord:
    child: Person
    allergies_and_diet: list[ChildNote]
    health: list[ChildNote] | None  # None: withheld from this actor
    consents: list[ConsentLine]
    emergency_contacts: list[EmergencyContact]
    guardians: list[Person]


def child_record(actor: Actor, child: Person) -> ChildRecord:
    """What the actor may see of the child's record: health notes only for the family, the
    child's own staff and leaders (operations.md §3.3); identity number and address are not
    part of it. The caller checked child_record.read."""
    health_ok = bool(allowed_ids(actor, "health.read", [child.pk]))
    notes = list(ChildNote.objects.filter(child=child, removed_at__isnull=True))
    guardians = [
        g.guardian
        for g in Guardianship.objects.active_on(actor.day)
        .filter(child=child, parental_responsibility=True)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name")
    ]
    latest: dict[tuple[int, str], Consent] = {}
    for c in Consent.objects.filter(child=child).order_by("at", "pk"):
        latest[(c.guardian_id, c.purpose)] = c
    consents = []
    for purpose, label in ConsentPurpose.choices:
        answers: list[tuple[Person, bool | None, dt.datetime | None]] = []
        for g in guardians:
            found = latest.get((g.pk, purpose))
            answers.append((g, found.granted if found else None, found.at if found else None))
        consents.append(ConsentLine(purpose, str(label), answers))
    return ChildRecord(
        child=child,
        allergies_and_diet=[n for n in notes if n.kind != "health"],
        health=[n for n in notes if n.kind == "health"] if health_ok else None,
        consents=consents,
        emergency_contacts=list(
            EmergencyContact.objects.filter(child=child, removed_at__isnull=True)
        ),
        guardians=guardians,
    )


def consent_history(child: Person) -> list[Consent]:
    """Every answer ever given, newest first. Not access-scoped: the caller checked the child."""
    return list(
        Consent.objects.filter(child=child).select_related("guardian").order_by("-at", "-pk")
    )
