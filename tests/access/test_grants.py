"""The configuration admin cannot open children's data by itself: no employment, group
assignment, address clearance or login linked to a person is made there directly; a request
waits for a second system administrator, and every step is in the append-only audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from oppvekst.access.models import AuditEvent, User
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person
from oppvekst.staff.models import AccessGrant, Employment, GrantStatus, Position

pytestmark = pytest.mark.django_db


def _admin() -> tuple[Client, User, Person]:
    user = DemoPersona.objects.get(slug="admin").user
    assert user.person is not None
    client = Client()
    client.force_login(user)
    return client, user, user.person


def _second_admin(municipality_id: int) -> tuple[Client, User]:
    person = Person.objects.create(
        first_name="Andre", last_name="Administrator", birth_date=dt.date(1979, 1, 1)
    )
    Employment.objects.create(
        person=person,
        municipality_id=municipality_id,
        position=Position.SYSTEM_ADMIN,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    user = User.objects.create(username="andre-admin", person=person, is_staff=True)
    client = Client()
    client.force_login(user)
    return client, user


def _own_employment(person: Person) -> Employment:
    return Employment.objects.get(person=person, position=Position.SYSTEM_ADMIN)


def test_the_admin_cannot_add_an_employment_or_clear_itself() -> None:
    client, _user, me = _admin()
    own = _own_employment(me)
    before = Employment.objects.count()
    response = client.post(
        "/admin/staff/employment/add/",
        {
            "person": me.pk,
            "municipality": own.municipality_id,
            "position": Position.CASEWORKER,
            "percentage": "100",
            "address_clearance": "on",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 403
    assert Employment.objects.count() == before
    client.post(
        f"/admin/staff/employment/{own.pk}/change/",
        {"percentage": "100", "address_clearance": "on", "position": Position.CASEWORKER},
    )
    own.refresh_from_db()
    assert own.position == Position.SYSTEM_ADMIN and not own.address_clearance
    assert client.get("/admin/staff/groupassignment/add/").status_code == 403


def test_the_admin_cannot_link_a_login_to_a_person() -> None:
    client, _user, _me = _admin()
    child = Person.objects.filter(birth_date__gt=dt.date(2015, 1, 1)).order_by("pk").first()
    assert child is not None
    login = User.objects.create(username="ny-bruker")
    page = client.get(f"/admin/access/user/{login.pk}/change/").content.decode()
    assert 'name="person"' not in page
    client.post(
        f"/admin/access/user/{login.pk}/change/",
        {"username": "ny-bruker", "person": child.pk, "date_joined_0": "2026-01-01"},
    )
    login.refresh_from_db()
    assert login.person_id is None


def test_a_grant_waits_for_a_second_administrator_and_is_audited() -> None:
    client, user, me = _admin()
    municipality_id = _own_employment(me).municipality_id
    response = client.post(
        "/admin/staff/accessgrant/add/",
        {
            "kind": "employment",
            "person": me.pk,
            "municipality": municipality_id,
            "position": Position.CASEWORKER,
            "percentage": "100",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = AccessGrant.objects.get(person=me)
    assert grant.status == GrantStatus.PENDING and grant.requested_by == user
    assert not Employment.objects.filter(person=me, position=Position.CASEWORKER).exists()
    requested = AuditEvent.objects.filter(target=me, action="staff.grant_requested")
    assert requested.count() == 1 and requested[0].endpoint.endswith("/employment")
    # The one who asked (and receives) cannot approve.
    changelist = "/admin/staff/accessgrant/"
    client.post(changelist, {"action": "approve", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert not Employment.objects.filter(person=me, position=Position.CASEWORKER).exists()
    other, other_user = _second_admin(municipality_id)
    other.post(changelist, {"action": "approve", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED and grant.decided_by == other_user
    assert Employment.objects.filter(person=me, position=Position.CASEWORKER).exists()
    approved = AuditEvent.objects.get(target=me, action="staff.grant_approved")
    assert approved.actor_user == other_user


def test_clearance_is_a_request_too() -> None:
    client, _user, _me = _admin()
    caseworker = DemoPersona.objects.get(slug="caseworker").user.person
    employment = Employment.objects.get(person=caseworker, position=Position.CASEWORKER)
    client.post(
        "/admin/staff/accessgrant/add/",
        {
            "kind": "clearance",
            "person": caseworker.pk,  # type: ignore[union-attr]
            "employment": employment.pk,
            "valid_from": "2026-01-01",
        },
    )
    grant = AccessGrant.objects.get(employment=employment)
    employment.refresh_from_db()
    assert not employment.address_clearance
    other, _other_user = _second_admin(employment.municipality_id)
    other.post("/admin/staff/accessgrant/", {"action": "approve", "_selected_action": [grant.pk]})
    employment.refresh_from_db()
    assert employment.address_clearance
    assert AuditEvent.objects.filter(
        target=caseworker, action="staff.grant_approved", endpoint__endswith="/clearance"
    ).exists()
