"""The child's record: allergies and diet for the child's staff, health notes only for the
child's own staff and leaders (audited), consents per purpose and guardian with history and
withdrawal, emergency contacts and the guardian's own contact details."""

from __future__ import annotations

from typing import Any

import pytest

from oppvekst.access.actor import Actor
from oppvekst.access.models import AuditEvent
from oppvekst.access.policy import can
from oppvekst.access.roles import Role
from oppvekst.attendance import selectors, services
from oppvekst.attendance.models import Consent, EmergencyContact
from oppvekst.people.models import Guardianship
from tests.attendance.helpers import actor, guardian_placement, head_unit, persona, placement_in
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


def test_head_sees_allergies_and_health_and_each_health_read_is_audited(
    persona_client: Any,
) -> None:
    child = placement_in(head_unit()).child
    services.child_note_add(child=child, kind="allergy", text="Nøtter (anafylaksi)", by=None)
    services.child_note_add(child=child, kind="health", text="Epilepsi, medisin i skapet", by=None)
    before = AuditEvent.objects.filter(action="health.read", target=child).count()
    html = persona_client("kindergarten-head").get(f"/oppmote/barn/{child.pk}/").content.decode()
    assert "Nøtter (anafylaksi)" in html and "Epilepsi" in html
    assert child.identity_number not in html
    assert AuditEvent.objects.filter(action="health.read", target=child).count() == before + 1


def test_unit_office_staff_see_allergies_but_not_health_notes() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.child_note_add(child=child, kind="diet", text="Vegetar", by=None)
    services.child_note_add(child=child, kind="health", text="Astma", by=None)
    office = Actor(
        person=None,
        roles=[
            Role(
                "administrative",
                municipality_id=unit.municipality_id,
                unit_id=unit.pk,
                unit_kind="kindergarten",
            )
        ],
        day=DEMO_TODAY,
    )
    assert can(office, "child_record.read", child)
    assert not can(office, "health.read", child)
    record = selectors.child_record(office, child)
    assert "Vegetar" in [n.text for n in record.allergies_and_diet]
    assert record.health is None


def test_other_units_and_the_sector_office_get_404(persona_client: Any) -> None:
    child = placement_in(head_unit()).child
    for slug in ("private-kindergarten-head", "caseworker", "teacher", "guardian"):
        response = persona_client(slug).get(f"/oppmote/barn/{child.pk}/")
        assert response.status_code in (403, 404), slug


def test_consent_history_keeps_every_answer_and_the_newest_counts() -> None:
    child = guardian_placement("kindergarten").child
    kari = persona("guardian")
    services.consent_set(child=child, guardian=kari, purpose="photo_parent_app", granted=True)
    services.consent_set(child=child, guardian=kari, purpose="photo_parent_app", granted=True)
    services.consent_set(child=child, guardian=kari, purpose="photo_parent_app", granted=False)
    rows = Consent.objects.filter(child=child, purpose="photo_parent_app")
    assert [c.granted for c in rows.order_by("at", "pk")] == [True, False]
    line = next(
        c
        for c in selectors.child_record(actor("guardian"), child).consents
        if c.purpose == "photo_parent_app"
    )
    assert not line.all_granted


def test_consent_needs_every_guardian_with_parental_responsibility() -> None:
    child = guardian_placement("kindergarten").child
    guardians = [
        g.guardian for g in Guardianship.objects.filter(child=child, parental_responsibility=True)
    ]
    for g in guardians:
        services.consent_set(child=child, guardian=g, purpose="trips", granted=True)
    line = next(
        c for c in selectors.child_record(actor("guardian"), child).consents if c.purpose == "trips"
    )
    assert line.all_granted
    if len(guardians) > 1:
        services.consent_set(child=child, guardian=guardians[-1], purpose="trips", granted=False)
        line = next(
            c
            for c in selectors.child_record(actor("guardian"), child).consents
            if c.purpose == "trips"
        )
        assert not line.all_granted


def test_guardian_keeps_consents_contacts_and_own_details_in_the_portal(
    persona_client: Any,
) -> None:
    client = persona_client("guardian")
    child = guardian_placement("kindergarten").child
    url = f"/portal/hverdag/{child.pk}/kort/"
    assert client.get(url).status_code == 200
    ok = client.post(
        url,
        {"form": "consent", "purpose": "photo_internal", "granted": "1", "idempotency_key": "c1"},
    )
    assert ok.status_code == 302
    assert Consent.objects.filter(child=child, purpose="photo_internal", granted=True).exists()
    client.post(
        url,
        {
            "form": "emergency",
            "name": "Tante Turid",
            "relation": "tante",
            "phone": "90000000",
            "idempotency_key": "e1",
        },
    )
    assert EmergencyContact.objects.filter(child=child, name="Tante Turid").exists()
    bad = client.post(
        url, {"form": "contact", "phone": "1", "email": "ikke-en-adresse", "idempotency_key": "x"}
    )
    assert bad.status_code == 400
    good = client.post(
        url,
        {
            "form": "contact",
            "phone": "41234567",
            "email": "kari@example.no",
            "idempotency_key": "y",
        },
    )
    assert good.status_code == 302
    kari = persona("guardian")
    kari.refresh_from_db()
    assert (kari.phone, kari.email) == ("41234567", "kari@example.no")


def test_another_familys_card_is_404(persona_client: Any) -> None:
    other = placement_in(head_unit()).child
    assert persona_client("guardian").get(f"/portal/hverdag/{other.pk}/kort/").status_code == 404
