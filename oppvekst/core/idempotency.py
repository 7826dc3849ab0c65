"""Run a change once per idempotency key: a repeat returns the id of the first result."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from oppvekst.core.models import IdempotencyRecord


def once(
    *, scope: str, key: str | None, user_id: int, change: Callable[[], int]
) -> tuple[int, bool]:
    """(object id, created). Without a key the change simply runs. With a key, the change and
    the key are written in one transaction; a racing or repeated request gets the first id."""
    if not key:
        return change(), True
    key = key[:100]
    existing = IdempotencyRecord.objects.filter(scope=scope, user_id=user_id, key=key).first()
    if existing is not None:
        return existing.object_id, False
    try:
        with transaction.atomic():
            object_id = change()
            IdempotencyRecord.objects.create(
                scope=scope, key=key, user_id=user_id, object_id=object_id
            )
    except IntegrityError:
        first = IdempotencyRecord.objects.filter(scope=scope, user_id=user_id, key=key).first()
        if first is None:
            raise
        return first.object_id, False
    return object_id, True


def seen(scope: str, key: str | None, user_id: int) -> int | None:
    """The id of the first result for this key, if the submission has been made before (a page
    that repeats a post goes there; the timetable's progress script asks for its job)."""
    if not key:
        return None
    first = IdempotencyRecord.objects.filter(scope=scope, user_id=user_id, key=key[:100]).first()
    return None if first is None else first.object_id
