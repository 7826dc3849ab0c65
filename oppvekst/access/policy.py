"""The one place that decides who may do what (DESIGN.md "Access"; eVaka's single decision).

Every action has one rule, written once as a query filter. `scope(actor, action, qs)` applies it
to a list; `can(actor, action, obj)` asks the same filter about one row, so lists, searches,
exports, counts and single reads can never disagree. Default deny: an unknown action, an actor
without roles, or a model the rule does not cover gets nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from oppvekst import clock
from oppvekst.access.roles import Role, roles_for
from oppvekst.admission.models import AdmissionRound, Application, Offer, PriorityClaim, Wish
from oppvekst.billing.models import Invoice, InvoiceRun, ReductionApplication
from oppvekst.core.models import Group, Municipality, Unit
from oppvekst.people.models import STRICT_LEVELS, AddressProtection, Person
from oppvekst.placements.models import Placement

M = TypeVar("M", bound=Model)

# Staff keep read access to a child for one month after the placement ends (issue 3).
STAFF_GRACE = dt.timedelta(days=31)

GUARDIAN = "guardian"
DAILY_CARER = "daily_carer"
GROUP_ROLES = {"contact_teacher", "teacher", "pedagogical_leader", "department_staff", "sfo_staff"}
GROUP_SENSITIVE_ROLES = {"contact_teacher", "pedagogical_leader"}
UNIT_ROLES = {"unit_leader", "administrative", "private_kindergarten_head"}
CASEWORKER = "caseworker"
SYSTEM_ADMIN = "system_admin"


@dataclass
class Actor:
    """Who is acting, as of which day, with the roles their data gives them."""

    person: Person | None
    roles: list[Role]
    day: dt.date
    user_id: int | None = None
    token_scopes: frozenset[str] | None = None  # a service token limits the actions
    label: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def names(self) -> set[str]:
        return {r.name for r in self.roles}

    def ids(self, attribute: str, names: Iterable[str]) -> set[int]:
        wanted = set(names)
        return {
            value
            for r in self.roles
            if r.name in wanted and (value := getattr(r, attribute)) is not None
        }

    @property
    def is_anonymous(self) -> bool:
        return self.person is None and not self.roles


ANONYMOUS = Actor(person=None, roles=[], day=dt.date(1970, 1, 1))


def actor_for_user(user: Any, day: dt.date | None = None) -> Actor:
    day = day or clock.today()
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(person=None, roles=[], day=day)
    person = getattr(user, "person", None)
    roles = roles_for(person, day) if person is not None else []
    return Actor(person=person, roles=roles, day=day, user_id=user.pk, label=user.get_username())


def actor_for_request(request: Any) -> Actor:
    cached = getattr(request, "_oppvekst_actor", None)
    if cached is None:
        cached = actor_for_user(getattr(request, "user", None))
        request._oppvekst_actor = cached
    return cached


# -- placement reach: which children a role reaches through placements -------------------


def _placements_within_grace(day: dt.date) -> Q:
    return Q(valid_to__isnull=True) | Q(valid_to__gte=day - STAFF_GRACE)


def _reached_by_placement(
    actor: Actor, *, group_names: set[str], unit_names: set[str], caseworker: bool = True
) -> Q:
    """Children with a placement (current, future, or ended within the grace month) in one of
    the actor's groups or units, or in a municipality where the actor is a caseworker."""
    placement_filter = Q()
    group_ids = actor.ids("group_id", group_names)
    unit_ids = actor.ids("unit_id", unit_names)
    municipality_ids = actor.ids("municipality_id", [CASEWORKER]) if caseworker else set()
    reach = Q(pk__in=[])
    if group_ids:
        placement_filter |= Q(group_id__in=group_ids)
    if unit_ids:
        placement_filter |= Q(unit_id__in=unit_ids)
    if municipality_ids:
        placement_filter |= Q(municipality_id__in=municipality_ids)
        reach |= Q(municipality_id__in=municipality_ids)  # residents: applicants, fees
    if group_ids or unit_ids or municipality_ids:
        placements = Placement.objects.filter(
            placement_filter, _placements_within_grace(actor.day), child=OuterRef("pk")
        )
        reach |= Q(Exists(placements))
    return reach


def _own_children(actor: Actor, names: Iterable[str]) -> Q:
    ids = actor.ids("child_id", names)
    return Q(pk__in=ids) if ids else Q(pk__in=[])


def _children_basic(actor: Actor) -> Q:
    return _own_children(actor, [GUARDIAN, DAILY_CARER]) | _reached_by_placement(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES
    )


