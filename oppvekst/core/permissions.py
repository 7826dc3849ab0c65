"""Actions on units and groups (DESIGN.md "Access")."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import (
    FAMILY,
    GROUP_ROLES,
    NOTHING,
    UNIT_ROLES,
    caseworker_of_municipality,
    has_role,
    role_at_unit,
)
from oppvekst.core.models import Group, Unit
from oppvekst.placements.models import Placement


class UnitAction(StrEnum):
    READ = "unit.read"


class GroupAction(StrEnum):
    READ = "group.read"


def units_read(actor: Actor) -> Q:
    if has_role(actor, *FAMILY):
        return Q()  # the public register of units: guardians choose among all of them
    municipality_ids = {r.municipality_id for r in actor.roles if r.municipality_id is not None}
    return Q(municipality_id__in=municipality_ids) if municipality_ids else NOTHING


def groups_read(actor: Actor) -> Q:
    q = Q(pk__in=actor.ids("group_id", GROUP_ROLES))
    q |= role_at_unit(actor, UNIT_ROLES)
    q |= caseworker_of_municipality(actor)
    own = actor.ids("child_id", FAMILY)
    if own:
        current = Placement.objects.not_ended_by(actor.day).filter(
            group=OuterRef("pk"),
            child_id__in=own,
        )
        q |= Q(Exists(current))
    return q


registry.object_rule(UnitAction.READ, Unit, units_read)
registry.object_rule(GroupAction.READ, Group, groups_read)
