"""A thin adapter between the database and the pure matching (oppvekst/admission/matching.py).

It loads one admission round's waiting list, turns each kindergarten's ordered criteria
(domain §1.4, § 18 always first) into priority classes, and turns the pure result's cut-offs
back into explanations people can read. No matching logic lives here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oppvekst.admission.engine import matching, rights
from oppvekst.admission.models import (
    AUTOMATIC_CRITERIA,
    SECTION_18_KINDS,
    AdmissionCriterion,
    AdmissionRound,
    AdmissionService,
    AgeGroup,
    Application,
    ApplicationStatus,
    ClaimStatus,
    CriterionKind,
    Offer,
    OfferStatus,
    PriorityClaim,
    RoundCapacity,
    RoundKind,
    Wish,
)
from oppvekst.core.models import Owner, Unit

SECTION_18_CLASS = 0
CLASS_STEP = 10
# Late applications (after the main admission's deadline) come after every on-time applicant
# of the same priority class: their tie-break is pushed past all birth-date ordinals.
LATE_OFFSET = 10_000_000.0
# Claims that hold only at one kindergarten (the sibling's, the employer's).
UNIT_BOUND_CLAIMS = {CriterionKind.SIBLING, CriterionKind.EMPLOYEE_CHILD}


def tiebreak_for(birth_date: dt.date, *, late: bool) -> float:
    """Within a priority class the oldest child goes first (domain §1.4, Holmestrand/Bodø)."""
    return float(birth_date.toordinal()) + (LATE_OFFSET if late else 0.0)


def birth_date_of_tiebreak(tiebreak: float) -> tuple[dt.date, bool]:
    late = tiebreak >= LATE_OFFSET
    ordinal = int(tiebreak - (LATE_OFFSET if late else 0.0))
    return dt.date.fromordinal(max(1, ordinal)), late


def kindergarten_year_end(year: int) -> dt.date:
    return dt.date(year + 1, 7, 31)


def main_deadline(rnd: AdmissionRound) -> dt.date:
    """The deadline of the main admission of the round's kindergarten year (§1.2: the right
    needs an application by it); the round's own deadline when there is no main round."""
    if rnd.kind == RoundKind.MAIN:
        return rnd.deadline
    year = rnd.kindergarten_year
    main = (
        AdmissionRound.objects.filter(
            municipality_id=rnd.municipality_id,
            service=rnd.service,
            kind=RoundKind.MAIN,
            start_date__gte=dt.date(year, 8, 1),
            start_date__lte=kindergarten_year_end(year),
        )
        .order_by("start_date")
        .first()
    )
    return main.deadline if main is not None else rnd.deadline


def offer_start(rnd: AdmissionRound, application: Application) -> dt.date:
    return max(rnd.start_date, application.desired_start)


def age_group_for(service: str, birth_date: dt.date, start: dt.date) -> str:
    if service == AdmissionService.SFO:
        return AgeGroup.ALL
    return rights.age_group(birth_date, start)


@dataclass
class CriteriaBook:
    """Each unit's ordered criteria: its own, else the municipal list for municipal units,
    else none (private kindergartens without vedtekter criteria: only § 18)."""

    own: dict[int, list[AdmissionCriterion]]
    municipal: list[AdmissionCriterion]
    owners: dict[int, str]

    def for_unit(self, unit_id: int) -> list[AdmissionCriterion]:
        if unit_id in self.own:
            return self.own[unit_id]
        if self.owners.get(unit_id) == Owner.MUNICIPAL:
            return self.municipal
        return []

    @classmethod
    def load(cls, municipality_id: int, unit_ids: set[int]) -> CriteriaBook:
        own: dict[int, list[AdmissionCriterion]] = defaultdict(list)
        municipal: list[AdmissionCriterion] = []
        for c in AdmissionCriterion.objects.filter(municipality_id=municipality_id).order_by(
            "position", "pk"
        ):
            if c.unit_id is None:
                municipal.append(c)
            elif c.unit_id in unit_ids:
                own[c.unit_id].append(c)
        owners = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "owner"))
        return cls(own=dict(own), municipal=municipal, owners=owners)


