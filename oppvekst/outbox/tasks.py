from __future__ import annotations

from django_tasks import task

from oppvekst.outbox.services import outbox_deliver


@task()
def deliver_outbox() -> int:
    return outbox_deliver()
