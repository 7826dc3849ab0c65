"""A strictly protected child's unit is not named next to the child in admission (domain/
norway.md §6.1, item 2): a private kindergarten head who sees the application because it lists
the own kindergarten does not learn where the child was offered a place."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.test import Client

from oppvekst.access.services import service_token_create
from oppvekst.admission.models import Offer
from oppvekst.people.models import AddressProtection, Person
from oppvekst.staff.models import Employment, Position
from tests.admission import builders

pytestmark = pytest.mark.django_db


def _login(person: Person) -> Client:
    client = Client()
    client.force_login(builders.user_for(person))
    return client


@pytest.fixture
def w() -> builders.World:
    return builders.world(seats=1, private_seats=1)


def _private_head(w: builders.World) -> Person:
    head = builders.factories.person(dt.date(1975, 1, 1), first="Styrer")
    Employment.objects.create(
        person=head,
        municipality=w.muni,
        unit=w.private,
        position=Position.PRINCIPAL,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    return head


@pytest.mark.parametrize("level", [AddressProtection.STRICT, AddressProtection.STRICT_ABROAD])
def test_offer_elsewhere_is_not_named_to_a_private_head_or_an_uncleared_caseworker(
    w: builders.World, level: str
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 1))
    app = builders.apply(child, mum, [w.kg[0], w.private])
    Person.objects.filter(pk=child.pk).update(address_protection=level)
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    assert offer.unit == w.kg[0]
    head = _private_head(w)
    offered = f"Tilbud i {escape(w.kg[0].name)}"
    for person in (head, w.caseworker):
        html = _login(person).get(f"/opptak/soknader/{app.pk}/").content.decode()
        assert app.child.full_name in html
        assert offered not in html and f"/portal/tilbud/{offer.pk}/" not in html
        _t, token = service_token_create(user=builders.user_for(person), name="t")
        body = (
            Client()
            .get(f"/api/v1/applications/{app.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
            .json()
        )
        assert body["offers"] == []
    # The family sees where its child was offered a place.
    assert w.kg[0].name in _login(mum).get(f"/portal/tilbud/{offer.pk}/").content.decode()


def test_offer_of_an_unprotected_child_is_named_to_the_caseworker(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 1))
    app = builders.apply(child, mum, [w.kg[0], w.private])
    builders.run(w.round, w.caseworker)
    html = _login(w.caseworker).get(f"/opptak/soknader/{app.pk}/").content.decode()
    assert f"Tilbud i {escape(w.kg[0].name)}" in html
