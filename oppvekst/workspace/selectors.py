"""What each role sees on its front page. Every query is scoped to the actor's own data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch

from oppvekst.access.roles import Role
from oppvekst.core.models import Group, Municipality, Unit
from oppvekst.daterange import active_q
from oppvekst.people.models import STRICT_LEVELS, Person
from oppvekst.placements.models import Placement


@dataclass
class FrontPage:
    children: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)


def guardian_children(roles: list[Role], day: dt.date) -> list[dict[str, Any]]:
    ids = [r.child_id for r in roles if r.name in ("guardian", "daily_carer") and r.child_id]
    active = Placement.objects.filter(active_q(day)).select_related("unit", "group")
    children = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("placements", queryset=active, to_attr="current_placements")
    )
    return [{"person": c, "placements": c.current_placements} for c in children]


def teacher_groups(roles: list[Role], day: dt.date) -> list[dict[str, Any]]:
    ids = {r.group_id for r in roles if r.group_id}
    active = (
        Placement.objects.filter(active_q(day))
        .select_related("child")
        .order_by("child__last_name", "child__first_name")
    )
    groups = (
        Group.objects.filter(pk__in=ids)
        .select_related("unit")
        .prefetch_related(Prefetch("placements", queryset=active, to_attr="current"))
    )
    return [
        {
            "group": g,
            "role": next(r.name for r in roles if r.group_id == g.pk),
            "children": [p.child for p in g.current],
        }
        for g in groups
    ]


def leader_units(roles: list[Role], day: dt.date) -> list[dict[str, Any]]:
    ids = {
        r.unit_id
        for r in roles
        if r.name in ("unit_leader", "private_kindergarten_head", "administrative") and r.unit_id
    }
    return _unit_rows(Unit.objects.filter(pk__in=ids), day)


def _unit_rows(units: Any, day: dt.date) -> list[dict[str, Any]]:
    counts = dict(
        Placement.objects.filter(active_q(day), unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    groups = dict(
        Group.objects.filter(active_q(day), unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    return [
        {"unit": u, "children": counts.get(u.pk, 0), "groups": groups.get(u.pk, 0)}
        for u in units.order_by("kind", "name")
    ]


def municipality_units(roles: list[Role], day: dt.date) -> list[dict[str, Any]]:
    ids = {r.municipality_id for r in roles if r.name == "caseworker"}
    return _unit_rows(Unit.objects.filter(municipality_id__in=ids), day)


def hide_strictly_protected(children: list[Person]) -> list[Person]:
    """A strengt fortrolig child's unit and group are withheld (domain/norway.md §6.1)."""
    return [c for c in children if c.address_protection not in STRICT_LEVELS]
