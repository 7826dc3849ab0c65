"""Reads of municipalities and units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from oppvekst import clock
from oppvekst.core.models import Group, Municipality, Owner, Unit, UnitKind
from oppvekst.people.models import Guardianship
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import Employment


def municipality_stats(on: dt.date | None = None) -> list[dict[str, Any]]:
    """Aggregate counts per municipality (no personal data): `oppvekst stats`."""
    day = on or clock.today()
    unit_counts = {
        "school": Count(
            "pk", filter=Q(kind=UnitKind.SCHOOL, owner=Owner.MUNICIPAL, is_special_school=False)
        ),
        "special_school": Count("pk", filter=Q(kind=UnitKind.SCHOOL, is_special_school=True)),
        "private_school": Count(
            "pk", filter=Q(kind=UnitKind.SCHOOL, owner=Owner.PRIVATE, is_special_school=False)
        ),
        "kindergarten_municipal": Count(
            "pk", filter=Q(kind=UnitKind.KINDERGARTEN, owner=Owner.MUNICIPAL)
        ),
        "kindergarten_private": Count(
            "pk", filter=Q(kind=UnitKind.KINDERGARTEN, owner=Owner.PRIVATE)
        ),
        "sfo": Count("pk", filter=Q(kind=UnitKind.SFO)),
    }
    units = {
        row["municipality_id"]: row
        for row in Unit.objects.values("municipality_id").annotate(**unit_counts)
    }
    active = Placement.objects.active_on(day)
    by_service = {
        (row["municipality_id"], row["service"]): row["n"]
        for row in active.values("municipality_id", "service").annotate(
            n=Count("child", distinct=True)
        )
    }
    placements = dict(active.values_list("municipality_id").annotate(n=Count("pk")))
    groups = dict(
        Group.objects.active_on(day).values_list("municipality_id").annotate(n=Count("pk"))
    )
    employees = dict(
        Employment.objects.active_on(day)
        .values_list("municipality_id")
        .annotate(n=Count("person", distinct=True))
    )
    guardians = dict(
        Guardianship.objects.active_on(day)
        .filter(parental_responsibility=True)
        .filter(child__placements__in=active)
        .values_list("child__placements__municipality_id")
        .annotate(n=Count("guardian", distinct=True))
    )
    out = []
    for muni in Municipality.objects.order_by("pk"):
        u = units.get(muni.pk, {})
        out.append(
            {
                "name": muni.name,
                "number": muni.number,
                "units": {key: u.get(key, 0) for key in unit_counts},
                "groups": groups.get(muni.pk, 0),
                "children": by_service.get((muni.pk, Service.KINDERGARTEN), 0),
                "pupils": by_service.get((muni.pk, Service.SCHOOL), 0),
                "sfo_children": by_service.get((muni.pk, Service.SFO), 0),
                "guardians": guardians.get(muni.pk, 0),
                "employees": employees.get(muni.pk, 0),
                "placements": placements.get(muni.pk, 0),
            }
        )
    return out
