"""Applications for reduced fees: the guardian applies with documentation, a caseworker
decides with a letter, and a decision never applies before the application month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oppvekst import clock
from oppvekst.access.models import User
from oppvekst.billing import services
from oppvekst.billing.models import ReductionApplication, ReductionStatus
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import Person
from oppvekst.workspace.models import Notification
from tests.billing.scenario import Town

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date(2026, 11, 25)


def pdf(name: str = "skattemelding.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply(town: Town, **changes: object) -> ReductionApplication:
    values: dict[str, object] = {
        "applicant": town.hanne,
        "year_start": 2026,
        "income_ore": 400_000_00,
        "reduced_fee": True,
        "free_core_hours": True,
        "documents": [pdf()],
    }
    values.update(changes)
    return services.reduction_apply(**values)  # type: ignore[arg-type]


def test_guardian_applies_for_the_household(town: Town) -> None:
    application = apply(town)
    assert application.status == ReductionStatus.SUBMITTED
    assert application.application_month == dt.date(2026, 11, 1)
    assert set(application.children.all()) == {town.emma, town.jonas, town.sara}
    assert application.municipality == town.municipality
    document = application.documents.get()
    assert document.original_name == "skattemelding.pdf"
    assert document.file.open("rb").read() == PDF


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documents": []}, "documents"),
        ({"documents": [pdf("lonn.docx")]}, "documents"),
        ({"documents": [pdf("fake.pdf", b"MZ not a pdf")]}, "documents"),
        ({"reduced_fee": False, "free_core_hours": False}, "reduced_fee"),
        ({"year_start": 2024}, "year_start"),
    ],
)
def test_an_incomplete_application_names_the_problem(
    town: Town, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(DomainError) as info:
        apply(town, **changes)
    assert field in info.value.fields


def test_a_guardian_without_children_in_kindergarten_or_sfo_cannot_apply(town: Town) -> None:
    with pytest.raises(DomainError, match="ingen barn"):
        apply(town, applicant=town.emma)


def test_one_open_application_per_household_and_year(town: Town) -> None:
    apply(town)
    with pytest.raises(ConflictError):
        apply(town)


def test_a_granted_decision_starts_in_the_application_month_with_a_letter(town: Town) -> None:
    application = apply(town)
    decided = services.reduction_decide(
        application=application,
        decided_by=town.ola,
        grant=True,
        reason="",
        expected_version=application.version,
    )
    assert decided.status == ReductionStatus.GRANTED
    assert decided.effective_from == dt.date(2026, 11, 1)
    assert bytes(decided.letter_pdf or b"").startswith(b"%PDF")
    assert Notification.objects.filter(recipient=town.hanne, source="billing").exists()


def test_a_decision_never_applies_before_the_application_month(town: Town) -> None:
    application = apply(town)
    with pytest.raises(DomainError) as info:
        services.reduction_decide(
            application=application,
            decided_by=town.ola,
            grant=True,
            reason="",
            effective_from=dt.date(2026, 10, 1),
            expected_version=application.version,
        )
    assert info.value.code == "before_application"


def test_an_application_for_next_year_starts_in_august(town: Town) -> None:
    with clock.frozen(dt.date(2027, 5, 10)):
        application = apply(town, year_start=2027)
        decided = services.reduction_decide(
            application=application,
            decided_by=town.ola,
            grant=True,
            reason="",
            expected_version=application.version,
        )
    assert decided.effective_from == dt.date(2027, 8, 1)


def test_a_refusal_needs_a_reason_and_a_decision_is_made_once(town: Town) -> None:
    application = apply(town)
    with pytest.raises(DomainError):
        services.reduction_decide(
            application=application,
            decided_by=town.ola,
            grant=False,
            reason=" ",
            expected_version=application.version,
        )
    refused = services.reduction_decide(
        application=application,
        decided_by=town.ola,
        grant=False,
        reason="Inntekten er over grensen.",
        expected_version=application.version,
    )
    assert refused.status == ReductionStatus.REFUSED
    assert refused.effective_from is None
    with pytest.raises(ConflictError):
        services.reduction_decide(
            application=refused,
            decided_by=town.ola,
            grant=True,
            reason="",
            expected_version=refused.version,
        )


def test_a_stale_decision_is_refused(town: Town) -> None:
    application = apply(town)
    with pytest.raises(ConflictError, match="endret av noen andre"):
        services.reduction_decide(
            application=application,
            decided_by=town.ola,
            grant=True,
            reason="",
            expected_version=application.version + 1,
        )


def _client_for(person: Person) -> Client:
    user = User.objects.create(username=f"u{person.pk}", person=person)
    client = Client()
    client.force_login(user)
    return client


def test_the_portal_form_sends_the_application_once(town: Town) -> None:
    client = _client_for(town.hanne)
    page = client.get("/portal/betaling/redusert/ny/")
    assert page.status_code == 200
    key = page.context["form"]["idempotency_key"].value()
    form = {
        "year_start": "2026",
        "income": "400000",
        "reduced_fee": "on",
        "idempotency_key": key,
    }
    first = client.post("/portal/betaling/redusert/ny/", {**form, "documents": pdf()})
    assert first.status_code == 302
    again = client.post("/portal/betaling/redusert/ny/", {**form, "documents": pdf()})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ReductionApplication.objects.filter(applicant=town.hanne).count() == 1
    detail = client.get(first["Location"])
    assert detail.status_code == 200
    assert "Mottatt" in detail.content.decode()


def test_the_portal_form_shows_errors_next_to_the_fields(town: Town) -> None:
    client = _client_for(town.hanne)
    response = client.post("/portal/betaling/redusert/ny/", {"year_start": "2026", "income": "-5"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "income" in form.errors
    assert "reduced_fee" in form.errors
