"""Feeds for the municipality's other systems: the actor's open tasks and notifications (the
staff intranet shows "my tasks" from here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from oppvekst.api.base import actor, page_of
from oppvekst.workspace import task_selectors as selectors

router = Router(tags=["workspace"])


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    due: dt.date | None
    url: str
    unit: str | None


class TaskPage(Schema):
    items: list[TaskOut]
    count: int


class NotificationOut(Schema):
    id: int
    source: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int


@router.get("/tasks", response=TaskPage, summary="The actor's open tasks")
def list_tasks(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows, count = selectors.task_page(actor(request), limit=params.limit, offset=params.offset)
    return page_of(
        [
            {
                "id": r.task.pk,
                "kind": r.task.kind,
                "title": r.task.title,
                "due": r.task.due,
                "url": r.task.url,
                "unit": r.task.unit.name if r.task.unit else None,
            }
            for r in rows
        ],
        count,
    )


@router.get(
    "/notifications", response=NotificationPage, summary="The actor's notifications not done"
)
def list_notifications(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    items, count = selectors.notifications(actor(request), limit=params.limit, offset=params.offset)
    return page_of(
        [
            {
                "id": n.pk,
                "source": n.source,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in items
        ],
        count,
    )