def _children_sensitive(actor: Actor) -> Q:
    return _own_children(actor, [GUARDIAN]) | _reached_by_placement(
        actor, group_names=GROUP_SENSITIVE_ROLES, unit_names=UNIT_ROLES
    )


def _cleared(actor: Actor) -> bool:
    return any(r.name == CASEWORKER and r.address_clearance for r in actor.roles)


def _children_address(actor: Actor) -> Q:
    """Address: own family always; staff with sensitive access only for unprotected children;
    protected addresses only for a cleared caseworker (domain/norway.md §6.1)."""
    unprotected = Q(address_protection=AddressProtection.NONE)
    staff = _reached_by_placement(actor, group_names=GROUP_SENSITIVE_ROLES, unit_names=UNIT_ROLES)
    if _cleared(actor):
        return _own_children(actor, [GUARDIAN]) | staff
    return _own_children(actor, [GUARDIAN]) | (staff & unprotected)


def _children_location(actor: Actor) -> Q:
    """The child's unit and group: withheld for strengt fortrolig from everyone but the family,
    the staff where the child is placed, and a cleared caseworker."""
    near = _own_children(actor, [GUARDIAN, DAILY_CARER]) | _reached_by_placement(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES, caseworker=False
    )
    if _cleared(actor):
        return near | _children_basic(actor)
    return near | (_children_basic(actor) & ~Q(address_protection__in=STRICT_LEVELS))


def _children_update(actor: Actor) -> Q:
    return _reached_by_placement(actor, group_names=set(), unit_names={"unit_leader"})


def _units_read(actor: Actor) -> Q:
    names = actor.names()
    if names & {GUARDIAN, DAILY_CARER}:
        return Q()  # the public register of units: guardians choose among all of them
    municipality_ids = {r.municipality_id for r in actor.roles if r.municipality_id is not None}
    return Q(municipality_id__in=municipality_ids) if municipality_ids else Q(pk__in=[])


def _groups_read(actor: Actor) -> Q:
    q = Q(pk__in=actor.ids("group_id", GROUP_ROLES))
    q |= Q(unit_id__in=actor.ids("unit_id", UNIT_ROLES))
    q |= Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER]))
    own = actor.ids("child_id", [GUARDIAN, DAILY_CARER])
    if own:
        q |= Q(
            Exists(
                Placement.objects.filter(
                    group=OuterRef("pk"), child_id__in=own, valid_to__gte=actor.day
                )
                | Placement.objects.filter(
                    group=OuterRef("pk"), child_id__in=own, valid_to__isnull=True
                )
            )
        )
    return q


def _audit_unit_read(actor: Actor) -> Q:
    """Unit leaders see who looked at children of their unit (rows filtered by target)."""
    leaders = {"unit_leader", "private_kindergarten_head"}
    return _reached_by_placement(actor, group_names=set(), unit_names=leaders, caseworker=False)


# -- admission (issue 4): applications, claims, rounds, offers --------------------------------

ADMISSION_UNIT_ROLES = {"unit_leader", "private_kindergarten_head"}


def _admission_units(actor: Actor) -> set[int]:
    """Kindergartens and SFOs the actor leads (a school principal is no admission office)."""
    if "admission_units" not in actor._cache:
        ids = actor.ids("unit_id", ADMISSION_UNIT_ROLES)
        actor._cache["admission_units"] = (
            set(
                Unit.objects.filter(pk__in=ids, kind__in=["kindergarten", "sfo"]).values_list(
                    "pk", flat=True
                )
            )
            if ids
            else set()
        )
    units: set[int] = actor._cache["admission_units"]
    return units


def _own_applications(actor: Actor) -> Q:
    ids = actor.ids("child_id", [GUARDIAN])
    return Q(child_id__in=ids) if ids else Q(pk__in=[])


def _applications_read(actor: Actor) -> Q:
    """The family (guardians with parental responsibility); the municipality's caseworkers;
    unit leaders and private kindergarten heads for applicants to their own unit. Staff never
    see drafts."""
    staff = Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER]))
    units = _admission_units(actor)
    if units:
        staff |= Q(Exists(Wish.objects.filter(application=OuterRef("pk"), unit_id__in=units)))
        staff |= Q(Exists(Offer.objects.filter(application=OuterRef("pk"), unit_id__in=units)))
    return _own_applications(actor) | (staff & ~Q(status="draft"))


def _applications_decide(actor: Actor) -> Q:
    return Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER])) & ~Q(status="draft")


