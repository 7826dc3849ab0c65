"""Reads for admission, always through the access policy (oppvekst.access.policy)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from oppvekst.access.builders import UNIT_LEADERS
from oppvekst.access.policy import Actor, can, scope
from oppvekst.access.roles import RoleName
from oppvekst.admission import adapters
from oppvekst.admission.engine import matching, rights
from oppvekst.admission.models import (
    SECTION_18_KINDS,
    AdmissionRound,
    AdmissionService,
    AgeGroup,
    Application,
    ApplicationStatus,
    ClaimStatus,
    Offer,
    OfferStatus,
    PriorityClaim,
    RoundCapacity,
    RoundOutcome,
    RoundStatus,
    Wish,
)
from oppvekst.admission.permissions import AdmissionAction, admission_units
from oppvekst.admission.services import remaining_seats
from oppvekst.core.models import Group, GroupKind, Unit, UnitKind
from oppvekst.core.permissions import UnitAction
from oppvekst.errors import NotFoundError
from oppvekst.people import disclosure
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement, Service
from oppvekst.placements.permissions import PlacementAction
from oppvekst.workspace.models import Notification

QUEUE_ORDERINGS: dict[str, tuple[str, ...]] = {
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "name": ("child__last_name", "child__first_name", "pk"),
    "-name": ("-child__last_name", "-child__first_name", "-pk"),
    "birth_date": ("child__birth_date", "pk"),
    "-birth_date": ("-child__birth_date", "-pk"),
    "status": ("status", "pk"),
}


def km_between(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """Great-circle distance (haversine) in km; None without coordinates."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    assert lat1 is not None and lon1 is not None and lat2 is not None and lon2 is not None
    rad = math.radians
    a = (
        math.sin(rad(lat2 - lat1) / 2) ** 2
        + math.cos(rad(lat1)) * math.cos(rad(lat2)) * math.sin(rad(lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _with_details(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("child", "round", "school").prefetch_related(
        Prefetch("wishes", queryset=Wish.objects.select_related("unit").order_by("rank")),
        Prefetch("claims", queryset=PriorityClaim.objects.select_related("unit").order_by("pk")),
        Prefetch("offers", queryset=Offer.objects.select_related("unit").order_by("-pk")),
    )


# -- staff -----------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    search: str = ""
    status: str = ""
    service: str = ""
    round_id: int | None = None
    unit_id: int | None = None
    pending_claims: bool = False
    ordering: str = "-submitted"


def application_queue(
    actor: Actor, filters: QueueFilters, *, limit: int = 25, offset: int = 0
) -> tuple[list[Application], int]:
    """One page of the applications the actor may see, and the total count."""
    qs = scope(actor, AdmissionAction.APPLICATION_READ, Application.objects.all())
    if filters.status in ApplicationStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.service in AdmissionService.values:
        qs = qs.filter(service=filters.service)
    if filters.round_id:
        qs = qs.filter(Q(round_id=filters.round_id) | Q(outcomes__round_id=filters.round_id))
    if filters.unit_id:
        qs = qs.filter(
            Exists(Wish.objects.filter(application=OuterRef("pk"), unit_id=filters.unit_id))
        )
    if filters.pending_claims:
        qs = qs.filter(
            Exists(
                PriorityClaim.objects.filter(application=OuterRef("pk"), status=ClaimStatus.PENDING)
            )
        )
    for word in filters.search.split():
        if word.lstrip("#").isdigit():
            qs = qs.filter(pk=int(word.lstrip("#")))
        else:
            qs = qs.filter(
                Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word)
            )
    qs = qs.distinct()
    count = qs.count()
    order = QUEUE_ORDERINGS.get(filters.ordering, QUEUE_ORDERINGS["-submitted"])
    page = list(_with_details(qs.order_by(*order))[offset : offset + limit])
    return page, count


def application_detail(actor: Actor, application_id: int) -> Application:
    """404 for an application the actor may not know exists."""
    app = (
        _with_details(scope(actor, AdmissionAction.APPLICATION_READ, Application.objects.all()))
        .filter(pk=application_id)
        .first()
    )
    if app is None:
        raise NotFoundError("Not found.")
    return app


def shown_units(actor: Actor, child: Person) -> set[int] | None:
    """Units that may be named next to this child in an offer or a result: all (None) where the
    actor may see the child's location, otherwise only the actor's own kindergartens — the
    offers it made itself (domain/norway.md §6.1, item 2)."""
    return shown_units_by_child(actor, [child.pk])[child.pk]


def shown_units_by_child(actor: Actor, child_ids: list[int]) -> dict[int, set[int] | None]:
    """`shown_units` for a page of children in one query."""
    located = disclosure.located_children(actor, child_ids)
    own = actor.ids("unit_id", UNIT_LEADERS)
    return {pk: None if pk in located else own for pk in child_ids}


def rounds_for(actor: Actor) -> list[AdmissionRound]:
    return list(
        scope(actor, AdmissionAction.ROUND_READ, AdmissionRound.objects.all())
        .select_related("municipality")
        .annotate(n_offers=Count("offers"))
        .order_by("-start_date", "-pk")
    )


def round_detail(actor: Actor, round_id: int) -> AdmissionRound:
    rnd = (
        scope(actor, AdmissionAction.ROUND_READ, AdmissionRound.objects.all())
        .select_related("municipality", "committed_by")
        .filter(pk=round_id)
        .first()
    )
    if rnd is None:
        raise NotFoundError("Not found.")
    return rnd


@dataclass
class CapacityRow:
    unit: Unit
    seats: dict[str, int]
    offers: dict[str, int]
    can_edit: bool
    cells: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def offers_total(self) -> int:
        return sum(self.offers.values())


def round_capacity(actor: Actor, rnd: AdmissionRound) -> list[CapacityRow]:
    """Capacity per unit and age group: all units for a caseworker, own units for a leader."""
    kind = UnitKind.SFO if rnd.service == AdmissionService.SFO else UnitKind.KINDERGARTEN
    units = scope(
        actor,
        UnitAction.READ,
        Unit.objects.filter(municipality_id=rnd.municipality_id, kind=kind).order_by("name"),
    )
    manageable = set(
        scope(
            actor,
            AdmissionAction.UNIT_MANAGE,
            Unit.objects.filter(municipality_id=rnd.municipality_id),
        ).values_list("pk", flat=True)
    )
    if not can(actor, AdmissionAction.ROUND_MANAGE, rnd):
        units = units.filter(pk__in=manageable)
    seats: dict[int, dict[str, int]] = defaultdict(dict)
    for c in RoundCapacity.objects.filter(round=rnd):
        seats[c.unit_id][c.age_group] = c.seats
    offers: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, group, n in (
        Offer.objects.filter(round=rnd, status__in=[OfferStatus.PENDING, OfferStatus.ACCEPTED])
        .values_list("unit_id", "age_group")
        .annotate(n=Count("pk"))
    ):
        offers[unit_id][group] = n
    editable = rnd.status != RoundStatus.COMMITTED
    groups = age_groups_for(rnd.service)
    return [
        CapacityRow(
            unit=u,
            seats=seats.get(u.pk, {}),
            offers=offers.get(u.pk, {}),
            can_edit=editable and u.pk in manageable,
            cells=[(value, label, seats.get(u.pk, {}).get(value, 0)) for value, label in groups],
        )
        for u in units
    ]


def age_groups_for(service: str) -> list[tuple[str, str]]:
    if service == AdmissionService.SFO:
        return [(AgeGroup.ALL, str(AgeGroup.ALL.label))]
    return [
        (AgeGroup.UNDER3, str(AgeGroup.UNDER3.label)),
        (AgeGroup.OVER3, str(AgeGroup.OVER3.label)),
    ]


# -- waiting lists ---------------------------------------------------------------------------


def current_round(municipality_id: int, service: str) -> AdmissionRound | None:
    """The open round of the municipality and service, else the last committed one."""
    rounds = AdmissionRound.objects.filter(municipality_id=municipality_id, service=service)
    return (
        rounds.exclude(status=RoundStatus.COMMITTED).order_by("start_date", "pk").first()
        or rounds.order_by("-committed_at", "-pk").first()
    )


@dataclass
class WaitingRow:
    position: int
    of: int
    application: Application
    age_group: str
    priority_class: float
    priority_label: str
    birth_date: dt.date
    late: bool
    wish_rank: int


@dataclass
class WaitingLists:
    round: AdmissionRound | None
    by_group: dict[str, list[WaitingRow]] = field(default_factory=dict)

    def rows(self) -> list[WaitingRow]:
        return [r for rows in self.by_group.values() for r in rows]


def _ordered(
    instance: adapters.Instance, unit_id: int
) -> dict[str, list[adapters.LoadedApplicant]]:
    key = str(unit_id)
    groups: dict[str, list[adapters.LoadedApplicant]] = defaultdict(list)
    for item in instance.applicants:
        if key in item.applicant.choices:
            groups[item.age_group].append(item)
    for items in groups.values():
        items.sort(key=lambda a: a.applicant.key_at(key))
    return groups


def waiting_lists(unit: Unit, service: str) -> WaitingLists:
    """The unit's waiting list (søkerliste) per age group, in the order the unit would admit:
    priority class by its criteria (§ 18 first), then age (oldest first), then the rest
    (domain §1.3–§1.4). Not access-scoped: callers check unit.admission_manage."""
    rnd = current_round(unit.municipality_id, service)
    if rnd is None:
        return WaitingLists(round=None)
    instance = adapters.load(rnd, unit_ids={unit.pk})
    out = WaitingLists(round=rnd)
    for group, items in sorted(_ordered(instance, unit.pk).items()):
        rows = []
        for pos, item in enumerate(items, start=1):
            born, late = adapters.birth_date_of_tiebreak(item.applicant.tiebreak)
            rows.append(
                WaitingRow(
                    position=pos,
                    of=len(items),
                    application=item.application,
                    age_group=group,
                    priority_class=item.applicant.priority.get(
                        str(unit.pk), matching.DEFAULT_PRIORITY
                    ),
                    priority_label=item.labels.get(unit.pk, ""),
                    birth_date=born,
                    late=late,
                    wish_rank=item.wish_ranks.get(unit.pk, 0),
                )
            )
        out.by_group[group] = rows
    return out


@dataclass
class WishPosition:
    unit_id: int
    position: int
    of: int
    label: str


def wish_positions(app: Application) -> dict[int, WishPosition]:
    """Where the application stands on each wished unit's list (explained to the family)."""
    if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED):
        return {}
    rnd = current_round(app.municipality_id, app.service)
    if rnd is None:
        return {}
    wished = set(app.wishes.values_list("unit_id", flat=True))
    instance = adapters.load(rnd, unit_ids=wished)
    mine = next((a for a in instance.applicants if a.application.pk == app.pk), None)
    if mine is None:
        return {}
    out: dict[int, WishPosition] = {}
    for key in mine.applicant.choices:
        unit_id = int(key)
        ranked = [
            a
            for a in instance.applicants
            if key in a.applicant.choices and a.age_group == mine.age_group
        ]
        ranked.sort(key=lambda a: a.applicant.key_at(key))
        pos = next(i for i, a in enumerate(ranked, start=1) if a is mine)
        out[unit_id] = WishPosition(unit_id, pos, len(ranked), mine.labels.get(unit_id, ""))
    return out


@dataclass
class ClaimEffect:
    claim: PriorityClaim
    counts: bool
    text: str


@dataclass
class WishClaims:
    """What the application's priority claims do at one wished unit, in words."""

    unit_id: int
    effects: list[ClaimEffect]


def wish_claim_effects(app: Application) -> dict[int, WishClaims]:
    """Per wish: does each claim count at that kindergarten, and why (domain/norway.md § 1.4:
    § 18 comes first everywhere; other claims count only where the kindergarten's criteria
    name them; a sibling or employee claim only at the kindergarten it names)."""
    claims = [c for c in app.claims.all() if c.status != ClaimStatus.REJECTED]
    wishes = list(app.wishes.all())
    if not claims or not wishes:
        return {}
    book = adapters.CriteriaBook.load(app.municipality_id, {w.unit_id for w in wishes})
    out: dict[int, WishClaims] = {}
    for wish in wishes:
        criteria = book.for_unit(wish.unit_id)
        positions = {c.kind: i for i, c in enumerate(criteria, start=1)}
        effects = []
        for claim in claims:
            pending = claim.status == ClaimStatus.PENDING
            if claim.kind in SECTION_18_KINDS:
                counts, text = True, _("Gir førsteprioritet her (barnehageloven § 18).")
            elif claim.kind in adapters.UNIT_BOUND_CLAIMS and claim.unit_id != wish.unit_id:
                counts, text = False, _("Teller ikke her: kravet gjelder en annen barnehage.")
            elif claim.kind in positions:
                counts = True
                text = _("Teller her: kriterium nr. %(n)s i barnehagens opptakskriterier.") % {
                    "n": positions[claim.kind]
                }
            else:
                counts = False
                text = _("Teller ikke her: barnehagen har ikke dette blant sine opptakskriterier.")
            if pending and counts:
                text = f"{text} {_('Gjelder når kravet er godkjent.')}"
            effects.append(ClaimEffect(claim, counts, text))
        out[wish.unit_id] = WishClaims(wish.unit_id, effects)
    return out


# -- the right-to-place report ---------------------------------------------------------------


@dataclass
class Proposal:
    unit: Unit
    km: float | None
    free: int


@dataclass
class RightRow:
    application_id: int
    child: Person
    right_from: dt.date | None
    proposals: list[Proposal]
    age_group: str = ""


def unplaced_right_holders(rnd: AdmissionRound) -> list[tuple[int, str]]:
    """The one answer to "who has a right to a place and no offer" in ``rnd``, as (application
    id, age group), for both the preview's figure and the right-to-place report: after the
    commit, right-holders the round left without an offer who still have none; before it, the
    right-holders the preview leaves without an offer."""
    if rnd.status == RoundStatus.COMMITTED:
        return list(
            RoundOutcome.objects.filter(round=rnd, has_right=True, unit__isnull=True)
            .filter(application__status=ApplicationStatus.SUBMITTED)
            .order_by("application__child__birth_date", "pk")
            .values_list("application_id", "age_group")
        )
    rows = (rnd.preview or {}).get("rows", [])
    return [(int(r[0]), str(r[4] or "")) for r in rows if r[1] is None and r[3]]


def right_to_place_report(actor: Actor, rnd: AdmissionRound) -> list[RightRow]:
    """Every right-holder who applied in time and has no offer (``unplaced_right_holders``),
    with, after the commit, the kindergartens nearest home that still have a free seat for the
    child's age group (domain §1.2, §1.5: the municipality must offer them a place somewhere).
    Before the commit the rows have no proposals: nothing is offered from a preview. For a
    child whose address the actor may not see, no distance and no nearest-first order: three
    distances to public unit coordinates would locate the home (domain/norway.md §6.1)."""
    holders = unplaced_right_holders(rnd)
    if not holders:
        return []
    groups = dict(holders)
    apps = {
        a.pk: a for a in Application.objects.filter(pk__in=list(groups)).select_related("child")
    }
    committed = rnd.status == RoundStatus.COMMITTED
    free: dict[tuple[int, str], int] = {}
    if committed:
        later = (
            AdmissionRound.objects.filter(
                municipality_id=rnd.municipality_id,
                service=rnd.service,
                status=RoundStatus.COMMITTED,
                committed_at__gte=rnd.committed_at,
            )
            .order_by("-committed_at", "-pk")
            .first()
        )
        free = remaining_seats(later or rnd)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={u for u, _g in free})}
    rows: list[RightRow] = []
    year = rnd.kindergarten_year
    deadline = adapters.main_deadline(rnd)
    from_home = disclosure.addressable_people(actor, [a.child_id for a in apps.values()])
    for application_id, age_group in holders:
        application = apps.get(application_id)
        if application is None:
            continue
        child = application.child
        candidates = []
        for (unit_id, group), n in free.items():
            if group != age_group or n <= 0:
                continue
            unit = units[unit_id]
            km = (
                km_between(child.latitude, child.longitude, unit.latitude, unit.longitude)
                if child.pk in from_home
                else None
            )
            candidates.append(Proposal(unit, km, n))
        if child.pk in from_home:
            candidates.sort(key=lambda p: (p.km is None, p.km or 0.0, p.unit.name))
        else:
            candidates.sort(key=lambda p: (-p.free, p.unit.name))
        right = rights.right_to_place(
            birth_date=child.birth_date,
            admission_year=year,
            deadline=deadline,
            applied_on=deadline,
            resident=True,
        )
        rows.append(RightRow(application_id, child, right.right_from, candidates[:3], age_group))
    rows.sort(key=lambda r: (r.child.birth_date, r.application_id))
    return rows