def priority_at(
    unit_id: int,
    *,
    book: CriteriaBook,
    approved: list[PriorityClaim],
    birth_date: dt.date,
    kindergarten_year: int,
) -> tuple[int, str]:
    """(priority class, label) of an applicant at a unit: 0 for an approved § 18 claim, else
    10 × the position of the first of the unit's criteria the applicant meets, else the
    default class (no priority)."""
    if any(c.kind in SECTION_18_KINDS for c in approved):
        return SECTION_18_CLASS, _("§ 18 (nedsatt funksjonsevne eller barnevern)")
    for index, criterion in enumerate(book.for_unit(unit_id), start=1):
        if criterion.kind in AUTOMATIC_CRITERIA:
            met = (
                criterion.kind == CriterionKind.LAST_YEAR
                and birth_date.year == kindergarten_year - 5
            )
        else:
            met = any(
                c.kind == criterion.kind
                and (c.kind not in UNIT_BOUND_CLAIMS or c.unit_id == unit_id)
                for c in approved
            )
        if met:
            return index * CLASS_STEP, str(criterion)
    return matching.DEFAULT_PRIORITY, _("Ingen særskilt prioritet")


@dataclass
class LoadedApplicant:
    application: Application
    applicant: matching.Applicant
    start_date: dt.date
    age_group: str
    wish_ranks: dict[int, int]
    held_rank: int | None
    has_right: bool
    right_from: dt.date | None
    labels: dict[int, str] = field(default_factory=dict)


@dataclass
class Instance:
    round: AdmissionRound
    units: list[matching.Unit]
    unit_rows: dict[int, Unit]
    capacity: dict[int, dict[str, int]]
    applicants: list[LoadedApplicant]
    pending_claims: int

    def by_id(self) -> dict[str, LoadedApplicant]:
        return {a.applicant.id: a for a in self.applicants}


def pool(rnd: AdmissionRound) -> QuerySet[Application]:
    """The round's waiting list: submitted applications, and those who accepted a lower wish
    and stay on the list for higher ones (domain §1.3), wanting a start in the round's
    kindergarten year."""
    return Application.objects.filter(
        municipality_id=rnd.municipality_id,
        service=rnd.service,
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED],
        submitted_at__isnull=False,
        desired_start__lte=kindergarten_year_end(rnd.kindergarten_year),
    )


