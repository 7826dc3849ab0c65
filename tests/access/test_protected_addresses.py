"""Protected-address canary: the families of protected children get canary homes (a street
name and coordinates far from every unit) while still unprotected; the matrix data, an ERP
export and a decision letter are made with them; then protection is raised, as the population
register (FREG) does after the fact. Every page, API response, CSV, JSON and PDF (through
pdftotext) that every persona reaches must then show no canary address, no canary coordinate
and no distance from the canary home — including stored exports and letters served again and
the configuration admin (domain/norway.md §6.1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from oppvekst.access.models import AuditEvent
from oppvekst.access.services import service_token_create
from oppvekst.billing.letters import decision_letter_pdf
from oppvekst.billing.models import ReductionApplication, ReductionStatus
from oppvekst.daterange import active_q
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import AddressProtection, Guardianship, Person
from oppvekst.staff.models import Employment, Position
from tests.access.documents import pdf_text
from tests.access.personas import PERSONAS, objects_for
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db
CANARY = "Kanarifuglvegen"
# Longyearbyen: every distance from here to a unit of the demo is well over 1000 km.
CANARY_LAT, CANARY_LON = 78.2231, 15.6469
COORDINATE = re.compile(r"78[.,]2231|15[.,]6469")
FAR = re.compile(r"\b\d{4,}(?:[.,]\d+)?(?:\s|&nbsp;)*km\b")
LEVELS = {
    "teacher": AddressProtection.CONFIDENTIAL,
    "principal": AddressProtection.STRICT,
    "kindergarten-head": AddressProtection.STRICT_ABROAD,
    "caseworker": AddressProtection.CONFIDENTIAL,
}


def _family(child_id: int) -> list[int]:
    guardians = Guardianship.objects.filter(active_q(DEMO_TODAY), child_id=child_id)
    return [child_id, *guardians.values_list("guardian_id", flat=True)]


@pytest.fixture
def homes() -> dict[str, list[int]]:
    """Canary homes for the own child of each staff persona and the child's guardians (one
    household), still unprotected."""
    families: dict[str, list[int]] = {}
    for slug in LEVELS:
        child_id = objects_for(slug).own_child
        assert child_id is not None
        families[slug] = _family(child_id)
        Person.objects.filter(pk__in=families[slug]).update(
            street_address=f"{CANARY} {child_id}",
            postal_town="Canary",
            latitude=CANARY_LAT,
            longitude=CANARY_LON,
        )
    return families


@pytest.fixture
def urls(homes: dict[str, list[int]]) -> dict[str, list[tuple[str, bool]]]:
    """The matrix URLs per persona. Finding them makes the matrix data — a locked ERP export
    among it — while the canary homes are not yet protected."""
    return {slug: _every_get_url(slug) for slug in PERSONAS}


@pytest.fixture
def letters(homes: dict[str, list[int]]) -> list[str]:
    """A decision letter written to a canary home before protection was raised."""
    payer = next(
        pk
        for slug in ("kindergarten-head", "caseworker", "teacher", "principal")
        for pk in homes[slug][1:]
    )
    child = homes["kindergarten-head"][0]
    applicant = Person.objects.get(pk=payer)
    caseworker = DemoPersona.objects.get(slug="caseworker").user.person
    municipality_id = Employment.objects.get(
        person=caseworker, position=Position.CASEWORKER
    ).municipality_id
    application = ReductionApplication.objects.create(
        municipality_id=municipality_id,
        applicant=applicant,
        year_start=2026,
        income_ore=300_000_00,
        submitted_at=dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC),
        application_month=dt.date(2026, 10, 1),
        status=ReductionStatus.GRANTED,
        decided_at=dt.datetime(2026, 10, 9, 12, tzinfo=dt.UTC),
        effective_from=dt.date(2026, 10, 1),
    )
    application.children.set([child])
    application.letter_pdf = decision_letter_pdf(application, [], dt.date(2026, 10, 9))
    application.save()
    assert CANARY in pdf_text(bytes(application.letter_pdf))
    return [reverse("billing_reduction_letter", args=[application.pk])]


@pytest.fixture
def protected(
    homes: dict[str, list[int]], urls: dict[str, list[tuple[str, bool]]], letters: list[str]
) -> dict[str, int]:
    """The population register raises protection on the whole household afterwards."""
    strictness = list(AddressProtection)  # personas may share a child: the strictest wins
    for slug, level in sorted(LEVELS.items(), key=lambda item: strictness.index(item[1])):
        Person.objects.filter(pk__in=homes[slug]).update(address_protection=level)
    return {slug: family[0] for slug, family in homes.items()}


def _every_get_url(slug: str) -> list[tuple[str, bool]]:
    """Every page and API URL the authorization matrix visits for this persona (all apps)."""
    from tests.access.test_matrix import _api_cases, _page_cases

    objs = objects_for(slug)
    pages = [(url, False) for _r, method, url, _e in _page_cases(slug, objs) if method == "GET"]
    api = [(url, True) for op, url, _e in _api_cases(slug, objs) if not op.startswith("POST ")]
    return pages + api


def _admin_urls(people: list[int]) -> list[tuple[str, bool]]:
    """Every list of the configuration admin, and the protected families' person pages."""
    found = [
        (reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"), False)
        for m in admin.site._registry
    ]
    found += [(reverse("admin:people_person_change", args=[pk]), False) for pk in people]
    return found


def _body(response: Any) -> str | None:
    raw = (
        b"".join(getattr(response, "streaming_content", []))
        if response.streaming
        else response.content
    )
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(raw)
    if kind.startswith(("text/", "application/json")):
        return raw.decode(errors="replace")
    return None


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
        if (body := _body(response)) is not None:
            bodies.append(body)
    return bodies


def _leaks(bodies: list[str]) -> list[str]:
    found = []
    for body in bodies:
        for pattern in (re.compile(CANARY), COORDINATE, FAR):
            if (match := pattern.search(body)) is not None:
                found.append(body[max(0, match.start() - 300) : match.end() + 80])
    return found


@pytest.mark.parametrize("slug", PERSONAS)
def test_canary_never_shown_to_non_entitled_personas(
    slug: str,
    homes: dict[str, list[int]],
    protected: dict[str, int],
    urls: dict[str, list[tuple[str, bool]]],
    letters: list[str],
    settings: Any,
) -> None:
    # Files (letters, ERP files) that the matrix cases created live in their media folder.
    from tests.billing import matrix_cases as billing_cases

    settings.MEDIA_ROOT = billing_cases.MEDIA
    extra = [(url, False) for url in letters] if slug == "caseworker" else []
    if slug == "admin":
        extra += _admin_urls([pk for family in homes.values() for pk in family])
    bodies = _responses(slug, list(protected.values()), urls[slug] + extra)
    leaks = _leaks(bodies)
    assert not leaks, f"{slug} saw a protected address, coordinate or distance: {leaks[:2]}"
    assert not AuditEvent.objects.filter(endpoint__contains=CANARY).exists()


def test_the_canary_finds_what_it_looks_for(homes: dict[str, list[int]]) -> None:
    """The sweep would see a leak: before protection the export and the child page show the
    canary home, and the patterns match an address, a coordinate and a far distance."""
    assert _leaks([f"{CANARY} 1", "59.9, 78.2231", "2034,5 km", "1 234 km"])[:3]
    caseworker = Client()
    caseworker.force_login(DemoPersona.objects.get(slug="caseworker").user)
    child_id = homes["caseworker"][0]
    assert CANARY in caseworker.get(f"/barn/{child_id}/").content.decode()


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
