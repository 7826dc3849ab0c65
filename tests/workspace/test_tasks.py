"""Tasks in the workspace: visible only to those holding the role where the task lives, handed
over only to a colleague with the same role, listed for other systems through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst.access.policy import actor_for_user
from oppvekst.access.roles import RoleName
from oppvekst.access.services import service_token_create
from oppvekst.admission.task_kinds import AdmissionTask
from oppvekst.core.models import Municipality
from oppvekst.errors import DomainError
from oppvekst.people.models import Person
from oppvekst.staff.models import Employment, Position
from oppvekst.workspace import task_selectors
from oppvekst.workspace.models import Task
from oppvekst.workspace.task_services import task_hand_over, task_publish, tasks_close
from tests import factories
from tests.admission import builders

pytestmark = pytest.mark.django_db


def _caseworker(muni: Municipality, first: str) -> Person:
    person = factories.person(dt.date(1980, 1, 1), first=first, last="Saks")
    Employment.objects.create(
        person=person,
        municipality=muni,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    return person


def _task(muni: Municipality, subject_id: int = 1) -> Task:
    return task_publish(
        kind=AdmissionTask.CLAIM_ASSESS,
        subject_type="test.subject",
        subject_id=subject_id,
        title=f"Sak {subject_id}",
        url="/",
        municipality_id=muni.pk,
        role=RoleName.CASEWORKER,
    )


def test_publishing_the_same_work_twice_makes_one_task() -> None:
    muni = factories.municipality()
    first = _task(muni)
    again = _task(muni)
    assert first.pk == again.pk
    assert Task.objects.filter(subject_type="test.subject").count() == 1


def test_a_task_can_be_handed_to_a_colleague_with_the_same_role_only() -> None:
    muni = factories.municipality()
    anne, bjorn = _caseworker(muni, "Anne"), _caseworker(muni, "Bjørn")
    guardian = factories.person(dt.date(1990, 1, 1), first="Forelder")
    task = _task(muni)
    colleagues = task_selectors.colleagues_for(task, exclude=anne.pk)
    assert [p.pk for p in colleagues] == [bjorn.pk]
    with pytest.raises(DomainError):
        task_hand_over(task=task, to=guardian, colleagues={p.pk for p in colleagues})
    handed = task_hand_over(task=task, to=bjorn, colleagues={p.pk for p in colleagues})
    assert handed.handed_to_id == bjorn.pk


def test_a_closed_task_disappears_from_every_list() -> None:
    muni = factories.municipality()
    anne = _caseworker(muni, "Anne")
    task = _task(muni)
    actor = actor_for_user(builders.user_for(anne))
    assert list(task_selectors.open_tasks(actor)) == [task]
    tasks_close(subject_type="test.subject", subject_id=1)
    assert list(task_selectors.open_tasks(actor)) == []


def test_the_task_feed_answers_in_its_documented_shape() -> None:
    muni = factories.municipality()
    anne = _caseworker(muni, "Anne")
    _task(muni)
    _t, token = service_token_create(user=builders.user_for(anne), name="intranet")
    body = Client().get("/api/v1/tasks", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["count"] == 1
    assert set(body["items"][0]) == {"id", "kind", "title", "due", "url", "unit"}
    notes = Client().get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert notes == {"items": [], "count": 0}


def test_the_task_list_page_costs_the_same_queries_for_many_tasks() -> None:
    muni = factories.municipality()
    anne = _caseworker(muni, "Anne")
    client = Client()
    client.force_login(builders.user_for(anne))
    _task(muni, 1)
    client.get("/oppgaver/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/oppgaver/").status_code == 200
    for i in range(2, 30):
        _task(muni, i)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/oppgaver/")
    assert response.status_code == 200 and "Sak 29" in response.content.decode()
    assert len(many) == len(few)
