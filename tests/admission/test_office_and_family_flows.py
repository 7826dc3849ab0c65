"""What a new caseworker, kindergarten head and family meet: a commit before the deadline is a
logged exception, a private kindergarten's criteria are its own, a head's offer count is the
unit's own offers, an application left without an offer says it waits on the waiting list,
withdrawing asks first, the forms offer only children the service is for, the SFO form starts
from the child's school, and sending gives a receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from oppvekst import clock
from oppvekst.admission import selectors, services
from oppvekst.admission.models import Application, ApplicationStatus, Offer, RoundStatus
from oppvekst.errors import DomainError
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import Employment, Position
from tests import factories
from tests.admission import builders

pytestmark = pytest.mark.django_db


def login(person) -> Client:
    client = Client()
    client.force_login(builders.user_for(person))
    return client


@pytest.fixture
def w() -> builders.World:
    return builders.world(seats=1)


def _head(w: builders.World, unit) -> object:
    head = factories.person(dt.date(1975, 1, 1), first="Styrer", last="Testesen")
    Employment.objects.create(
        person=head,
        municipality=w.muni,
        unit=unit,
        position=Position.PRINCIPAL,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    return head


def test_a_round_is_committed_before_its_deadline_only_with_a_reason(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    builders.apply(child, mum, [w.kg[0]])
    services.round_preview(round_id=w.round.pk)
    with pytest.raises(DomainError) as info:
        services.round_commit(round_id=w.round.pk, by=w.caseworker)
    assert info.value.code == "before_deadline" and "early_reason" in info.value.fields
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.PREVIEWED
    services.round_commit(round_id=w.round.pk, by=w.caseworker, early_reason="Vedtatt i møte.")
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.COMMITTED
    assert w.round.early_commit_reason == "Vedtatt i møte."


def test_after_the_deadline_no_reason_is_needed(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    builders.apply(child, mum, [w.kg[0]])
    with clock.frozen(builders.DEADLINE + dt.timedelta(days=1)):
        services.round_preview(round_id=w.round.pk)
        services.round_commit(round_id=w.round.pk, by=w.caseworker)
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.COMMITTED and w.round.early_commit_reason == ""


def test_the_municipality_cannot_edit_a_private_kindergartens_criteria(w) -> None:
    url = f"/opptak/enheter/{w.private.pk}/kriterier/"
    office = login(w.caseworker)
    page = office.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="criteria-readonly"' in body and 'name="kind-1"' not in body
    refused = office.post(url, {"form": "criteria", "kind-1": "sibling"})
    assert refused.status_code == 403
    assert (
        not w.private.admissioncriterion_set.exists()
        if hasattr(w.private, "admissioncriterion_set")
        else True
    )
    # Its own head sets them.
    head = _head(w, w.private)
    done = login(head).post(url, {"form": "criteria", "kind-1": "sibling"})
    assert done.status_code == 302
    # A municipal unit's criteria stay the caseworker's to edit.
    municipal = office.post(
        f"/opptak/enheter/{w.kg[0].pk}/kriterier/", {"form": "criteria", "kind-1": "sibling"}
    )
    assert municipal.status_code == 302


def test_a_heads_offers_given_counts_the_units_own_offers(w) -> None:
    apps = []
    for month in (1, 2):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, month, 10))
        apps.append(builders.apply(child, mum, [w.kg[0], w.kg[1]]))
    builders.run(w.round, w.caseworker)
    offers = Offer.objects.filter(round=w.round)
    assert {o.unit_id for o in offers} == {w.kg[0].pk, w.kg[1].pk}  # one seat each
    head = _head(w, w.kg[1])
    from oppvekst.access.policy import actor_for_user

    counts = selectors.summary_counts(actor_for_user(builders.user_for(head)))
    assert counts[ApplicationStatus.OFFERED] == 1  # both applicants listed kg[1]


def test_after_the_round_an_application_without_offer_is_on_the_waiting_list(w) -> None:
    placed, (mum_a, _a) = builders.family(w.muni, dt.date(2026, 1, 10))
    waiting, (mum_b, _b) = builders.family(w.muni, dt.date(2026, 2, 10))
    builders.apply(placed, mum_a, [w.kg[0]])
    app = builders.apply(waiting, mum_b, [w.kg[0]])
    assert app.status_text == "Sendt, venter på opptak"
    builders.run(w.round, w.caseworker)
    app = Application.objects.get(pk=app.pk)
    assert app.status == ApplicationStatus.SUBMITTED
    assert "venteliste" in app.status_text
    portal = login(mum_b).get("/portal/").content.decode()
    assert "Sendt, venter på opptak" not in portal and "står på venteliste" in portal


def test_withdrawing_asks_for_confirmation_first(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    app = builders.apply(child, mum, [w.kg[0]])
    client = login(mum)
    url = f"/portal/soknader/{app.pk}/"
    asked = client.post(url, {"handling": "trekk", "version": app.version})
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "Ja, trekk søknaden" in body and 'name="confirm" value="1"' in body
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.SUBMITTED
    done = client.post(url, {"handling": "trekk", "version": app.version, "confirm": "1"})
    assert done.status_code == 302
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.WITHDRAWN


def test_the_forms_offer_only_children_the_service_is_for(w) -> None:
    baby, (mum, _dad) = builders.family(w.muni, dt.date(2026, 5, 1))
    pupil = factories.person(dt.date(2015, 3, 3), first="Skolebarn", last="Testesen")
    teen = factories.person(dt.date(2013, 3, 3), first="Ungdom", last="Testesen")
    first_grader = factories.person(dt.date(2020, 6, 6), first="Førsteklassing", last="Testesen")
    for child in (pupil, teen, first_grader):
        from oppvekst.people.models import Guardianship

        Guardianship.objects.create(
            child=child, guardian=mum, valid_from=child.birth_date, parental_responsibility=True
        )
    client = login(mum)
    kindergarten = client.get("/portal/soknader/ny/").context["children"]
    assert baby in kindergarten and pupil not in kindergarten
    sfo = client.get("/portal/soknader/ny/?tjeneste=sfo").context["children"]
    assert first_grader in sfo and baby not in sfo and teen not in sfo  # teen: 8th grade
    assert pupil in sfo  # 6th grade: SFO for pupils with special needs (norway.md § 3)


def test_the_sfo_form_starts_from_the_childs_school(w) -> None:
    school = factories.unit(w.muni, "school")
    factories.unit(w.muni, "sfo", school=school)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2019, 4, 4))
    Placement.objects.create(
        child=child,
        unit=school,
        municipality=w.muni,
        service=Service.SCHOOL,
        valid_from=dt.date(2025, 8, 1),
    )
    page = login(mum).get(f"/portal/soknader/ny/?tjeneste=sfo&barn={child.pk}")
    assert page.context["prefill_school"] == school.pk
    assert f'<option value="{school.pk}" selected>' in page.content.decode()


def test_sending_an_application_gives_a_receipt(w) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    app = builders.apply(child, mum, [w.kg[0]], submit=False)
    client = login(mum)
    sent = client.post(f"/portal/soknader/{app.pk}/", {"handling": "send", "version": app.version})
    assert sent.status_code == 302 and sent["Location"].endswith("?kvittering=1")
    receipt = client.get(sent["Location"]).content.decode()
    assert 'id="receipt"' in receipt and f"Søknad nr. {app.pk}" in receipt
    assert w.kg[0].name in receipt


def test_preview_and_report_count_right_holders_without_offer_the_same_way(w) -> None:
    for month in (1, 2, 3):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, month, 10))
        builders.apply(child, mum, [w.kg[0]])
    services.round_preview(round_id=w.round.pk)
    w.round.refresh_from_db()
    office = login(w.caseworker)
    base = f"/opptak/runder/{w.round.pk}/"
    preview = office.get(base + "provekjoring/")
    report = office.get(base + "rett-til-plass/")
    assert preview.context["unplaced_right"] == 2 == len(report.context["rows"])
    assert f'href="{base}rett-til-plass/"' in preview.content.decode()
    builders.run(w.round, w.caseworker)
    w.round.refresh_from_db()
    preview = office.get(base + "provekjoring/")
    report = office.get(base + "rett-til-plass/")
    assert preview.context["unplaced_right"] == 2 == len(report.context["rows"])


def test_one_click_from_the_report_offers_the_proposed_seat(w) -> None:
    first, (m1, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    second, (m2, _) = builders.family(w.muni, dt.date(2026, 2, 1))
    builders.apply(first, m1, [w.kg[0]])
    app = builders.apply(second, m2, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    office = login(w.caseworker)
    url = f"/opptak/runder/{w.round.pk}/rett-til-plass/"
    row = office.get(url).context["rows"][0]
    assert row.application_id == app.pk
    proposal = row.proposals[0].unit
    assert f'name="unit" value="{proposal.pk}"' in office.get(url).content.decode()
    done = office.post(url + "tilbud/", {"application": app.pk, "unit": proposal.pk})
    assert done.status_code == 302
    offer = Offer.objects.get(application=app)
    assert offer.unit == proposal and offer.round == w.round
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.OFFERED
    assert office.get(url).context["rows"] == []
    # A second click is refused with a message, not a second offer.
    again = office.post(url + "tilbud/", {"application": app.pk, "unit": proposal.pk})
    assert again.status_code == 200 and "allerede fått tilbud" in again.content.decode()
    assert Offer.objects.filter(application=app).count() == 1


def test_each_wish_says_what_a_priority_claim_does_there(w) -> None:
    from oppvekst.admission.models import ClaimKind, ClaimStatus, PriorityClaim

    # kg[0] has sibling priority in its criteria, kg[1] (municipal, no own list) and the
    # private kindergarten without criteria do not.
    services.criteria_set(municipality_id=w.muni.pk, unit_id=w.kg[0].pk, kinds=["sibling"])
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    app = builders.apply(child, mum, [w.kg[0], w.private])
    PriorityClaim.objects.create(
        application=app,
        kind=ClaimKind.SIBLING,
        unit=w.kg[0],
        status=ClaimStatus.APPROVED,
        created_at=clock.now(),
        municipality=w.muni,
    )
    PriorityClaim.objects.create(
        application=app,
        kind=ClaimKind.SIBLING,
        unit=w.private,
        status=ClaimStatus.APPROVED,
        created_at=clock.now(),
        municipality=w.muni,
    )
    effects = selectors.wish_claim_effects(app)
    at_kg = {e.claim.unit_id: e for e in effects[w.kg[0].pk].effects}
    assert at_kg[w.kg[0].pk].counts and "kriterium nr. 1" in at_kg[w.kg[0].pk].text
    assert not at_kg[w.private.pk].counts and "annen barnehage" in at_kg[w.private.pk].text
    at_private = {e.claim.unit_id: e for e in effects[w.private.pk].effects}
    assert not at_private[w.private.pk].counts
    assert "har ikke dette blant sine opptakskriterier" in at_private[w.private.pk].text
    page = login(mum).get(f"/portal/soknader/{app.pk}/").content.decode()
    assert f'data-unit="{w.private.pk}"' in page and "Teller ikke her" in page
    office = login(w.caseworker).get(f"/opptak/soknader/{app.pk}/").content.decode()
    assert "Teller her: kriterium nr. 1" in office


def test_the_answer_without_an_offer_explains_what_each_claim_did(w) -> None:
    from oppvekst.admission import letters
    from oppvekst.admission.models import ClaimKind, ClaimStatus, PriorityClaim, RoundOutcome

    first, (m1, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    second, (m2, _) = builders.family(w.muni, dt.date(2026, 2, 1))
    builders.apply(first, m1, [w.kg[0]])
    app = builders.apply(second, m2, [w.kg[0]])
    PriorityClaim.objects.create(
        application=app,
        kind=ClaimKind.SIBLING,
        unit=w.kg[0],
        status=ClaimStatus.APPROVED,
        created_at=clock.now(),
        municipality=w.muni,
    )
    builders.run(w.round, w.caseworker)
    outcome = RoundOutcome.objects.get(application=app)
    letter = letters.no_offer_letter(app, outcome)
    text = " ".join(t for _k, t in letter.paragraphs)
    # kg[0] uses the municipality's criteria, and there are none: the claim does not count.
    assert "Krav om prioritet" in text
    assert f"1. {w.kg[0].name} – Søsken i barnehagen: Teller ikke her" in text
