from __future__ import annotations

import pytest
from django.core import mail

from oppvekst.outbox import services
from oppvekst.outbox.models import OutboxMessage
from oppvekst.outbox.services import outbox_deliver, outbox_enqueue
from oppvekst.people.models import Person
from oppvekst.workspace.models import Notification
from oppvekst.workspace.services import notify

pytestmark = pytest.mark.django_db(transaction=False)


def test_same_key_is_enqueued_once_and_sent_once(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a = outbox_enqueue(channel="email", idempotency_key="k1", recipient="a@example.no", subject="S")
    b = outbox_enqueue(channel="email", idempotency_key="k1", recipient="a@example.no", subject="S")
    assert a.pk == b.pk
    assert outbox_deliver() == 1
    assert outbox_deliver() == 0
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(pk=a.pk).status == "sent"


def test_failures_are_retried_later_then_given_up(monkeypatch) -> None:
    calls: list[int] = []

    def broken(message: OutboxMessage) -> None:
        calls.append(message.pk)
        raise ConnectionError("smtp down")

    monkeypatch.setitem(services.SENDERS, "email", broken)
    msg = outbox_enqueue(channel="email", idempotency_key="k2", recipient="b@example.no")
    assert outbox_deliver() == 0
    msg.refresh_from_db()
    assert msg.status == "pending" and msg.attempts == 1 and "smtp down" in msg.last_error
    assert outbox_deliver() == 0 and len(calls) == 1  # not due yet
    OutboxMessage.objects.filter(pk=msg.pk).update(
        attempts=services.MAX_ATTEMPTS - 1, next_attempt_at=msg.created_at
    )
    outbox_deliver()
    msg.refresh_from_db()
    assert msg.status == "failed"


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outbox channel"):
        outbox_enqueue(channel="fax", idempotency_key="k3", recipient="x")


def test_notify_is_idempotent_per_event_and_mails_through_outbox() -> None:
    person = Person.objects.exclude(email="").first()
    assert person is not None
    first = notify(recipients=[person], source="test", title="Hei", dedupe_key="event-1")
    again = notify(recipients=[person], source="test", title="Hei", dedupe_key="event-1")
    assert len(first) == 1 and again == []
    assert Notification.objects.filter(recipient=person, dedupe_key="event-1").count() == 1
    assert OutboxMessage.objects.filter(recipient=person.email, subject="Hei").count() == 1