def _claim_documents(actor: Actor) -> Q:
    """Claim documents (disability, child welfare) only for the family and the caseworkers."""
    own = actor.ids("child_id", [GUARDIAN])
    return Q(application__child_id__in=own) | Q(
        municipality_id__in=actor.ids("municipality_id", [CASEWORKER])
    )


def _rounds_read(actor: Actor) -> Q:
    return Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER])) | Q(
        municipality_id__in=actor.ids("municipality_id", ADMISSION_UNIT_ROLES)
    )


def _admission_unit_manage(actor: Actor) -> Q:
    return Q(pk__in=_admission_units(actor), kind__in=["kindergarten", "sfo"]) | Q(
        municipality_id__in=actor.ids("municipality_id", [CASEWORKER]),
        kind__in=["kindergarten", "sfo"],
    )


def _offers_read(actor: Actor) -> Q:
    own = actor.ids("child_id", [GUARDIAN])
    return (
        Q(child_id__in=own)
        | Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER]))
        | Q(unit_id__in=_admission_units(actor))
    )


def _admission_work(actor: Actor) -> bool:
    return CASEWORKER in actor.names() or bool(_admission_units(actor))


Rule = Callable[[Actor], Q]
RULES: dict[str, tuple[type[Model], Rule]] = {
    "child.read_basic": (Person, _children_basic),
    "child.read_sensitive": (Person, _children_sensitive),
    "child.read_address": (Person, _children_address),
    "child.read_location": (Person, _children_location),
    "child.update": (Person, _children_update),
    "child.read_access_log": (Person, lambda a: _own_children(a, [GUARDIAN])),
    "child.read_unit_access_log": (Person, _audit_unit_read),
    "unit.read": (Unit, _units_read),
    "group.read": (Group, _groups_read),
    "placement.create": (
        Unit,
        lambda a: (
            Q(pk__in=a.ids("unit_id", ["unit_leader"]))
            | Q(municipality_id__in=a.ids("municipality_id", [CASEWORKER]))
        ),
    ),
    # admission (issue 4)
    "application.create": (Person, lambda a: _own_children(a, [GUARDIAN])),
    "application.read": (Application, _applications_read),
    "application.update": (Application, _own_applications),
    "application.decide": (Application, _applications_decide),
    "claim.read_document": (PriorityClaim, _claim_documents),
    "round.read": (AdmissionRound, _rounds_read),
    "round.manage": (
        AdmissionRound,
        lambda a: Q(municipality_id__in=a.ids("municipality_id", [CASEWORKER])),
    ),
    "unit.admission_manage": (Unit, _admission_unit_manage),
    "offer.read": (Offer, _offers_read),
    "offer.answer": (Offer, lambda a: Q(child_id__in=a.ids("child_id", [GUARDIAN]))),
    "placement.guardian_change": (
        Placement,
        lambda a: Q(child_id__in=a.ids("child_id", [GUARDIAN])),
    ),
}
# Actions without a target object: who may open a capability at all.
CAPABILITIES: dict[str, Callable[[Actor], bool]] = {
    "workspace.view": lambda a: not a.is_anonymous,
    "children.search": lambda a: bool(a.names() & (GROUP_ROLES | UNIT_ROLES | {CASEWORKER})),
    "admin.configure": lambda a: SYSTEM_ADMIN in a.names(),
    "child.create": lambda a: CASEWORKER in a.names(),
    "admission.work": _admission_work,
    "admission.apply": lambda a: GUARDIAN in a.names(),
}


class UnknownAction(KeyError):
    pass


def _allowed_by_token(actor: Actor, action: str) -> bool:
    return actor.token_scopes is None or action in actor.token_scopes