# -- the guardian's portal -------------------------------------------------------------------


@dataclass
class FamilyChild:
    child: Person
    applications: list[Application]
    pending_offers: list[Offer]
    placements: list[Placement]


def family_children(actor: Actor) -> list[Person]:
    """The children the actor has parental responsibility for (both parents act)."""
    ids = actor.ids("child_id", [RoleName.GUARDIAN])
    allowed = scope(actor, AdmissionAction.APPLICATION_CREATE, Person.objects.filter(pk__in=ids))
    return list(allowed.order_by("birth_date", "pk"))


def family_overview(actor: Actor) -> list[FamilyChild]:
    children = family_children(actor)
    ids = [c.pk for c in children]
    apps: dict[int, list[Application]] = defaultdict(list)
    for app in _with_details(
        scope(actor, AdmissionAction.APPLICATION_READ, Application.objects.filter(child_id__in=ids))
    ).order_by("-created_at", "-pk"):
        apps[app.child_id].append(app)
    offers: dict[int, list[Offer]] = defaultdict(list)
    for offer in (
        scope(
            actor,
            AdmissionAction.OFFER_READ,
            Offer.objects.filter(child_id__in=ids, status=OfferStatus.PENDING),
        )
        .select_related("unit")
        .order_by("deadline")
    ):
        offers[offer.child_id].append(offer)
    places: dict[int, list[Placement]] = defaultdict(list)
    for p in (
        Placement.objects.not_ended_by(actor.day)
        .filter(child_id__in=ids)
        .select_related("unit", "group")
        .order_by("valid_from")
    ):
        places[p.child_id].append(p)
    return [FamilyChild(c, apps[c.pk], offers[c.pk], places[c.pk]) for c in children]


