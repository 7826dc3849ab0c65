"""Publishing and closing tasks: the one service every module uses for "work waiting for
someone". Modules call these inside their own transaction, so a task appears exactly when the
work does and disappears exactly when it is done (for everyone who had it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from oppvekst import clock
from oppvekst.errors import DomainError
from oppvekst.people.models import Person
from oppvekst.workspace import tasks_registry
from oppvekst.workspace.models import Task, TaskMute, TaskStatus


def task_publish(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    title: str,
    url: str,
    municipality_id: int,
    role: str = "",
    unit_id: int | None = None,
    person_id: int | None = None,
    child_id: int | None = None,
    due: dt.date | None = None,
) -> Task:
    """Open the task for this piece of work, or reopen and refresh it. Idempotent."""
    if not role and person_id is None:
        raise ValueError("a task belongs to a role or a person")
    if kind not in tasks_registry.kinds():
        raise ValueError(f"unknown task kind: {kind}")
    with transaction.atomic():
        task, _created = Task.objects.select_for_update().get_or_create(
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            defaults={
                "title": title[:200],
                "url": url,
                "municipality_id": municipality_id,
                "role": role,
                "unit_id": unit_id,
                "person_id": person_id,
                "child_id": child_id,
                "due": due,
                "created_at": clock.now(),
            },
        )
        if not _created:
            task.title, task.url, task.due = title[:200], url, due
            task.role, task.unit_id, task.person_id = role, unit_id, person_id
            task.child_id = child_id
            task.status, task.closed_at = TaskStatus.OPEN, None
            task.save()
    return task


def tasks_close(*, subject_type: str, subject_id: int, kind: str | None = None) -> int:
    """Close every open task about this subject (of one kind, or all kinds)."""
    open_tasks = Task.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=TaskStatus.OPEN
    )
    if kind is not None:
        open_tasks = open_tasks.filter(kind=kind)
    return open_tasks.update(status=TaskStatus.DONE, closed_at=clock.now())


def task_hand_over(*, task: Task, to: Person, colleagues: set[int]) -> Task:
    """Give the task to a colleague who holds the same role where the task lives.
    `colleagues` is the set of person ids the caller's selector found with that role."""
    if to.pk not in colleagues:
        raise DomainError(
            "Oppgaven kan bare gis til en kollega med samme rolle.",
            code="not_a_colleague",
            fields={"to": "Velg en kollega med samme rolle."},
        )
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise DomainError("Oppgaven er allerede utført.", code="task_closed")
        locked.handed_to = to
        locked.save(update_fields=["handed_to"])
    return locked


def mute_set(*, person: Person, kind: str, muted: bool) -> None:
    """Mute or unmute one kind of notification for a person (the caller checks the kind)."""
    if muted:
        TaskMute.objects.get_or_create(person=person, kind=kind)
    else:
        TaskMute.objects.filter(person=person, kind=kind).delete()


def tasks_publish_many(tasks: list[Task]) -> int:
    """Open many new tasks at once (a committed admission round); existing ones are kept."""
    now = clock.now()
    for task in tasks:
        if task.kind not in tasks_registry.kinds():
            raise ValueError(f"unknown task kind: {task.kind}")
        task.created_at = now
    created = Task.objects.bulk_create(tasks, batch_size=1000, ignore_conflicts=True)
    return len(created)
