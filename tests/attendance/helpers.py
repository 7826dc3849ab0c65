"""Finding the demo's people and places for the attendance tests (from data, not the policy)."""

from __future__ import annotations

import datetime as dt

from oppvekst.access.policy import Actor, actor_for_user
from oppvekst.core.models import Unit
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement
from tests.conftest import DEMO_TODAY

STRICT = ["strengt_fortrolig", "strengt_fortrolig_utland"]


def persona(slug: str) -> Person:
    person = DemoPersona.objects.get(slug=slug).user.person
    assert person is not None
    return person


def actor(slug: str, day: dt.date = DEMO_TODAY) -> Actor:
    return actor_for_user(DemoPersona.objects.get(slug=slug).user, day)


def head_unit(slug: str = "kindergarten-head") -> Unit:
    return Unit.objects.get(employments__person=persona(slug), employments__position="principal")


def placement_in(unit: Unit, *, skip: int = 0) -> Placement:
    """A child placed in `unit` whom the demo has neither checked in nor reported absent today."""
    found = (
        Placement.objects.active_on(DEMO_TODAY)
        .filter(unit=unit)
        .exclude(child__address_protection__in=STRICT)
        .exclude(child__attendances__day=DEMO_TODAY)
        .exclude(
            child__absences__first_day__lte=DEMO_TODAY, child__absences__last_day__gte=DEMO_TODAY
        )
        .exclude(child__pickup_restrictions__isnull=False)
        .select_related("child", "group")
        .order_by("pk")[skip : skip + 1]
    )
    assert found, unit
    return found[0]


def guardian_placement(service: str, child_id: int | None = None) -> Placement:
    """The guardian persona's child placed in `service` today."""
    own = Guardianship.objects.filter(guardian=persona("guardian")).values("child_id")
    if child_id is not None:
        own = own.filter(child_id=child_id)
    placement = (
        Placement.objects.active_on(DEMO_TODAY)
        .filter(child_id__in=own, service=service)
        .select_related("child", "unit", "group")
        .first()
    )
    assert placement is not None, service
    return placement


def other_unit_placement(unit: Unit) -> Placement:
    """A kindergarten placement in another kindergarten of the same municipality."""
    found = (
        Placement.objects.active_on(DEMO_TODAY)
        .filter(municipality_id=unit.municipality_id, service="kindergarten")
        .exclude(unit=unit)
        .exclude(child__address_protection__in=STRICT)
        .select_related("child", "unit")
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found
