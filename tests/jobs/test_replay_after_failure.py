"""Write endpoints replayed with the same idempotency key after a failure injected between
their steps: the failure leaves nothing half-written, the error is the API's one JSON shape,
and the replay gives the finished result exactly once (DESIGN.md house rules)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from oppvekst.access import audit
from oppvekst.access.models import AuditEvent
from oppvekst.access.services import service_token_create
from oppvekst.admission import selectors as admission_selectors
from oppvekst.admission import services as admission_services
from oppvekst.admission.models import Application, Offer
from oppvekst.core.models import IdempotencyRecord
from oppvekst.demo.models import DemoPersona
from oppvekst.people import selectors as people_selectors
from oppvekst.people.identity import make_number
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement
from tests.admission import builders

pytestmark = pytest.mark.django_db


class Injected(RuntimeError):
    pass


def fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Make owner.name raise once, then behave as before. Returns the call log."""
    real: Callable[..., Any] = getattr(owner, name)
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise Injected(f"injected failure in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def _headers(person: Person | None = None, slug: str = "") -> dict[str, str]:
    user = builders.user_for(person) if person else DemoPersona.objects.get(slug=slug).user
    _token, plaintext = service_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _apply_body(child: Person, unit_ids: list[int]) -> dict[str, Any]:
    return {
        "child_id": child.pk,
        "desired_start": "2027-08-01",
        "place_percent": 100,
        "wishes": unit_ids,
        "submit": True,
    }


def _assert_error_shape(response: Any) -> None:
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "server_error"
    assert "Traceback" not in response.content.decode()
    assert "injected" not in response.content.decode()


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (admission_services, "application_submit"),  # between create and submit
        (audit, "record"),  # between the change and its audit row
        (admission_selectors, "application_detail"),  # between the commit and the answer
    ],
)
def test_create_and_submit_replayed_after_a_failure_between_steps_is_submitted_once(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str
) -> None:
    w = builders.world(seats=1)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    headers = _headers(mum)
    body = _apply_body(child, [w.kg[0].pk])
    fail_once(monkeypatch, owner, name)
    post = lambda: Client().post(  # noqa: E731
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="replay-1",
        **headers,
    )
    failed = post()
    _assert_error_shape(failed)
    assert not Application.objects.filter(child=child).exists()
    assert not IdempotencyRecord.objects.filter(key="replay-1").exists()
    replay = post()
    assert replay.status_code == 201, replay.content
    assert replay.json()["status"] == "submitted"
    again = post()
    assert again.status_code == 200 and again.json()["id"] == replay.json()["id"]
    assert again.json()["status"] == "submitted"
    assert Application.objects.filter(child=child).count() == 1
    assert AuditEvent.objects.filter(action="application.create", target_id=child.pk).count() == 2


def test_register_child_replayed_after_an_audit_failure_creates_one_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    birth = dt.date(2023, 4, 4)
    number = next(n for i in range(500, 999) if (n := make_number(birth, i, synthetic=True)))
    body = json.dumps({"identity_number": number, "first_name": "Replay", "last_name": "Test"})
    headers = _headers(slug="caseworker")
    fail_once(monkeypatch, people_selectors, "child_detail")
    post = lambda: Client().post(  # noqa: E731
        "/api/v1/children",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="child-1",
        **headers,
    )
    _assert_error_shape(post())
    assert not Person.objects.filter(identity_number=number).exists()
    first, second = post(), post()
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Person.objects.filter(identity_number=number).count() == 1


def test_accepting_an_offer_replayed_after_an_audit_failure_gives_one_placement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = builders.world(seats=1)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    headers = _headers(mum)
    fail_once(monkeypatch, audit, "record")
    url = f"/api/v1/offers/{offer.pk}/accept"
    post = lambda: Client().post(url, {}, content_type="application/json", **headers)  # noqa: E731
    _assert_error_shape(post())
    assert not Placement.objects.filter(child=child, valid_from=offer.start_date).exists()
    first, second = post(), post()
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Placement.objects.filter(child=child, valid_from=offer.start_date).count() == 1


def test_child_form_replayed_after_an_audit_failure_registers_one_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    birth = dt.date(2023, 5, 5)
    number = next(n for i in range(500, 999) if (n := make_number(birth, i, synthetic=True)))
    data = {"identity_number": number, "first_name": "Ny", "last_name": "Igjen"}
    data["idempotency_key"] = "form-replay"
    client = Client(raise_request_exception=False)
    client.force_login(DemoPersona.objects.get(slug="caseworker").user)
    fail_once(monkeypatch, audit, "record")
    assert client.post("/barn/ny/", data).status_code == 500
    assert not Person.objects.filter(identity_number=number).exists()
    first, second = client.post("/barn/ny/", data), client.post("/barn/ny/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(identity_number=number).count() == 1


def test_portal_application_replayed_after_an_audit_failure_is_one_draft(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = builders.world(seats=1)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    client = Client(raise_request_exception=False)
    client.force_login(builders.user_for(mum))
    data = {
        "child": child.pk,
        "desired_start": "2027-08-01",
        "place_size": "100",
        "idempotency_key": "portal-replay",
    }
    fail_once(monkeypatch, audit, "record")
    url = "/portal/soknader/ny/"
    assert client.post(url, data).status_code == 500
    assert not Application.objects.filter(child=child).exists()
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302, first.content[:500]
    assert first["Location"] == second["Location"]
    assert Application.objects.filter(child=child).count() == 1


def test_an_unexpected_error_in_a_read_is_the_json_error_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fail_once(monkeypatch, people_selectors, "child_list")
    response = Client().get("/api/v1/children", **_headers(slug="caseworker"))
    _assert_error_shape(response)
