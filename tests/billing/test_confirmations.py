"""Irreversible billing steps ask for confirmation on a page of their own (no JavaScript
needed), and the municipality's four-eyes setting keeps the person who computed a run from
approving it."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from typing import Any

import pytest

from oppvekst.billing import services
from oppvekst.billing.models import (
    BillingSettings,
    InvoiceRun,
    ReductionApplication,
    ReductionStatus,
    RunStatus,
)
from oppvekst.core.models import Municipality
from oppvekst.errors import DomainError
from oppvekst.people.models import Person
from tests.billing.scenario import Town

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


def _run(started_by: Person | None) -> InvoiceRun:
    skedsmo = Municipality.objects.get(number="0231")
    run = services.invoice_run_start(municipality=skedsmo, month=OCT, started_by=started_by)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW, run.error
    return run


def _caseworker(persona_client: Any) -> tuple[Any, Person]:
    client = persona_client("caseworker")
    return client, client.get("/betaling/").wsgi_request.user.person


@pytest.mark.parametrize("action", ["approve", "lock"])
def test_approving_or_locking_a_run_asks_for_confirmation_first(
    persona_client: Any, action: str
) -> None:
    client, _me = _caseworker(persona_client)
    run = _run(None)
    if action == "lock":
        run = services.invoice_run_approve(run=run, by=None, expected_version=run.version)
    response = client.post(
        f"/betaling/kjoring/{run.pk}/", {"action": action, "version": run.version}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="confirm" value="1"' in body and "Dette kan ikke angres" in body
    run.refresh_from_db()
    assert run.status == (RunStatus.PREVIEW if action == "approve" else RunStatus.APPROVED)
    done = client.post(
        f"/betaling/kjoring/{run.pk}/", {"action": action, "version": run.version, "confirm": "1"}
    )
    assert done.status_code == 302
    run.refresh_from_db()
    assert run.status == (RunStatus.APPROVED if action == "approve" else RunStatus.LOCKED)


def test_the_person_who_computed_a_run_cannot_approve_it(persona_client: Any) -> None:
    client, me = _caseworker(persona_client)
    run = _run(me)
    assert run.computed_by == me
    with pytest.raises(DomainError) as info:
        services.invoice_run_approve(run=run, by=me, expected_version=run.version)
    assert info.value.code == "same_person"
    page = client.post(
        f"/betaling/kjoring/{run.pk}/",
        {"action": "approve", "version": run.version, "confirm": "1"},
    )
    assert page.status_code == 200 and "en annen må godkjenne" in page.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW


def test_a_recompute_makes_its_requester_the_one_who_may_not_approve(
    persona_client: Any,
) -> None:
    _client, me = _caseworker(persona_client)
    other = Person.objects.exclude(pk=me.pk).order_by("pk").first()
    assert other is not None
    run = _run(other)
    run = services.invoice_run_recompute(run=run, by=me, expected_version=run.version)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    with pytest.raises(DomainError):
        services.invoice_run_approve(run=run, by=me, expected_version=run.version)
    approved = services.invoice_run_approve(run=run, by=other, expected_version=run.version)
    assert approved.status == RunStatus.APPROVED


def test_a_municipality_may_turn_the_four_eyes_rule_off(persona_client: Any) -> None:
    _client, me = _caseworker(persona_client)
    run = _run(me)
    BillingSettings.objects.create(municipality=run.municipality, separate_approver=False)
    approved = services.invoice_run_approve(run=run, by=me, expected_version=run.version)
    assert approved.status == RunStatus.APPROVED


# -- reduced-fee decisions ----------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    """The text drawing operators of a reportlab PDF (its page streams are deflated)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):  # reportlab's ASCII85 layer
            data = base64.a85decode(data.removeprefix(b"<~")[:-2])
        try:
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            chunks.append(data.decode("latin-1"))
    return "".join(chunks)


def _application(town: Town, income_nok: int = 150_000) -> ReductionApplication:
    application = ReductionApplication.objects.create(
        municipality=town.municipality,
        applicant=town.hanne,
        year_start=2026,
        income_ore=income_nok * 100,
        reduced_fee=True,
        free_core_hours=False,
        submitted_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        application_month=dt.date(2026, 11, 1),
    )
    application.children.set([town.emma, town.jonas, town.sara])
    return application


def _town_caseworker(town: Town, client: Any) -> Any:
    from oppvekst.access.models import User
    from oppvekst.staff.models import Employment, Position

    Employment.objects.create(
        person=town.ola,
        municipality=town.municipality,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    user = User.objects.create(username="saksbehandler-testvik", person=town.ola)
    client.force_login(user)
    return client


def test_no_decision_is_preselected_and_the_calculation_is_shown(town: Town, client: Any) -> None:
    application = _application(town)
    page = _town_caseworker(town, client).get(f"/betaling/soknader/{application.pk}/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["decision"].value() is None
    assert "checked" not in str(form["decision"])
    calculation = page.context["calculation"]
    assert calculation.month == dt.date(2026, 11, 1)
    rows = {(r.child.first_name, r.service_label): r for r in calculation.rows}
    # Emma and Jonas in kindergarten (1 200 and 840 with the sibling discount), Sara in SFO
    # grade 2 (3 000 for 8 of 20 hours after the free hours = 1 200).
    sara = rows[("Sara", "SFO")]
    assert (sara.before_ore, sara.after_ore) == (120_000, 81_818)  # 150 000 * 6 % / 11
    emma = rows[("Emma", "Barnehage")]
    assert emma.before_ore == 120_000 and emma.after_ore == 81_818
    labels = [rule.label for rule in sara.rules]
    assert labels == [
        "SFO-plass",
        "Gratis SFO-timer (12 timer i uka)",
        "Redusert SFO-betaling (maks 6 % av inntekt)",
    ]
    body = page.content.decode()
    assert 'id="reduction-calculation"' in body and "Før vedtaket" in body


def test_deciding_asks_for_confirmation_and_the_letter_states_the_new_monthly_amount(
    town: Town, client: Any
) -> None:
    application = _application(town)
    client = _town_caseworker(town, client)
    url = f"/betaling/soknader/{application.pk}/"
    data = {"decision": "grant", "effective_from": "", "reason": "", "version": application.version}
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "Bekreft og lag vedtaksbrev" in confirm.content.decode()
    assert confirm.context["calculation"].rows
    application.refresh_from_db()
    assert application.status == ReductionStatus.SUBMITTED
    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == ReductionStatus.GRANTED
    text = _pdf_text(bytes(application.letter_pdf or b""))
    assert "Ny m" in text and "nedlig foreldrebetaling fra november 2026" in text
    assert "Sara Fjell \\(SFO\\): 818,18" in text.replace("\xa0", " ")
    assert "Til sammen:" in text


def test_a_refusal_without_a_reason_is_stopped_before_the_confirmation(
    town: Town, client: Any
) -> None:
    application = _application(town)
    client = _town_caseworker(town, client)
    data = {"decision": "refuse", "reason": " ", "version": application.version}
    page = client.post(f"/betaling/soknader/{application.pk}/", data)
    assert page.status_code == 200 and "Et avslag må begrunnes" in page.content.decode()
    assert "confirm" not in page.context
