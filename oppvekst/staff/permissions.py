"""Grants that open children's data: who may ask for one and who may approve it (DESIGN.md
"Access"; docs/decisions/0002-grants-need-a-second-person.md)."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import NOTHING, has_role
from oppvekst.access.roles import RoleName
from oppvekst.staff.models import AccessGrant


class StaffAction(StrEnum):
    GRANT_REQUEST = "staff.grant_request"
    GRANT_DECIDE = "staff.grant_decide"


class StaffAuditEvent(StrEnum):
    """Written with the receiving person as the target; the endpoint names the grant."""

    GRANT_REQUESTED = "staff.grant_requested"
    GRANT_APPROVED = "staff.grant_approved"
    GRANT_REJECTED = "staff.grant_rejected"


def grants_to_decide(actor: Actor) -> Q:
    """Another system administrator: never the one who asked, never the one who receives."""
    if not has_role(actor, RoleName.SYSTEM_ADMIN) or actor.user_id is None:
        return NOTHING
    q = ~Q(requested_by_id=actor.user_id) & ~Q(user_id=actor.user_id)
    if actor.person is not None:
        q &= ~Q(person_id=actor.person.pk)
    return q


registry.capability(StaffAction.GRANT_REQUEST, lambda a: has_role(a, RoleName.SYSTEM_ADMIN))
registry.object_rule(StaffAction.GRANT_DECIDE, AccessGrant, grants_to_decide)
registry.audit_events(StaffAuditEvent)
