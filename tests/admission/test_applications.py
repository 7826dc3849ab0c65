"""Applications: drafts, submit, edit until the deadline, withdraw, idempotency, optimistic
locking, priority claims, and notifications to both guardians."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oppvekst import clock
from oppvekst.admission import services
from oppvekst.admission.models import (
    Application,
    ApplicationStatus,
    ClaimKind,
    ClaimStatus,
    OfferStatus,
)
from oppvekst.errors import DomainError
from oppvekst.outbox.models import OutboxMessage
from oppvekst.placements.services import placement_create
from oppvekst.workspace.models import Notification
from tests.admission import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> builders.World:
    return builders.world()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_submit_puts_the_application_in_the_main_round_on_time_and_tells_both_guardians(
    w: builders.World,
) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0], w.kg[1]])
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.round_id == w.round.pk and app.on_time
    assert app.tiebreak == float(child.birth_date.toordinal())
    told = Notification.objects.filter(dedupe_key=f"admission:app:{app.pk}:submitted")
    assert {n.recipient_id for n in told} == {mum.pk, dad.pk}
    mails = OutboxMessage.objects.filter(recipient__in=[mum.email, dad.email])
    assert mails.count() == 2


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_application(
    w: builders.World,
) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    first = builders.apply(child, mum, [w.kg[0]], key="abc", submit=False)
    again = builders.apply(child, dad, [w.kg[1]], key="abc", submit=False)
    assert again.pk == first.pk
    assert Application.objects.filter(child=child).count() == 1


def test_two_guardians_editing_at_once_the_second_gets_a_version_conflict(
    w: builders.World,
) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]], submit=False)
    seen = app.version
    services.application_save_draft(
        application_id=app.pk,
        by=mum,
        expected_version=seen,
        data=services.ApplicationInput(wishes=[w.kg[1].pk, w.kg[0].pk]),
    )
    with pytest.raises(services.VersionConflict):
        services.application_save_draft(
            application_id=app.pk,
            by=dad,
            expected_version=seen,
            data=services.ApplicationInput(wishes=[w.kg[2].pk]),
        )
    assert list(app.wishes.values_list("unit_id", flat=True)) == [w.kg[1].pk, w.kg[0].pk]


def test_wishes_are_at_most_five_distinct_kindergartens_of_the_municipality(
    w: builders.World,
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]], submit=False)
    for wishes in ([w.kg[0].pk, w.kg[0].pk], [u.pk for u in w.kg] * 2, [999999]):
        with pytest.raises(DomainError) as err:
            services.application_save_draft(
                application_id=app.pk,
                by=mum,
                expected_version=None,
                data=services.ApplicationInput(wishes=wishes),
            )
        assert "wishes" in err.value.fields


def test_place_size_must_be_one_the_municipality_offers(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    with pytest.raises(DomainError) as err:
        services.application_create(
            child=child,
            service="kindergarten",
            by=mum,
            desired_start=builders.AUG,
            place_percent=73,
            weekly_hours=None,
        )
    assert "place_size" in err.value.fields


def test_submit_needs_a_wish(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [], submit=False)
    with pytest.raises(DomainError) as err:
        services.application_submit(application_id=app.pk, by=mum, expected_version=None)
    assert "wishes" in err.value.fields


def test_submitted_application_can_be_edited_until_the_deadline_but_not_after(
    w: builders.World,
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    services.application_save_draft(
        application_id=app.pk,
        by=mum,
        expected_version=None,
        data=services.ApplicationInput(wishes=[w.kg[1].pk, w.kg[0].pk]),
    )
    with clock.frozen(dt.date(2027, 3, 2)), pytest.raises(DomainError) as err:
        services.application_save_draft(
            application_id=app.pk,
            by=mum,
            expected_version=None,
            data=services.ApplicationInput(wishes=[w.kg[2].pk]),
        )
    assert err.value.code == "not_editable"


def test_an_application_after_the_deadline_is_late_and_waits_for_the_next_round(
    w: builders.World,
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    with clock.frozen(dt.date(2027, 3, 5)):
        app = builders.apply(child, mum, [w.kg[0]])
    assert not app.on_time and app.round_id is None
    assert app.tiebreak > 1e7  # after every on-time applicant of the same class


def test_withdraw_a_draft_and_a_submitted_application(w: builders.World) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    app = services.application_withdraw(application_id=app.pk, by=dad)
    assert app.status == ApplicationStatus.WITHDRAWN
    again = services.application_withdraw(application_id=app.pk, by=dad)
    assert again.status == ApplicationStatus.WITHDRAWN
    assert Notification.objects.filter(
        dedupe_key=f"admission:app:{app.pk}:withdrawn", recipient=mum
    ).exists()


def test_withdrawing_an_offered_application_declines_the_offer(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    app = services.application_withdraw(application_id=app.pk, by=mum)
    assert app.status == ApplicationStatus.WITHDRAWN
    assert app.offers.get().status == OfferStatus.DECLINED


def test_claim_with_document_is_stored_under_media_root_with_a_random_name(
    w: builders.World, settings
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    upload = SimpleUploadedFile("legeerklæring Ola.pdf", b"%PDF-1.4 test", "application/pdf")
    claim = services.claim_add(
        application_id=app.pk, by=mum, kind=ClaimKind.DISABILITY, document=upload
    )
    assert claim.status == ClaimStatus.PENDING
    assert claim.document_name == "legeerklæring Ola.pdf"
    assert "Ola" not in claim.document.name and claim.document.name.endswith(".pdf")
    assert (settings.MEDIA_ROOT / claim.document.name).read_bytes() == b"%PDF-1.4 test"


def test_claim_documents_must_be_pdf_or_images(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    with pytest.raises(DomainError) as err:
        services.claim_add(
            application_id=app.pk,
            by=mum,
            kind=ClaimKind.STRAIN,
            document=SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream"),
        )
    assert "document" in err.value.fields


def test_sibling_claim_is_verified_automatically_from_placements(w: builders.World) -> None:
    older, (mum, dad) = builders.family(w.muni, dt.date(2023, 4, 4))
    placement_create(child=older, unit=w.kg[1], valid_from=dt.date(2024, 8, 1))
    baby = builders.factories.person(dt.date(2026, 3, 3), first="Lillesøster")
    baby.municipality = w.muni
    baby.save()
    for parent in (mum, dad):
        builders.Guardianship.objects.create(
            child=baby, guardian=parent, valid_from=baby.birth_date
        )
    app = builders.apply(baby, mum, [w.kg[1], w.kg[0]])
    there = services.claim_add(
        application_id=app.pk, by=mum, kind=ClaimKind.SIBLING, unit_id=w.kg[1].pk
    )
    elsewhere = services.claim_add(
        application_id=app.pk, by=mum, kind=ClaimKind.SIBLING, unit_id=w.kg[0].pk
    )
    assert there.status == ClaimStatus.APPROVED
    assert elsewhere.status == ClaimStatus.PENDING


def test_caseworker_rejects_a_claim_only_with_a_reason_and_guardians_are_told(
    w: builders.World,
) -> None:
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    claim = services.claim_add(application_id=app.pk, by=mum, kind=ClaimKind.STRAIN)
    with pytest.raises(DomainError) as err:
        services.claim_verify(claim_id=claim.pk, by=w.caseworker, approve=False)
    assert "reason" in err.value.fields
    claim = services.claim_verify(
        claim_id=claim.pk, by=w.caseworker, approve=False, reason="Mangler dokumentasjon."
    )
    assert claim.status == ClaimStatus.REJECTED and claim.decided_by == w.caseworker
    titles = set(
        Notification.objects.filter(recipient__in=[mum, dad], source="admission").values_list(
            "title", flat=True
        )
    )
    assert any(t.startswith("Prioritet avslått") for t in titles)


def test_sfo_application_needs_a_school_with_sfo_and_a_place_type(w: builders.World) -> None:
    school = builders.factories.unit(w.muni, "school")
    sfo = builders.factories.unit(w.muni, "sfo", school=school)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2020, 5, 5))
    with pytest.raises(DomainError) as err:
        services.application_create(
            child=child, service="sfo", by=mum, desired_start=builders.AUG, sfo_place_type=""
        )
    assert {"school", "sfo_place_type"} <= set(err.value.fields)
    app, _ = services.application_create(
        child=child,
        service="sfo",
        by=mum,
        desired_start=builders.AUG,
        school_id=school.pk,
        sfo_place_type="days",
        sfo_days=["mon", "wed"],
    )
    assert app.place_percent == 40 and app.sfo_days == "mon,wed"
    assert list(app.wishes.values_list("unit_id", flat=True)) == [sfo.pk]
