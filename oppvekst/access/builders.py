"""Reusable pieces that apps compose their access rules from (DESIGN.md "Access").

Each builder answers one question the law or the domain asks — "is this the child's guardian?",
"does this employee work where the child is placed?", "is this the municipality's caseworker?" —
as a query filter over the rows the rule is about. Apps combine them with `|` and `&` in their
`permissions.py`; no app writes a role check of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from oppvekst.access.actor import Actor
from oppvekst.access.roles import RoleName
from oppvekst.people.models import STRICT_LEVELS
from oppvekst.placements.models import Placement

# Staff keep read access to a child for one month after the placement ends, so that the last
# month's notes, absences and fees can be finished (docs/decisions/0001-staff-grace-month.md).
STAFF_GRACE = dt.timedelta(days=31)

FAMILY = frozenset({RoleName.GUARDIAN, RoleName.DAILY_CARER})
GROUP_ROLES = frozenset(
    {
        RoleName.CONTACT_TEACHER,
        RoleName.TEACHER,
        RoleName.PEDAGOGICAL_LEADER,
        RoleName.DEPARTMENT_STAFF,
        RoleName.SFO_STAFF,
    }
)
# Group roles that see a child's sensitive data (health, address): the adult responsible.
GROUP_SENSITIVE_ROLES = frozenset({RoleName.CONTACT_TEACHER, RoleName.PEDAGOGICAL_LEADER})
UNIT_ROLES = frozenset(
    {RoleName.UNIT_LEADER, RoleName.ADMINISTRATIVE, RoleName.PRIVATE_KINDERGARTEN_HEAD}
)
UNIT_LEADERS = frozenset({RoleName.UNIT_LEADER, RoleName.PRIVATE_KINDERGARTEN_HEAD})
NOTHING = Q(pk__in=[])


def has_role(actor: Actor, *names: str) -> bool:
    return bool(actor.names() & set(names))


def placements_within_grace(day: dt.date) -> QuerySet[Placement]:
    """Placements that are current, future, or ended less than the grace month ago."""
    return Placement.objects.not_ended_by(day - STAFF_GRACE)


def guardian_of_child(
    actor: Actor, names: Iterable[str] = (RoleName.GUARDIAN,), *, field: str = "pk"
) -> Q:
    """Rows whose `field` is one of the actor's own children (by the given family roles)."""
    ids = actor.ids("child_id", names)
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def family_of_child(actor: Actor, *, field: str = "pk") -> Q:
    """Guardians and daily carers alike."""
    return guardian_of_child(actor, FAMILY, field=field)


def caseworker_of_municipality(actor: Actor, *, field: str = "municipality_id") -> Q:
    """Rows that belong to a municipality where the actor works in the sector office."""
    ids = actor.ids("municipality_id", [RoleName.CASEWORKER])
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def role_at_unit(actor: Actor, names: Iterable[str], *, field: str = "unit_id") -> Q:
    """Rows at a unit where the actor holds one of `names`."""
    ids = actor.ids("unit_id", names)
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def private_kindergarten_head_of_unit(actor: Actor, *, field: str = "pk") -> Q:
    return role_at_unit(actor, [RoleName.PRIVATE_KINDERGARTEN_HEAD], field=field)


def address_cleared(actor: Actor) -> bool:
    """A caseworker whose employment carries clearance for protected addresses (norway.md §6.1)."""
    return any(r.name == RoleName.CASEWORKER and r.address_clearance for r in actor.roles)


def staff_where_child_is_placed(
    actor: Actor,
    *,
    group_names: Iterable[str],
    unit_names: Iterable[str],
    caseworker: bool = True,
) -> Q:
    """Children (Person rows) with a placement — current, future, or ended within the grace
    month — in one of the actor's groups or units, or, with `caseworker`, in a municipality
    where the actor is a caseworker (who also reaches the municipality's residents)."""
    placement_filter = Q()
    group_ids = actor.ids("group_id", group_names)
    unit_ids = actor.ids("unit_id", unit_names)
    municipality_ids = actor.ids("municipality_id", [RoleName.CASEWORKER]) if caseworker else set()
    reach = NOTHING
    if group_ids:
        placement_filter |= Q(group_id__in=group_ids)
    if unit_ids:
        placement_filter |= Q(unit_id__in=unit_ids)
    if municipality_ids:
        placement_filter |= Q(municipality_id__in=municipality_ids)
        reach |= Q(municipality_id__in=municipality_ids)  # residents: applicants, fees
    if group_ids or unit_ids or municipality_ids:
        # An uncorrelated IN (subquery), not a correlated EXISTS: both SQLite and PostgreSQL
        # evaluate it once (an ephemeral index, a hashed subplan) whatever their statistics say.
        # Under the EXISTS, SQLite without statistics walked every placement of the
        # municipality per child: 22 s for a caseworker's list (docs/decisions/0003-serving.md).
        placed = placements_within_grace(actor.day).filter(placement_filter).values("child_id")
        reach |= Q(pk__in=placed)
    return reach


def not_strictly_protected(*, field: str = "") -> Q:
    """Rows whose person is not strengt fortrolig (norway.md §6.1)."""
    prefix = f"{field}__" if field else ""
    return ~Q(**{f"{prefix}address_protection__in": STRICT_LEVELS})
