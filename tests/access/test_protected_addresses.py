"""Protected-address canary: protected children get canary addresses; every page and API
response rendered as every non-entitled persona must contain the canary zero times."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from oppvekst.access.models import AuditEvent
from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import AddressProtection, Person
from oppvekst.staff.models import Employment, Position
from tests.access.personas import PERSONAS, objects_for

pytestmark = pytest.mark.django_db
CANARY = "Kanarifuglvegen"


@pytest.fixture
def urls() -> dict[str, list[tuple[str, bool]]]:
    """The matrix URLs per persona, found before any child is protected."""
    return {slug: _every_get_url(slug) for slug in PERSONAS}


@pytest.fixture
def protected(urls: dict[str, list[tuple[str, bool]]]) -> dict[str, int]:
    """Make the own child of each staff persona protected, with a canary address."""
    ids: dict[str, int] = {}
    for slug, level in (
        ("teacher", AddressProtection.CONFIDENTIAL),
        ("principal", AddressProtection.STRICT),
        ("kindergarten-head", AddressProtection.STRICT_ABROAD),
        ("caseworker", AddressProtection.CONFIDENTIAL),
    ):
        child_id = objects_for(slug).own_child
        assert child_id is not None
        Person.objects.filter(pk=child_id).update(
            address_protection=level, street_address=f"{CANARY} {child_id}", postal_town="Canary"
        )
        ids[slug] = child_id
    return ids


def _every_get_url(slug: str) -> list[tuple[str, bool]]:
    """Every page and API URL the authorization matrix visits for this persona (all apps)."""
    from tests.access.test_matrix import _api_cases, _page_cases

    objs = objects_for(slug)
    pages = [(url, False) for _r, method, url, _e in _page_cases(slug, objs) if method == "GET"]
    api = [(url, True) for op, url, _e in _api_cases(slug, objs) if not op.startswith("POST ")]
    return pages + api


def _responses(
    slug: str, child_ids: list[int], urls: list[tuple[str, bool]] | None = None
) -> list[str]:
    client = Client()
    client.force_login(DemoPersona.objects.get(slug=slug).user)
    _t, token = service_token_create(user=DemoPersona.objects.get(slug=slug).user, name="canary")
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    bodies = [client.get(url).content.decode() for url in ("/", "/barn/", "/barn/?side=2")]
    for child_id in child_ids:
        bodies.append(client.get(f"/barn/{child_id}/").content.decode())
        bodies.append(client.get(f"/barn/{child_id}/innsyn/").content.decode())
        bodies.append(Client().get(f"/api/v1/children/{child_id}", **api).content.decode())
    for url in ("/api/v1/children?limit=500", "/api/v1/me", "/api/v1/groups?limit=500"):
        bodies.append(Client().get(url, **api).content.decode())
    for url, is_api in urls or []:
        response = Client().get(url, **api) if is_api else client.get(url)
        if response.get("Content-Type", "").startswith(("text/", "application/json")):
            raw = (
                b"".join(getattr(response, "streaming_content", []))
                if response.streaming
                else response.content
            )
            bodies.append(raw.decode(errors="replace"))
    return bodies


@pytest.mark.parametrize("slug", PERSONAS)
def test_canary_never_shown_to_non_entitled_personas(
    slug: str, protected: dict[str, int], urls: dict[str, list[tuple[str, bool]]], settings: Any
) -> None:
    # Files (letters, ERP files) that the matrix cases created live in their media folder.
    from tests.billing import matrix_cases as billing_cases

    settings.MEDIA_ROOT = billing_cases.MEDIA
    bodies = _responses(slug, list(protected.values()), urls[slug])
    leaks = [b[max(0, b.find(CANARY) - 300) : b.find(CANARY) + 80] for b in bodies if CANARY in b]
    assert not leaks, f"{slug} saw a protected address: {leaks[:2]}"
    assert not AuditEvent.objects.filter(endpoint__contains=CANARY).exists()


def test_strictly_protected_child_unit_is_withheld_from_caseworker(
    protected: dict[str, int],
) -> None:
    user = DemoPersona.objects.get(slug="caseworker").user
    _t, token = service_token_create(user=user, name="t")
    strict = protected["principal"]
    body = Client().get(f"/api/v1/children/{strict}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["placements"] is None and body["address"] is None
    # The principal of the child's own school knows the child is there, but not the address.
    user = DemoPersona.objects.get(slug="principal").user
    _t, token = service_token_create(user=user, name="t")
    body = Client().get(f"/api/v1/children/{strict}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["placements"] and body["address"] is None


def test_cleared_caseworker_sees_protected_address_and_it_is_audited(
    protected: dict[str, int],
) -> None:
    persona = DemoPersona.objects.get(slug="caseworker")
    Employment.objects.filter(person=persona.user.person, position=Position.CASEWORKER).update(
        address_clearance=True
    )
    client = Client()
    client.force_login(persona.user)
    child_id = protected["caseworker"]
    before = AuditEvent.objects.filter(target_id=child_id).count()
    html = client.get(f"/barn/{child_id}/").content.decode()
    assert CANARY in html
    events = AuditEvent.objects.filter(target_id=child_id)
    assert events.count() == before + 1
    assert events.first().actor_role == "caseworker"  # type: ignore[union-attr]
