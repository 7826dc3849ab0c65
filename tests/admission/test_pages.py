"""The portal and the admission office as pages: both guardians act, version conflicts are
shown, documents are guarded, private heads see only their own unit, the queue's query count
does not grow with the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst.access.models import AuditEvent
from oppvekst.admission import services
from oppvekst.admission.models import Application, ApplicationStatus, ClaimKind, Offer
from oppvekst.demo.models import DemoPersona
from oppvekst.staff.models import Employment, Position
from tests.admission import builders

pytestmark = pytest.mark.django_db


def login(person) -> Client:
    client = Client()
    client.force_login(builders.user_for(person))
    return client


def persona(slug: str) -> Client:
    client = Client()
    client.force_login(DemoPersona.objects.get(slug=slug).user)
    return client


@pytest.fixture
def w() -> builders.World:
    return builders.world(seats=1)


def test_guardian_applies_in_the_portal_and_the_other_guardian_accepts(w) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    c_mum, c_dad = login(mum), login(dad)
    new_page = c_mum.get("/portal/soknader/ny/?tjeneste=kindergarten")
    assert new_page.status_code == 200 and child.full_name in new_page.content.decode()
    form = {
        "tjeneste": "kindergarten",
        "child": child.pk,
        "desired_start": "2027-08-01",
        "place_size": "100|41",
        "idempotency_key": "form-1",
    }
    response = c_mum.post("/portal/soknader/ny/", form)
    assert response.status_code == 302
    again = c_mum.post("/portal/soknader/ny/", form)  # a double click
    assert again["Location"] == response["Location"]
    app = Application.objects.get(child=child)
    html = c_mum.get(response["Location"]).content.decode()
    assert f'data-unit="{w.kg[0].pk}"' in html  # the finder lists the kindergartens
    c_mum.post(response["Location"], {"handling": "legg_til", "unit": w.kg[0].pk, "version": 1})
    c_mum.post(response["Location"], {"handling": "send", "version": 2})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    assert "Sendt" in c_dad.get("/portal/").content.decode()
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    offer_page = c_dad.get(f"/portal/tilbud/{offer.pk}/").content.decode()
    assert "Klagefristen er tre uker" in offer_page
    assert c_dad.post(f"/portal/tilbud/{offer.pk}/", {"answer": "accept"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.answered_by == dad
    pdf = c_mum.get(f"/portal/tilbud/{offer.pk}/brev.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_stale_form_shows_a_clear_conflict_message(w) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]], submit=False)
    url = f"/portal/soknader/{app.pk}/"
    login(mum).post(url, {"handling": "legg_til", "unit": w.kg[1].pk, "version": app.version})
    response = login(dad).post(
        url, {"handling": "legg_til", "unit": w.kg[2].pk, "version": app.version}
    )
    assert response.status_code == 200
    assert "endret av noen andre" in response.content.decode()


def test_errors_are_shown_next_to_the_fields(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    response = login(mum).post(
        "/portal/soknader/ny/", {"tjeneste": "kindergarten", "child": child.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="err-desired_start"' in html and 'aria-invalid="true"' in html


def test_claim_document_is_for_the_family_and_the_caseworker_only(w, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.private])
    response = login(mum).post(
        f"/portal/soknader/{app.pk}/krav/",
        {
            "kind": ClaimKind.DISABILITY,
            "document": SimpleUploadedFile("vedtak.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    assert response.status_code == 302
    claim = app.claims.get()
    url = f"/opptak/krav/{claim.pk}/dokument/"
    assert b"".join(login(mum).get(url).streaming_content) == b"%PDF-1.4 x"  # type: ignore[attr-defined]
    assert login(w.caseworker).get(url).status_code == 200
    head = builders.factories.person(dt.date(1975, 1, 1), first="Styrer")
    Employment.objects.create(
        person=head,
        municipality=w.muni,
        unit=w.private,
        position=Position.PRINCIPAL,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    head_client = login(head)
    assert head_client.get(f"/opptak/soknader/{app.pk}/").status_code == 200
    assert head_client.get(url).status_code == 404
    # The caseworker approves; the family is told.
    verify = login(w.caseworker).post(f"/opptak/krav/{claim.pk}/vurder/", {"decision": "approve"})
    assert verify.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "approved"


def test_private_head_sees_only_applicants_to_their_own_kindergarten() -> None:
    client = persona("private-kindergarten-head")
    person = DemoPersona.objects.get(slug="private-kindergarten-head").user.person
    unit_id = Employment.objects.get(person=person, position=Position.PRINCIPAL).unit_id
    assert unit_id is not None
    html = client.get("/opptak/soknader/?sorter=name").content.decode()
    shown = Application.objects.filter(pk__in=[int(x) for x in _ids(html)])
    assert shown.exists()
    assert all(a.wishes.filter(unit_id=unit_id).exists() for a in shown)
    outsider = (
        Application.objects.filter(status="submitted").exclude(wishes__unit_id=unit_id).first()
    )
    assert client.get(f"/opptak/soknader/{outsider.pk}/").status_code == 404
    assert client.get(f"/opptak/enheter/{unit_id}/venteliste/").status_code == 200


def _ids(html: str) -> list[str]:
    import re

    return re.findall(r'href="/opptak/soknader/(\d+)/"', html)


@pytest.mark.parametrize("status", ["", "submitted"])
def test_queue_query_count_does_not_grow_with_the_page(status: str) -> None:
    client = persona("caseworker")
    client.get("/opptak/soknader/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/opptak/soknader/?status={status}&sorter=name")
    assert response.status_code == 200
    assert len(_ids(response.content.decode())) == 25
    assert len(queries) <= 16, [q["sql"][:100] for q in queries]
    events = AuditEvent.objects.filter(action="application.read").count()
    assert events >= 25


def test_caseworker_previews_and_commits_in_the_office(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    builders.apply(child, mum, [w.kg[0]])
    office = login(w.caseworker)
    base = f"/opptak/runder/{w.round.pk}/"
    assert office.post(base + "kapasitet/", {f"seats-{w.kg[0].pk}-under3": "3"}).status_code == 302
    assert office.post(base + "provekjoring/").status_code == 302
    preview = office.get(base + "provekjoring/").content.decode()
    assert "<svg" in preview and 'data-figure="assigned">1<' in preview
    refused = office.post(base + "vedtak/", {})
    assert refused.status_code == 200 and "Bekreft" in refused.content.decode()
    # Before the deadline a commit is an exception that needs its reason (kept on the round).
    early = office.post(base + "vedtak/", {"confirm": "1"})
    assert early.status_code == 200 and "Søknadsfristen er ikke ute" in early.content.decode()
    assert not Offer.objects.filter(round=w.round).exists()
    reason = {"confirm": "1", "early": "1", "early_reason": "Fristen er flyttet av kommunestyret."}
    assert office.post(base + "vedtak/", reason).status_code == 302
    assert Offer.objects.filter(round=w.round).count() == 1
    w.round.refresh_from_db()
    assert w.round.early_commit_reason == "Fristen er flyttet av kommunestyret."
    assert office.get(base + "rett-til-plass/").status_code == 200


def test_guardian_changes_place_size_and_gives_notice_in_the_portal(w) -> None:
    child, (_mum, dad) = builders.family(w.muni, dt.date(2024, 2, 2))
    placement = services.placement_create(
        child=child, unit=w.kg[0], valid_from=dt.date(2025, 8, 1), weekly_hours=services.Decimal(41)
    )
    url = f"/portal/plasser/{placement.pk}/"
    c = login(dad)
    assert c.get(url).status_code == 200
    r = c.post(
        url, {"handling": "storrelse", "place_size": "60|25", "effective_from": "2027-01-01"}
    )
    assert r.status_code == 302
    placement.refresh_from_db()
    assert placement.valid_to == dt.date(2026, 12, 31)
    refused = c.post(url, {"handling": "si_opp"})
    assert refused.status_code == 200 and "Bekreft" in refused.content.decode()
