"""Writing the audit trail: one row per person whose data was read or written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oppvekst import clock
from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.models import AuditEvent


class UnknownAuditAction(ValueError):
    pass


ROLE_PRECEDENCE = (
    "guardian",
    "daily_carer",
    "contact_teacher",
    "pedagogical_leader",
    "teacher",
    "department_staff",
    "sfo_staff",
    "unit_leader",
    "private_kindergarten_head",
    "administrative",
    "caseworker",
    "system_admin",
)


def client_address(request: Any) -> str | None:
    if request is None:
        return None
    # Behind the load balancer the client is the first X-Forwarded-For hop.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


def _role_for(actor: Actor, person_id: int) -> str:
    names = actor.names()
    if person_id in actor.ids("child_id", ["guardian", "daily_carer"]):
        return "guardian" if person_id in actor.ids("child_id", ["guardian"]) else "daily_carer"
    return next((n for n in ROLE_PRECEDENCE if n in names), "")


def record(
    actor: Actor,
    action: str,
    person_ids: Iterable[int],
    *,
    request: Any = None,
    endpoint: str = "",
    on_behalf_of_id: int | None = None,
) -> int:
    """Append one audit row per person. Returns how many rows were written.

    `action` must be in the audit catalogue (`registry.audit_catalogue()`), so the trail names
    only actions a reader can look up."""
    if action not in registry.audit_catalogue():
        raise UnknownAuditAction(action)
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return 0
    now = clock.now()
    path = endpoint or (request.get_full_path()[:300] if request is not None else "")
    address = client_address(request)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                actor_user_id=actor.user_id,
                actor_person=actor.person,
                actor_label=actor.label[:150],
                actor_role=_role_for(actor, pid),
                on_behalf_of_id=on_behalf_of_id,
                action=action,
                target_id=pid,
                endpoint=path,
                client_address=address,
            )
            for pid in ids
        ]
    )
    return len(ids)
