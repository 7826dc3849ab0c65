"""Own and other objects per demo persona, found from data (not from the policy under test)."""

from __future__ import annotations

from dataclasses import dataclass

from oppvekst.core.models import Unit
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement
from oppvekst.staff.models import Employment, GroupAssignment, Position
from tests.conftest import DEMO_TODAY

PERSONAS = [
    "guardian",
    "teacher",
    "principal",
    "kindergarten-head",
    "private-kindergarten-head",
    "caseworker",
    "admin",
]


@dataclass
class Objects:
    own_child: int | None
    other_child: int
    own_unit: int | None
    other_unit: int


def _placed(**filters: object) -> Placement:
    placement = (
        Placement.objects.active_on(DEMO_TODAY)
        .filter(**filters)
        .exclude(child__address_protection__in=["strengt_fortrolig", "strengt_fortrolig_utland"])
        .order_by("pk")
        .first()
    )
    assert placement is not None, filters
    return placement


def fet_child() -> int:
    return _placed(municipality__number="0227").child_id


def objects_for(slug: str) -> Objects:
    person = DemoPersona.objects.get(slug=slug).user.person
    assert person is not None
    fet_unit = Unit.objects.filter(municipality__number="0227").order_by("pk").first()
    assert fet_unit is not None
    if slug == "guardian":
        own = Guardianship.objects.filter(guardian=person).order_by("child_id").first()
        assert own is not None
        own_placement = _placed(child_id=own.child_id)
        mine = set(Guardianship.objects.filter(guardian=person).values_list("child_id", flat=True))
        other = (
            Placement.objects.active_on(DEMO_TODAY)
            .filter(group=own_placement.group)
            .exclude(child_id__in=mine)
            .first()
        )
        assert other is not None
        return Objects(own.child_id, other.child_id, own_placement.unit_id, fet_unit.pk)
    if slug == "teacher":
        assignment = GroupAssignment.objects.filter(person=person).first()
        assert assignment is not None
        group = assignment.group
        own_p = _placed(group=group)
        other_p = (
            Placement.objects.active_on(DEMO_TODAY)
            .filter(unit=group.unit)
            .exclude(group=group)
            .exclude(group__in=GroupAssignment.objects.filter(person=person).values("group"))
            .first()
        )
        assert other_p is not None
        return Objects(own_p.child_id, other_p.child_id, group.unit_id, fet_unit.pk)
    if slug == "caseworker":
        employment = Employment.objects.get(person=person, position=Position.CASEWORKER)
        own_p = _placed(municipality=employment.municipality)
        own_unit = Unit.objects.filter(municipality=employment.municipality).order_by("pk").first()
        assert own_unit is not None
        return Objects(own_p.child_id, fet_child(), own_unit.pk, fet_unit.pk)
    if slug == "admin":
        return Objects(None, fet_child(), None, fet_unit.pk)
    employment = Employment.objects.get(person=person, position=Position.PRINCIPAL)
    unit = employment.unit
    assert unit is not None
    own_p = _placed(unit=unit)
    other_p = _placed(municipality=unit.municipality, unit__kind=unit.kind, unit__owner="municipal")
    if other_p.unit_id == unit.pk:
        other_p = (
            Placement.objects.active_on(DEMO_TODAY)
            .filter(municipality=unit.municipality)
            .exclude(unit=unit)
            .first()
        )  # type: ignore[assignment]
    return Objects(own_p.child_id, other_p.child_id, unit.pk, fet_unit.pk)


def child(pk: int) -> Person:
    return Person.objects.get(pk=pk)
