"""Reads of children and guardians, always through the access policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from oppvekst.access.builders import STAFF_GRACE
from oppvekst.access.policy import Actor, allowed_ids, can, scope
from oppvekst.errors import NotFoundError
from oppvekst.people import disclosure
from oppvekst.people.models import Guardianship, IdentityReview, Person, ReviewKind
from oppvekst.people.permissions import ChildAction
from oppvekst.placements.models import Placement

ADULT_AGE_YEARS = 18
ORDERINGS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "birth_date": ("birth_date", "pk"),
    "-birth_date": ("-birth_date", "-pk"),
}


def _children(day: dt.date) -> QuerySet[Person]:
    born_after = day.replace(year=day.year - ADULT_AGE_YEARS)
    return Person.objects.filter(birth_date__gt=born_after)


def child_list(
    actor: Actor, *, search: str = "", ordering: str = "name", limit: int = 50, offset: int = 0
) -> tuple[list[Person], int]:
    """One page of the children the actor may see, and the total count."""
    qs = scope(actor, ChildAction.READ_BASIC, _children(actor.day))
    for word in search.split():
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    count = qs.count()
    page = list(qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["name"]))[offset : offset + limit])
    return page, count


@dataclass
class ChildView:
    """What the actor may see of one child; withheld parts are None."""

    person: Person
    identity_number: str | None
    address: dict[str, str] | None
    placements: list[Placement] | None
    guardians: list[Person] | None
    address_protected: bool

    def as_dict(self) -> dict[str, Any]:
        p = self.person
        return {
            "id": p.pk,
            "first_name": p.first_name,
            "middle_name": p.middle_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date,
            "identity_number": self.identity_number,
            "address": self.address,
            "placements": None
            if self.placements is None
            else [
                {
                    "id": pl.pk,
                    "service": pl.service,
                    "unit_id": pl.unit_id,
                    "unit_name": pl.unit.name,
                    "group_id": pl.group_id,
                    "group_name": pl.group.name if pl.group else None,
                    "place_percent": pl.place_percent,
                    "valid_from": pl.valid_from,
                    "valid_to": pl.valid_to,
                }
                for pl in self.placements
            ],
            "guardians": None
            if self.guardians is None
            else [{"id": g.pk, "name": g.full_name} for g in self.guardians],
        }


def _identity_number(person: Person) -> str | None:
    """The number, also for a hand registration whose number is held for review (the page must
    look the same as for any other child: services.child_register)."""
    if person.identity_number is not None:
        return person.identity_number
    return (
        IdentityReview.objects.filter(child=person, kind=ReviewKind.KNOWN_NUMBER)
        .values_list("identity_number", flat=True)
        .first()
    )


def child_detail(actor: Actor, child_id: int) -> ChildView:
    """404 for a child the actor may not know exists."""
    person = scope(actor, ChildAction.READ_BASIC, _children(actor.day)).filter(pk=child_id).first()
    if person is None:
        raise NotFoundError("Not found.")
    sensitive = can(actor, ChildAction.READ_SENSITIVE, person)
    shown_address = disclosure.address_for(actor, person)
    location_ok = disclosure.may_see_location(actor, person)
    placements = None
    if location_ok:
        placements = list(
            Placement.objects.not_ended_by(actor.day - STAFF_GRACE)
            .filter(child=person)
            .select_related("unit", "group")
            .order_by("valid_from")
        )
    guardians = None
    if sensitive:
        guardians = [
            g.guardian
            for g in Guardianship.objects.active_on(actor.day)
            .filter(child=person)
            .select_related("guardian")
            .order_by("guardian__last_name")
        ]
    address = shown_address.as_dict() if shown_address is not None else None
    return ChildView(
        person=person,
        identity_number=_identity_number(person) if sensitive else None,
        address=address,
        placements=placements,
        guardians=guardians,
        address_protected=person.has_protected_address and address is not None,
    )


def guardian_children(actor: Actor) -> list[Person]:
    ids = actor.ids("child_id", ["guardian", "daily_carer"])
    visible = allowed_ids(actor, ChildAction.READ_BASIC, ids)
    active = Placement.objects.active_on(actor.day).select_related("unit", "group")
    return list(
        Person.objects.filter(pk__in=visible)
        .order_by("birth_date")
        .prefetch_related(Prefetch("placements", queryset=active, to_attr="current_placements"))
    )


def siblings(child: Person, day: dt.date) -> list[Person]:
    """Siblings are derived, never stored: children who share a guardian with
    parental responsibility, or who are registered in the same household. Not access-scoped:
    callers (billing's sibling discount, admission's sibling priority) scope the child first."""
    guardian_ids = (
        Guardianship.objects.active_on(day)
        .filter(child=child, parental_responsibility=True)
        .values("guardian_id")
    )
    shared_guardian = Q(
        pk__in=Guardianship.objects.active_on(day)
        .filter(guardian_id__in=guardian_ids, parental_responsibility=True)
        .values("child_id")
    )
    same_household = Q(household_key=child.household_key) if child.household_key else Q(pk__in=[])
    adults_born_before = day.replace(year=day.year - ADULT_AGE_YEARS)
    return list(
        Person.objects.filter(shared_guardian | same_household)
        .filter(birth_date__gt=adults_born_before)
        .exclude(pk=child.pk)
        .order_by("birth_date", "pk")
    )
