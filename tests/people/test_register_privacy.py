"""Registering a child by hand never tells whether an identity number exists or whose it is,
and links no guardian outside the caseworker's reach without a second, cleared caseworker
(forvaltningsloven § 13; domain/norway.md §6.1-6.2)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from oppvekst.access.models import AuditEvent
from oppvekst.access.policy import actor_for_user
from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.errors import NotFoundError
from oppvekst.people.identity import make_number
from oppvekst.people.models import (
    AddressProtection,
    Guardianship,
    IdentityReview,
    Person,
    ReviewKind,
    ReviewStatus,
)
from oppvekst.people.services import identity_review_decide
from oppvekst.staff.models import Employment, Position

pytestmark = pytest.mark.django_db


def _free_number(birth: dt.date) -> str:
    return next(
        n
        for i in range(500, 999)
        if (n := make_number(birth, i, synthetic=True))
        and not Person.objects.filter(identity_number=n).exists()
    )


def _caseworker() -> Person:
    person = DemoPersona.objects.get(slug="caseworker").user.person
    assert person is not None
    return person


def _home() -> int:
    return Employment.objects.get(
        person=_caseworker(), position=Position.CASEWORKER
    ).municipality_id


def _adult_elsewhere() -> Person:
    adult = (
        Person.objects.filter(birth_date__lt=dt.date(1995, 1, 1), identity_number__isnull=False)
        .exclude(municipality_id=_home())
        .exclude(municipality__isnull=True)
        .order_by("pk")
        .first()
    )
    assert adult is not None
    return adult


def _register(payload: dict[str, Any]) -> Any:
    user = DemoPersona.objects.get(slug="caseworker").user
    _t, token = service_token_create(user=user, name="r")
    return Client().post(
        "/api/v1/children",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _child(guardian_number: str = "", **extra: str) -> dict[str, Any]:
    return {
        "identity_number": _free_number(dt.date(2023, 4, 4)),
        "first_name": "Ny",
        "last_name": "Registrert",
        "guardian_identity_number": guardian_number,
        **extra,
    }


def test_a_guardian_number_outside_reach_is_neither_named_nor_linked() -> None:
    guardian = _adult_elsewhere()
    Person.objects.filter(pk=guardian.pk).update(address_protection=AddressProtection.STRICT)
    known = _register(_child(guardian.identity_number or ""))
    unknown = _register(_child(_free_number(dt.date(1988, 8, 8))))
    assert (known.status_code, unknown.status_code) == (201, 201)
    for response in (known, unknown):
        text = response.content.decode()
        assert guardian.first_name not in text and guardian.last_name not in text
        assert response.json()["guardians"] == []
    # The two answers differ only in the child's own id and number.
    strip = {"id", "identity_number"}
    assert {k: v for k, v in known.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }
    assert (
        not Guardianship.objects.filter(guardian=guardian)
        .filter(child_id=known.json()["id"])
        .exists()
    )
    review = IdentityReview.objects.get(child_id=known.json()["id"])
    assert (review.kind, review.status) == (ReviewKind.GUARDIAN_LINK, ReviewStatus.PENDING)
    assert review.identity_number == guardian.identity_number


def test_a_known_child_number_outside_reach_gets_no_conflict_answer() -> None:
    elsewhere = (
        Person.objects.filter(birth_date__gt=dt.date(2015, 1, 1), identity_number__isnull=False)
        .exclude(municipality_id=_home())
        .exclude(placements__municipality_id=_home())
        .order_by("pk")
        .first()
    )
    assert elsewhere is not None and elsewhere.identity_number is not None
    response = _register(_child(identity_number=elsewhere.identity_number))
    assert response.status_code == 201
    body = response.json()
    assert body["identity_number"] == elsewhere.identity_number
    assert body["id"] != elsewhere.pk
    assert elsewhere.first_name not in response.content.decode()
    assert Person.objects.filter(identity_number=elsewhere.identity_number).count() == 1
    review = IdentityReview.objects.get(child_id=body["id"])
    assert review.kind == ReviewKind.KNOWN_NUMBER


def test_a_guardian_the_caseworker_may_see_is_linked_at_once() -> None:
    resident = (
        Person.objects.filter(
            municipality_id=_home(),
            birth_date__lt=dt.date(1995, 1, 1),
            identity_number__isnull=False,
            address_protection=AddressProtection.NONE,
        )
        .order_by("pk")
        .first()
    )
    assert resident is not None
    body = _register(_child(resident.identity_number or "")).json()
    assert [g["id"] for g in body["guardians"]] == [resident.pk]
    assert not IdentityReview.objects.filter(child_id=body["id"]).exists()


def test_a_held_guardian_link_needs_a_second_cleared_caseworker() -> None:
    guardian = _adult_elsewhere()
    body = _register(_child(guardian.identity_number or "")).json()
    review = IdentityReview.objects.get(child_id=body["id"])
    requester = DemoPersona.objects.get(slug="caseworker").user
    Employment.objects.filter(person=_caseworker(), position=Position.CASEWORKER).update(
        address_clearance=True
    )
    with pytest.raises(NotFoundError):  # not the one who asked
        identity_review_decide(actor=actor_for_user(requester), review_id=review.pk, approve=True)
    colleague = Person.objects.create(
        first_name="Kollega", last_name="Kontroll", birth_date=dt.date(1980, 1, 1)
    )
    employment = Employment.objects.create(
        person=colleague,
        municipality_id=_home(),
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    from oppvekst.access.models import User

    user = User.objects.create(username="kollega", person=colleague)
    with pytest.raises(NotFoundError):  # not cleared
        identity_review_decide(actor=actor_for_user(user), review_id=review.pk, approve=True)
    employment.address_clearance = True
    employment.save()
    decided = identity_review_decide(actor=actor_for_user(user), review_id=review.pk, approve=True)
    assert decided.status == ReviewStatus.APPROVED and decided.decided_by == colleague
    assert AuditEvent.objects.filter(target_id=body["id"], action="identity_review.decide").exists()
    assert Guardianship.objects.filter(child_id=body["id"], guardian=guardian).exists()
