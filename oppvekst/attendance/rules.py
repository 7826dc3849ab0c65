"""Who may do what in daily kindergarten and SFO life (DESIGN.md "Access").

Plain rule functions `Callable[[Actor], Q]` composed from the shared placement-reach builder in
`oppvekst.access.policy`, and the action table `ACTIONS` (name -> (model, rule)) plus the
target-less `CAPABILITIES`. `register()` adds them to the one decision engine at start-up; the
names stay stable strings, so `can(actor, "attendance.check", child)` works everywhere.

- Staff of a kindergarten or SFO (department staff, pedagogical leaders, SFO staff through their
  group; leaders and the office through the unit) check children in and out and see the day's
  lists, pick-up lists and absences of the children placed there.
- Guardians (and daily carers) report absence and see their own child's times; guardians with
  parental responsibility keep the pick-up list.
- Court or agency pick-up restrictions: the unit's leader and the municipality's caseworkers
  only (domain/operations.md §3.1); staff at check-out see "contact the leader", nothing more.
- Leaders manage departments and see the staffing figures of their own unit; caseworkers see
  the staffing figures of every kindergarten in the municipality (no child data).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, Q

from oppvekst.access import policy
from oppvekst.access.policy import (
    CASEWORKER,
    DAILY_CARER,
    GROUP_ROLES,
    GUARDIAN,
    UNIT_ROLES,
    Actor,
    _own_children,
    _reached_by_placement,
)
from oppvekst.core.models import Unit
from oppvekst.people.models import Person

Rule = Callable[[Actor], Q]

DAYCARE_KINDS = ("kindergarten", "sfo")
LEADERS = {"unit_leader", "private_kindergarten_head"}
# Roles that work in a kindergarten or an SFO day to day ("staff" is the unit-level role of
# assistants and SFO staff without a group).
DAYCARE_STAFF = GROUP_ROLES | UNIT_ROLES | {"staff"}


def _daycare_roles(actor: Actor, names: set[str]) -> bool:
    return any(r.name in names and r.unit_kind in DAYCARE_KINDS for r in actor.roles)


def children_on_duty(actor: Actor) -> Q:
    """Children placed in one of the actor's groups or units (the shared placement reach);
    services check that the placement is a kindergarten or SFO place on the day."""
    return _reached_by_placement(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES, caseworker=False
    )


def own_children(actor: Actor) -> Q:
    return _own_children(actor, [GUARDIAN, DAILY_CARER])


def family_or_duty(actor: Actor) -> Q:
    return own_children(actor) | children_on_duty(actor)


def children_with_parental_responsibility(actor: Actor) -> Q:
    return _own_children(actor, [GUARDIAN])


def restriction_readers(actor: Actor) -> Q:
    """The child's unit leaders and the municipality's caseworkers (operations.md §3.1)."""
    return _reached_by_placement(actor, group_names=set(), unit_names=LEADERS, caseworker=True)


def units_on_duty(actor: Actor) -> Q:
    # Group roles carry their group's unit: department staff see their unit's day lists.
    return Q(kind__in=DAYCARE_KINDS, pk__in=actor.ids("unit_id", DAYCARE_STAFF))


def units_led(actor: Actor) -> Q:
    return Q(kind__in=DAYCARE_KINDS, pk__in=actor.ids("unit_id", LEADERS))


def units_staffing(actor: Actor) -> Q:
    """Staffing figures: the unit's own leaders, and the municipality's caseworkers for every
    kindergarten (the municipality sees all its kindergartens at once)."""
    return Q(kind="kindergarten") & (
        Q(pk__in=actor.ids("unit_id", LEADERS))
        | Q(municipality_id__in=actor.ids("municipality_id", [CASEWORKER]))
    )


ACTIONS: dict[str, tuple[type[Model], Rule]] = {
    "attendance.check": (Person, children_on_duty),
    "attendance.read": (Person, family_or_duty),
    "absence.report": (Person, own_children),
    "absence.read": (Person, family_or_duty),
    "absence.record": (Person, children_on_duty),
    "pickup.read": (Person, family_or_duty),
    "pickup.manage": (Person, children_with_parental_responsibility),
    "restriction.read": (Person, restriction_readers),
    "department.move": (
        Person,
        lambda a: _reached_by_placement(a, group_names=set(), unit_names=LEADERS, caseworker=False),
    ),
    "unit.attendance": (Unit, units_on_duty),
    "unit.departments_manage": (Unit, units_led),
    "unit.staffing_read": (Unit, units_staffing),
}

CAPABILITIES: dict[str, Callable[[Actor], bool]] = {
    "attendance.work": lambda a: _daycare_roles(a, DAYCARE_STAFF),
    "attendance.portal": lambda a: bool(a.names() & {GUARDIAN, DAILY_CARER}),
    "departments.manage": lambda a: _daycare_roles(a, LEADERS),
    "staffing.view": lambda a: _daycare_roles(a, LEADERS) or CASEWORKER in a.names(),
}


def register() -> None:
    """Add the actions to the decision engine (only adds; an existing name is an error)."""
    for name in ACTIONS:
        if name in policy.RULES and policy.RULES[name] != ACTIONS[name]:
            raise RuntimeError(f"access action {name} is already defined")
    for name in CAPABILITIES:
        if name in policy.CAPABILITIES and policy.CAPABILITIES[name] is not CAPABILITIES[name]:
            raise RuntimeError(f"access capability {name} is already defined")
    policy.RULES.update(ACTIONS)
    policy.CAPABILITIES.update(CAPABILITIES)