def load(rnd: AdmissionRound, *, lock: bool = False, unit_ids: set[int] | None = None) -> Instance:
    """Everything the matching needs, in a handful of queries.

    With `unit_ids`, only the applications that wish one of those units: enough for their
    waiting lists, since an applicant's place in a unit's order depends on that applicant
    alone (domain §1.3–§1.4), not the whole municipality's round."""
    qs = pool(rnd).select_related("child").order_by("pk")
    if unit_ids is not None:
        qs = qs.filter(pk__in=Wish.objects.filter(unit_id__in=unit_ids).values("application_id"))
    if lock:
        qs = qs.select_for_update(of=("self",))
    applications = list(qs)
    app_ids = [a.pk for a in applications]
    wishes: dict[int, list[Wish]] = defaultdict(list)
    for w in Wish.objects.filter(application_id__in=app_ids).order_by("application_id", "rank"):
        wishes[w.application_id].append(w)
    approved: dict[int, list[PriorityClaim]] = defaultdict(list)
    pending_claims = 0
    for c in PriorityClaim.objects.filter(application_id__in=app_ids):
        if c.status == ClaimStatus.APPROVED:
            approved[c.application_id].append(c)
        elif c.status == ClaimStatus.PENDING:
            pending_claims += 1
    held: dict[int, int | None] = dict(
        Offer.objects.filter(
            application_id__in=[
                a.pk for a in applications if a.status == ApplicationStatus.ACCEPTED
            ],
            status=OfferStatus.ACCEPTED,
        )
        .order_by("created_at")
        .values_list("application_id", "wish_rank")
    )
    capacity: dict[int, dict[str, int]] = defaultdict(dict)
    for row in RoundCapacity.objects.filter(round=rnd):
        capacity[row.unit_id][row.age_group] = row.seats
    unit_ids = set(capacity) | {w.unit_id for ws in wishes.values() for w in ws}
    unit_rows = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    book = CriteriaBook.load(rnd.municipality_id, unit_ids)
    deadline = main_deadline(rnd)
    year = rnd.kindergarten_year

    loaded: list[LoadedApplicant] = []
    for app in applications:
        child = app.child
        held_rank = held.get(app.pk)
        ranked = [w for w in wishes[app.pk] if held_rank is None or (w.rank or 0) < held_rank]
        if not ranked:
            continue
        start = offer_start(rnd, app)
        group = age_group_for(rnd.service, child.birth_date, start)
        priority: dict[str, int] = {}
        labels: dict[int, str] = {}
        for w in ranked:
            klass, label = priority_at(
                w.unit_id,
                book=book,
                approved=approved[app.pk],
                birth_date=child.birth_date,
                kindergarten_year=year,
            )
            labels[w.unit_id] = label
            if klass != matching.DEFAULT_PRIORITY:
                priority[str(w.unit_id)] = klass
        if rnd.service == AdmissionService.KINDERGARTEN:
            right = rights.right_to_place(
                birth_date=child.birth_date,
                admission_year=year,
                deadline=deadline,
                applied_on=timezone.localtime(app.submitted_at).date()
                if app.submitted_at
                else None,
                resident=child.municipality_id == rnd.municipality_id,
            )
            # A child moving between kindergartens already has its place (§ 16 is met).
            has_right = right.has_right and not app.is_transfer
            right_from = right.right_from
        else:
            has_right, right_from = False, None
        loaded.append(
            LoadedApplicant(
                application=app,
                applicant=matching.Applicant(
                    id=str(app.pk),
                    age_group=group,
                    choices=tuple(str(w.unit_id) for w in ranked),
                    tiebreak=app.tiebreak,
                    priority=priority,
                ),
                start_date=start,
                age_group=group,
                wish_ranks={w.unit_id: w.rank for w in ranked},
                held_rank=held_rank,
                has_right=has_right,
                right_from=right_from,
                labels=labels,
            )
        )
    units = [
        matching.Unit(id=str(uid), capacity=dict(capacity.get(uid, {}))) for uid in sorted(unit_ids)
    ]
    return Instance(
        round=rnd,
        units=units,
        unit_rows=unit_rows,
        capacity=dict(capacity),
        applicants=loaded,
        pending_claims=pending_claims,
    )


def describe_class(klass: float | None, label_here: str) -> str:
    if klass is None:
        return ""
    if klass == SECTION_18_CLASS:
        return _("§ 18")
    if klass == matching.DEFAULT_PRIORITY:
        return _("ingen særskilt prioritet")
    return label_here


def explanation(
    result: matching.MatchResult, item: LoadedApplicant, instance: Instance, book: CriteriaBook
) -> list[dict[str, Any]]:
    """The pure explanation with names and readable priority classes, for letters and pages.
    The cut-off applicant is never named (it is another child)."""
    out: list[dict[str, Any]] = []
    for wish in matching.explain(result, item.applicant):
        unit_id = int(wish["unit"])
        unit = instance.unit_rows.get(unit_id)
        criteria = book.for_unit(unit_id)
        cut_label = ""
        if wish["cutoff_priority"] is not None:
            klass = wish["cutoff_priority"]
            if klass not in (SECTION_18_CLASS, matching.DEFAULT_PRIORITY):
                position = int(klass) // CLASS_STEP
                cut_label = str(criteria[position - 1]) if 0 < position <= len(criteria) else ""
            else:
                cut_label = describe_class(klass, "")
        cut_birth = None
        cut_late = False
        if wish["cutoff_tiebreak"] is not None:
            born, cut_late = birth_date_of_tiebreak(float(wish["cutoff_tiebreak"]))
            cut_birth = born.isoformat()
        out.append(
            {
                "rank": wish["rank"],
                "unit_id": unit_id,
                "unit_name": unit.name if unit else str(unit_id),
                "reason": wish["reason"],
                "own_class": wish["own_priority"],
                "own_label": item.labels.get(unit_id, ""),
                "cutoff_class": wish["cutoff_priority"],
                "cutoff_label": cut_label,
                "cutoff_birth_date": cut_birth,
                "cutoff_late": cut_late,
            }
        )
    return out