def notifications_for(actor: Actor, *, limit: int = 8) -> list[Notification]:
    if actor.person is None:
        return []
    return list(
        Notification.objects.filter(recipient=actor.person, source="admission").order_by(
            "-created_at", "-pk"
        )[:limit]
    )


@dataclass
class UnitChoice:
    unit: Unit
    km: float | None
    age_groups: list[str]
    free: dict[str, int]


@dataclass
class FinderFilters:
    age_group: str = ""
    max_km: float | None = None
    opens_by: dt.time | None = None
    closes_after: dt.time | None = None
    owner: str = ""
    search: str = ""


def kindergarten_finder(
    actor: Actor, *, municipality_id: int, home: Person | None, filters: FinderFilters
) -> list[UnitChoice]:
    """Kindergartens of the municipality (municipal and private together, §1.5) with distance
    from home, the age groups they take, and seats in the open round. No distance from a home
    whose address the actor may not see (domain/norway.md §6.1)."""
    if not disclosure.may_derive_from_home(actor, home):
        home = None
    units = scope(
        actor,
        UnitAction.READ,
        Unit.objects.not_ended_by(actor.day).filter(
            municipality_id=municipality_id, kind=UnitKind.KINDERGARTEN
        ),
    )
    if filters.owner in ("municipal", "private"):
        units = units.filter(owner=filters.owner)
    if filters.opens_by is not None:
        units = units.filter(opens_at__lte=filters.opens_by)
    if filters.closes_after is not None:
        units = units.filter(closes_at__gte=filters.closes_after)
    for word in filters.search.split():
        units = units.filter(Q(name__icontains=word) | Q(postal_town__icontains=word))
    rows = list(units.order_by("name"))
    ages: dict[int, set[str]] = defaultdict(set)
    for unit_id, low, high in Group.objects.filter(
        unit__in=[u.pk for u in rows], kind=GroupKind.DEPARTMENT
    ).values_list("unit_id", "min_age", "max_age"):
        if low is None or low < 3:
            ages[unit_id].add(AgeGroup.UNDER3)
        if high is None or high >= 3:
            ages[unit_id].add(AgeGroup.OVER3)
    rnd = current_round(municipality_id, AdmissionService.KINDERGARTEN)
    free: dict[int, dict[str, int]] = defaultdict(dict)
    if rnd is not None:
        for c in RoundCapacity.objects.filter(round=rnd):
            free[c.unit_id][c.age_group] = c.seats
    out = []
    for u in rows:
        groups = sorted(ages.get(u.pk) or {AgeGroup.UNDER3, AgeGroup.OVER3})
        if filters.age_group and filters.age_group not in groups:
            continue
        km = km_between(
            home.latitude if home else None,
            home.longitude if home else None,
            u.latitude,
            u.longitude,
        )
        if filters.max_km is not None and (km is None or km > filters.max_km):
            continue
        out.append(UnitChoice(u, km, groups, free.get(u.pk, {})))
    out.sort(key=lambda c: (c.km is None, c.km or 0.0, c.unit.name))
    return out


