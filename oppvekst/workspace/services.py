"""Notify people: in their workspace/portal, and by e-mail through the outbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from oppvekst import clock
from oppvekst.outbox.services import outbox_enqueue
from oppvekst.people.models import Person
from oppvekst.workspace.models import Notification


def notify(
    *,
    recipients: Iterable[Person],
    source: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    email: bool = True,
    is_task: bool = False,
    municipality_id: int | None = None,
) -> list[Notification]:
    """One notification per recipient for one event (dedupe_key); e-mail to those with an
    address. Idempotent: the same event twice notifies nobody twice."""
    created: list[Notification] = []
    now = clock.now()
    for person in recipients:
        try:
            # The notification is the marker that this person was told; it commits together
            # with the e-mail's outbox row, so a rerun after a crash neither skips nor repeats.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=person,
                    source=source,
                    title=title[:200],
                    body=body,
                    url=url,
                    dedupe_key=dedupe_key[:200],
                    created_at=now,
                    is_task=is_task,
                    municipality_id=municipality_id,
                )
                if email and person.email:
                    outbox_enqueue(
                        channel="email",
                        idempotency_key=f"notify:{dedupe_key}:{person.pk}"[:200],
                        recipient=person.email,
                        subject=title,
                        body=f"{body}\n\n{url}".strip(),
                    )
        except IntegrityError:
            continue
        created.append(notification)
    return created
