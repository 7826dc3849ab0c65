"""Admission's tasks in the workspace: a submitted claim waits for the caseworkers and is gone
for all of them when one decides it; an offer waits for the family until answered."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst.access.policy import actor_for_user
from oppvekst.admission import services
from oppvekst.admission.models import ClaimKind
from oppvekst.admission.task_kinds import AdmissionTask
from oppvekst.people.models import Person
from oppvekst.staff.models import Employment, Position
from oppvekst.workspace import task_selectors
from oppvekst.workspace.models import Task, TaskStatus
from tests import factories
from tests.admission import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _open_for(person: Person) -> list[Task]:
    actor = actor_for_user(builders.user_for(person))
    return list(task_selectors.open_tasks(actor))


def test_a_submitted_claim_is_a_task_for_every_caseworker_and_closes_for_all_when_decided() -> None:
    w = builders.world()
    colleague = factories.person(dt.date(1981, 1, 1), first="Kollega", last="Saks")
    Employment.objects.create(
        person=colleague,
        municipality=w.muni,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]], submit=False)
    claim = services.claim_add(application_id=app.pk, by=mum, kind=ClaimKind.STRAIN)
    assert _open_for(w.caseworker) == []  # a draft is nobody's work yet
    app.refresh_from_db()
    services.application_submit(application_id=app.pk, by=mum, expected_version=app.version)

    for caseworker in (w.caseworker, colleague):
        tasks = _open_for(caseworker)
        assert [t.kind for t in tasks] == [AdmissionTask.CLAIM_ASSESS]
    assert _open_for(mum) == []  # the family does not see the office's work list

    services.claim_verify(claim_id=claim.pk, by=w.caseworker, approve=True)
    assert _open_for(w.caseworker) == [] and _open_for(colleague) == []
    assert Task.objects.get(subject_id=claim.pk, subject_type="admission.claim").status == (
        TaskStatus.DONE
    )


def test_a_caseworker_of_another_municipality_never_sees_the_task() -> None:
    w = builders.world()
    other = factories.municipality(name="Annen", number="9997")
    outsider = factories.person(dt.date(1982, 2, 2), first="Ute", last="Fra")
    Employment.objects.create(
        person=outsider,
        municipality=other,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    services.claim_add(application_id=app.pk, by=mum, kind=ClaimKind.STRAIN)
    assert len(_open_for(w.caseworker)) == 1
    assert _open_for(outsider) == []


def test_withdrawing_the_application_closes_its_claim_tasks() -> None:
    w = builders.world()
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    services.claim_add(application_id=app.pk, by=mum, kind=ClaimKind.STRAIN)
    app.refresh_from_db()
    services.application_withdraw(application_id=app.pk, by=mum, expected_version=app.version)
    assert _open_for(w.caseworker) == []


def test_an_offer_is_a_task_for_both_guardians_until_one_answers() -> None:
    w = builders.world(seats=1)
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    builders.apply(child, mum, [w.kg[0]])
    with builders.clock_frozen(dt.date(2027, 3, 10)):
        builders.run(w.round, w.caseworker)
    for parent in (mum, dad):
        assert [t.kind for t in _open_for(parent)] == [AdmissionTask.OFFER_ANSWER]
    offer_id = _open_for(mum)[0].subject_id
    with builders.clock_frozen(dt.date(2027, 3, 11)):
        services.offer_decline(offer_id=offer_id, by=dad)
    assert _open_for(mum) == [] and _open_for(dad) == []


def test_committing_the_round_closes_the_claims_it_decided() -> None:
    w = builders.world(seats=1)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    services.claim_add(application_id=app.pk, by=mum, kind=ClaimKind.STRAIN)
    assert len(_open_for(w.caseworker)) == 1
    with builders.clock_frozen(dt.date(2027, 3, 10)):
        builders.run(w.round, w.caseworker)
    assert [t.kind for t in _open_for(w.caseworker)] == []
