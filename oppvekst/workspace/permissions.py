"""Actions on the personal workspace and its tasks (DESIGN.md "Access")."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import NOTHING
from oppvekst.workspace.models import Task


class WorkspaceAction(StrEnum):
    VIEW = "workspace.view"
    TASK_READ = "task.read"
    TASK_HAND_OVER = "task.hand_over"


def tasks_read(actor: Actor) -> Q:
    """A task is seen by the person it was given to, and by everyone holding its role where it
    lives: at its unit, or in its municipality when it has no unit."""
    q = NOTHING
    if actor.person is not None:
        q |= Q(person_id=actor.person.pk) | Q(handed_to_id=actor.person.pk)
    for role in actor.roles:
        if role.child_id is not None:
            q |= Q(role=role.name, child_id=role.child_id)
        elif role.unit_id is not None:
            q |= Q(role=role.name, unit_id=role.unit_id)
        elif role.municipality_id is not None:
            q |= Q(role=role.name, unit__isnull=True, municipality_id=role.municipality_id)
    return q


registry.capability(WorkspaceAction.VIEW, lambda a: not a.is_anonymous)
registry.object_rule(WorkspaceAction.TASK_READ, Task, tasks_read)
# Handing over is open to whoever holds the task by role (not to the one it was handed to).
registry.object_rule(
    WorkspaceAction.TASK_HAND_OVER,
    Task,
    lambda a: tasks_read(a) & Q(person__isnull=True),
)
