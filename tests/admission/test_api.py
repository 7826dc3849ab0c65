"""The admission API: scoped lists, idempotent POST /applications, answering offers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from oppvekst.access.services import service_token_create
from oppvekst.admission.models import Application, Offer
from oppvekst.demo.models import DemoPersona
from oppvekst.placements.models import Placement
from tests.admission import builders

pytestmark = pytest.mark.django_db


def headers(person=None, slug: str = "") -> dict[str, str]:
    user = builders.user_for(person) if person else DemoPersona.objects.get(slug=slug).user
    _token, plaintext = service_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_post_applications_is_idempotent_with_the_header_and_scoped_to_own_children() -> None:
    w = builders.world(seats=1)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    other, _ = builders.family(w.muni, dt.date(2026, 3, 3))
    h = headers(mum)
    body = {
        "child_id": child.pk,
        "desired_start": "2027-08-01",
        "place_percent": 100,
        "weekly_hours": "41",
        "wishes": [w.kg[0].pk, w.private.pk],
        "submit": True,
    }
    first = Client().post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **h,
    )
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "submitted"
    assert [x["unit_id"] for x in first.json()["wishes"]] == [w.kg[0].pk, w.private.pk]
    again = Client().post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **h,
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Application.objects.filter(child=child).count() == 1
    foreign = Client().post(
        "/api/v1/applications",
        {**body, "child_id": other.pk},
        content_type="application/json",
        **h,
    )
    assert foreign.status_code == 404
    staff = Client().post(
        "/api/v1/applications", body, content_type="application/json", **headers(slug="caseworker")
    )
    assert staff.status_code == 404
    listed = Client().get("/api/v1/applications", **h).json()
    assert listed["count"] == 1 and listed["items"][0]["child_id"] == child.pk
    bad = Client().post(
        "/api/v1/applications",
        {**body, "wishes": [999999]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
        **h,
    )
    assert bad.status_code == 400 and "wishes" in bad.json()["fields"]


def test_accepting_through_the_api_twice_gives_one_placement_and_others_get_404() -> None:
    w = builders.world(seats=1)
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    url = f"/api/v1/offers/{offer.pk}/accept"
    for slug in ("caseworker", "private-kindergarten-head", "teacher"):
        r = Client().post(url, {}, content_type="application/json", **headers(slug=slug))
        assert r.status_code == 404
    first = Client().post(url, {}, content_type="application/json", **headers(mum))
    second = Client().post(url, {}, content_type="application/json", **headers(dad))
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Placement.objects.filter(child=child).count() == 1
    declined = Client().post(
        f"/api/v1/offers/{offer.pk}/decline", {}, content_type="application/json", **headers(mum)
    )
    assert declined.status_code == 409 and declined.json()["code"] == "offer_closed"


def test_get_application_is_404_for_those_who_may_not_know_it() -> None:
    w = builders.world()
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    assert Client().get(f"/api/v1/applications/{app.pk}", **headers(mum)).status_code == 200
    for slug in ("guardian", "caseworker", "teacher"):  # the caseworker works elsewhere
        assert (
            Client().get(f"/api/v1/applications/{app.pk}", **headers(slug=slug)).status_code == 404
        )
    assert Client().get("/api/v1/applications").status_code == 401