def child_school(child_id: int, day: dt.date) -> int | None:
    """The school the child attends on ``day`` (or, failing that, attends now)."""
    rows = (
        Placement.objects.filter(child_id=child_id, service=Service.SCHOOL)
        .order_by("-valid_from")
        .values_list("unit_id", "valid_from", "valid_to")
    )
    fallback = None
    for unit_id, valid_from, valid_to in rows:
        if valid_from <= day and (valid_to is None or valid_to >= day):
            return int(unit_id)
        fallback = fallback or int(unit_id)
    return fallback


def schools_with_sfo(municipality_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(
            municipality_id=municipality_id, kind=UnitKind.SCHOOL, sfos__isnull=False
        )
        .distinct()
        .order_by("name")
    )


def guardian_placement(actor: Actor, placement_id: int) -> Placement:
    placement = (
        scope(actor, PlacementAction.GUARDIAN_CHANGE, Placement.objects.all())
        .filter(service__in=[Service.KINDERGARTEN, Service.SFO])
        .select_related("unit", "child")
        .filter(pk=placement_id)
        .first()
    )
    if placement is None:
        raise NotFoundError("Not found.")
    return placement


def offer_for(actor: Actor, offer_id: int) -> Offer:
    offer = (
        scope(actor, AdmissionAction.OFFER_READ, Offer.objects.all())
        .select_related("unit", "round", "application__child", "child", "municipality")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotFoundError("Not found.")
    return offer


def outcome_for(app: Application) -> RoundOutcome | None:
    return (
        RoundOutcome.objects.filter(application=app)
        .select_related("round", "unit")
        .order_by("-round__committed_at", "-pk")
        .first()
    )


def summary_counts(actor: Actor) -> dict[str, Any]:
    qs = scope(actor, AdmissionAction.APPLICATION_READ, Application.objects.all())
    counts: dict[str, Any] = dict(qs.values_list("status").annotate(n=Count("pk")))
    units = admission_units(actor)
    if units and not actor.ids("municipality_id", [RoleName.CASEWORKER]):
        # A unit's leader sees the applicants who listed the unit, but "Tilbud gitt" is
        # the offers the unit itself made, not every application that got an offer anywhere.
        counts[ApplicationStatus.OFFERED] = Offer.objects.filter(unit_id__in=units).count()
    return counts
