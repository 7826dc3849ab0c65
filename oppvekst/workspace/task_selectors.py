"""Reading tasks and notifications: always through the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.access.policy import Actor, scope
from oppvekst.access.roles import holders_of
from oppvekst.people.models import Person
from oppvekst.workspace import tasks_registry
from oppvekst.workspace.models import Notification, Task, TaskMute, TaskStatus
from oppvekst.workspace.permissions import WorkspaceAction


@dataclass
class TaskRow:
    task: Task
    kind_label: str


def open_tasks(actor: Actor, *, kind: str = "") -> QuerySet[Task]:
    qs = scope(
        actor, WorkspaceAction.TASK_READ, Task.objects.filter(status=TaskStatus.OPEN)
    ).select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due", "created_at", "pk")


def task_page(
    actor: Actor, *, kind: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[TaskRow], int]:
    qs = open_tasks(actor, kind=kind)
    rows = [TaskRow(t, tasks_registry.label(t.kind)) for t in qs[offset : offset + limit]]
    return rows, qs.count()


def task_get(actor: Actor, task_id: int) -> Task | None:
    return (
        scope(actor, WorkspaceAction.TASK_READ, Task.objects.select_related("unit"))
        .filter(pk=task_id)
        .first()
    )


def muted_kinds(person: Person | None) -> set[str]:
    if person is None:
        return set()
    return set(TaskMute.objects.filter(person=person).values_list("kind", flat=True))


def notifications(
    actor: Actor, *, source: str = "", unread_only: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[Notification], int]:
    if actor.person is None:
        return [], 0
    qs = Notification.objects.filter(recipient=actor.person, done_at__isnull=True)
    muted = muted_kinds(actor.person)
    if muted:
        qs = qs.exclude(source__in=muted)
    if source:
        qs = qs.filter(source=source)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[offset : offset + limit]), qs.count()


SOURCE_LABELS = {
    "admission": _("Opptak"),
    "billing": _("Foreldrebetaling"),
    "timetable": _("Timeplan"),
    "attendance": _("Oppmøte"),
    "messaging": _("Meldinger"),
}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source.capitalize()))


def notification_sources(actor: Actor) -> list[str]:
    if actor.person is None:
        return []
    return sorted(
        set(Notification.objects.filter(recipient=actor.person).values_list("source", flat=True))
    )


def colleagues_for(task: Task, *, exclude: int | None = None) -> list[Person]:
    """People who hold the task's role where the task lives (for handing it over)."""
    if not task.role or task.child_id is not None:
        return []
    holders = holders_of(
        task.role,
        municipality_id=task.municipality_id,
        unit_id=task.unit_id,
        on=clock.today(),
    )
    return [p for p in holders if p.pk != exclude]


@dataclass
class Today:
    tasks: list[TaskRow]
    task_count: int
    unread: int


def needs_today(actor: Actor, *, shown: int = 10) -> Today:
    """What waits for the actor today: the first open tasks and the unread notifications that
    are not muted. Two queries (a third only when there are more tasks than are shown)."""
    tasks = list(open_tasks(actor)[: shown + 1])
    count = len(tasks) if len(tasks) <= shown else open_tasks(actor).count()
    unread = 0
    if actor.person is not None:
        muted = TaskMute.objects.filter(person=actor.person).values("kind")
        unread = (
            Notification.objects.filter(
                recipient=actor.person, read_at__isnull=True, done_at__isnull=True
            )
            .exclude(source__in=muted)
            .count()
        )
    rows = [TaskRow(t, tasks_registry.label(t.kind)) for t in tasks[:shown]]
    return Today(tasks=rows, task_count=count, unread=unread)