def scope(actor: Actor, action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` filtered to the rows the actor may `action`. Unknown action: error."""
    if action not in RULES:
        raise UnknownAction(action)
    model, rule = RULES[action]
    if queryset.model is not model:
        raise TypeError(f"{action} applies to {model.__name__}, not {queryset.model.__name__}")
    if actor.is_anonymous or not _allowed_by_token(actor, action):
        return queryset.none()
    key = f"q:{action}"
    if key not in actor._cache:
        actor._cache[key] = rule(actor)
    return queryset.filter(actor._cache[key])


def can(actor: Actor, action: str, target: Model | None = None) -> bool:
    if target is None:
        if action not in CAPABILITIES:
            raise UnknownAction(action)
        return _allowed_by_token(actor, action) and CAPABILITIES[action](actor)
    model, _rule = RULES.get(action, (None, None))
    if model is None:
        raise UnknownAction(action)
    return scope(actor, action, model._default_manager.filter(pk=target.pk)).exists()


def allowed_ids(actor: Actor, action: str, ids: Iterable[int]) -> set[int]:
    """Which of `ids` the actor may `action` — one query for a whole page of rows."""
    model, _rule = RULES[action]
    ids = list(ids)
    if not ids:
        return set()
    return set(
        scope(actor, action, model._default_manager.filter(pk__in=ids)).values_list("pk", flat=True)
    )


# -- timetables (issue 6) -----------------------------------------------------------------------
# School leaders edit their school's timetable; the school's staff read its published
# timetables; guardians read the published timetable of their children's classes.

TIMETABLE_STAFF_ROLES = {"unit_leader", "administrative", "staff"} | GROUP_ROLES


def _timetable_edit(actor: Actor) -> Q:
    return Q(kind="school", pk__in=actor.ids("unit_id", ["unit_leader"]))


def _timetable_read(actor: Actor) -> Q:
    return Q(kind="school", pk__in=actor.ids("unit_id", TIMETABLE_STAFF_ROLES))


def _timetable_read_class(actor: Actor) -> Q:
    q = Q(
        kind="class", unit__kind="school", unit_id__in=actor.ids("unit_id", TIMETABLE_STAFF_ROLES)
    )
    own = actor.ids("child_id", [GUARDIAN, DAILY_CARER])
    if own:
        current = Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=actor.day),
            group=OuterRef("pk"),
            child_id__in=own,
        )
        q |= Q(kind="class") & Q(Exists(current))
    return q


RULES.update(
    {
        "timetable.edit": (Unit, _timetable_edit),
        "timetable.read": (Unit, _timetable_read),
        "timetable.read_class": (Group, _timetable_read_class),
        "timetable.read_pupil": (Person, lambda a: _own_children(a, [GUARDIAN, DAILY_CARER])),
    }
)
CAPABILITIES.update(
    {
        # Timetables are a school matter: staff of kindergartens and SFOs have none.
        "timetable.view": lambda a: (
            bool(a.names() & {GUARDIAN, DAILY_CARER})
            or any(r.name in TIMETABLE_STAFF_ROLES and r.unit_kind == "school" for r in a.roles)
        ),
    }
)


# -- billing (issue 5): invoice runs, invoices, reduced-fee applications -------------------------
# Caseworkers run billing for their municipality; an invoice is read by its payer (never by the
# other parent) and the caseworkers; a private kindergarten head reads the reductions the
# municipality compensates for the own kindergarten.


def _billing_municipalities(actor: Actor) -> set[int]:
    return actor.ids("municipality_id", [CASEWORKER])


def _invoices_read(actor: Actor) -> Q:
    q = Q(municipality_id__in=_billing_municipalities(actor))
    if actor.person is not None:
        q |= Q(payer_id=actor.person.pk)
    return q


def _reductions_read(actor: Actor) -> Q:
    q = Q(municipality_id__in=_billing_municipalities(actor))
    if actor.person is not None:
        q |= Q(applicant_id=actor.person.pk)
    return q


def _compensation_read(actor: Actor) -> Q:
    return Q(kind="kindergarten", owner="private") & (
        Q(pk__in=actor.ids("unit_id", ["private_kindergarten_head"]))
        | Q(municipality_id__in=_billing_municipalities(actor))
    )


RULES.update(
    {
        "billing.run": (Municipality, lambda a: Q(pk__in=_billing_municipalities(a))),
        "billing.read_run": (
            InvoiceRun,
            lambda a: Q(municipality_id__in=_billing_municipalities(a)),
        ),
        "billing.read_invoice": (Invoice, _invoices_read),
        "billing.read_fees": (
            Person,
            lambda a: (
                _own_children(a, [GUARDIAN])
                | _reached_by_placement(a, group_names=set(), unit_names=set())
            ),
        ),
        "billing.read_compensation": (Unit, _compensation_read),
        "reduction.read": (ReductionApplication, _reductions_read),
        "reduction.decide": (
            ReductionApplication,
            lambda a: Q(municipality_id__in=_billing_municipalities(a)),
        ),
    }
)
CAPABILITIES.update(
    {
        "billing.open": lambda a: CASEWORKER in a.names(),
        "billing.compensation_open": lambda a: bool(
            a.names() & {CASEWORKER, "private_kindergarten_head"}
        ),
        "billing.portal": lambda a: GUARDIAN in a.names(),
        "reduction.apply": lambda a: GUARDIAN in a.names(),
    }
)
