"""What each role sees on its front page. Every list goes through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from oppvekst.access.builders import GROUP_ROLES
from oppvekst.access.policy import Actor, allowed_ids, scope
from oppvekst.core.models import Group, Unit
from oppvekst.core.permissions import GroupAction, UnitAction
from oppvekst.people.permissions import ChildAction
from oppvekst.placements.models import Placement


def teacher_groups(actor: Actor) -> list[dict[str, Any]]:
    """The actor's own groups with the children placed there today."""
    ids = actor.ids("group_id", GROUP_ROLES)
    if not ids:
        return []
    active = (
        Placement.objects.active_on(actor.day)
        .select_related("child")
        .order_by("child__last_name", "child__first_name")
    )
    groups = list(
        scope(actor, GroupAction.READ, Group.objects.filter(pk__in=ids))
        .select_related("unit")
        .prefetch_related(Prefetch("placements", queryset=active, to_attr="current"))
    )
    child_ids = [p.child_id for g in groups for p in g.current]
    visible = allowed_ids(actor, ChildAction.READ_BASIC, child_ids)
    role_by_group = {r.group_id: r.name for r in actor.roles if r.group_id in ids}
    return [
        {
            "group": g,
            "role": role_by_group.get(g.pk, ""),
            "children": [p.child for p in g.current if p.child_id in visible],
        }
        for g in groups
    ]


def _unit_rows(actor: Actor, units: QuerySet[Unit]) -> list[dict[str, Any]]:
    units = scope(actor, UnitAction.READ, units)
    counts = dict(
        Placement.objects.active_on(actor.day)
        .filter(unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    groups = dict(
        Group.objects.active_on(actor.day)
        .filter(unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    return [
        {"unit": u, "children": counts.get(u.pk, 0), "groups": groups.get(u.pk, 0)}
        for u in units.order_by("kind", "name")
    ]


def leader_units(actor: Actor) -> list[dict[str, Any]]:
    ids = actor.ids("unit_id", ["unit_leader", "private_kindergarten_head", "administrative"])
    return _unit_rows(actor, Unit.objects.filter(pk__in=ids)) if ids else []


def municipality_units(actor: Actor) -> list[dict[str, Any]]:
    ids = actor.ids("municipality_id", ["caseworker"])
    return _unit_rows(actor, Unit.objects.filter(municipality_id__in=ids)) if ids else []
