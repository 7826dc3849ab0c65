"""The workspace's tasks and notifications in the authorization matrix: every persona may open
its own lists; a task or notification of someone else answers 404."""

from __future__ import annotations

from collections.abc import Iterator

from oppvekst.access.roles import RoleName
from oppvekst.admission.task_kinds import AdmissionTask
from oppvekst.core.models import Municipality
from oppvekst.people.models import Person
from oppvekst.workspace.models import Notification, Task
from oppvekst.workspace.task_services import task_publish
from tests.access.personas import Objects

ROUTES = {
    "oppgaver/",
    "oppgaver/<int:task_id>/",
    "varsler/",
    "varsler/<int:notification_id>/",
    "varsler/demp/",
}
API_OPERATIONS = {("GET", "/tasks"), ("GET", "/notifications")}


def _caseworker_task(number: str, subject_id: int) -> Task:
    """A caseworker task in one municipality (0231 is the caseworker persona's)."""
    muni = Municipality.objects.get(number=number)
    return task_publish(
        kind=AdmissionTask.CLAIM_ASSESS,
        subject_type="matrix.subject",
        subject_id=subject_id,
        title=f"Matrisesak {number}",
        url="/",
        municipality_id=muni.pk,
        role=RoleName.CASEWORKER,
    )


def _someone_elses_notification() -> Notification:
    person = Person.objects.order_by("pk").first()
    assert person is not None
    from oppvekst import clock

    found, _created = Notification.objects.get_or_create(
        recipient=person,
        dedupe_key="matrix:other",
        defaults={"source": "admission", "title": "Annens varsel", "created_at": clock.now()},
    )
    return found


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    own, other = _caseworker_task("0231", 1), _caseworker_task("0227", 2)
    note = _someone_elses_notification()
    yield "oppgaver/", "GET", "/oppgaver/", True
    yield "oppgaver/<int:task_id>/", "GET", f"/oppgaver/{own.pk}/", slug == "caseworker"
    yield "oppgaver/<int:task_id>/", "GET", f"/oppgaver/{other.pk}/", False
    yield "varsler/", "GET", "/varsler/", True
    yield "varsler/<int:notification_id>/", "POST", f"/varsler/{note.pk}/", False
    yield "varsler/demp/", "POST", "/varsler/demp/", False  # an empty form changes nothing


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    yield "/tasks", "/api/v1/tasks", True
    yield "/notifications", "/api/v1/notifications", True
