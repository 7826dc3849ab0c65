"""The one edge between a request and the data: who is asking, may they, and the audit row.

Pages and API operations use these helpers instead of writing their own preambles:

    actor = edge.require(request, BillingAction.OPEN)          # 403 without the capability
    run = edge.load(request, BillingAction.READ_RUN, InvoiceRun.objects.all(), run_id)
    child = edge.load(request, ChildAction.READ_BASIC, Person.objects.all(), child_id,
                      audit=ChildAction.READ_BASIC)            # 404 + one audit row
    edge.audit_read(request, BillingAction.READ_FEES, child_ids)

`load` answers 404 (never 403) for an object the actor may not act on, so nobody learns that
it exists. The audit action must come from the catalogue (`registry.audit_catalogue()`): every
registered access action, plus the extra read events each app registers in its permissions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from oppvekst.access import audit
from oppvekst.access.actor import Actor, actor_for_request
from oppvekst.access.policy import can, scope

M = TypeVar("M", bound=Model)


def actor(request: Any) -> Actor:
    """The acting person of a page or API request (the API's bearer token sets it too)."""
    return actor_for_request(request)


def require(request: Any, capability: str | None = None) -> Actor:
    """The actor, or 403 when not logged in or without the capability."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not signed_in and getattr(request, "_oppvekst_actor", None) is None:
        raise PermissionDenied  # neither a session nor a bearer token
    found = actor_for_request(request)
    if capability is not None and not can(found, capability):
        raise PermissionDenied
    return found


def people_of(obj: Model) -> list[int]:
    """Whose personal data an object carries, for the audit row: a person is itself; other rows
    name their child (or, failing that, their person)."""
    from oppvekst.people.models import Person

    if isinstance(obj, Person):
        return [obj.pk]
    for attribute in ("child_id", "person_id", "applicant_id"):
        value = getattr(obj, attribute, None)
        if isinstance(value, int):
            return [value]
    return []


def load(
    request: Any,
    action: str,
    queryset: QuerySet[M],
    pk: int,
    *,
    audit_as: str | None = None,
    people: Callable[[M], Iterable[int]] = people_of,
) -> M:
    """The object `pk` if the actor may `action` it, else 404; with `audit_as`, one audit row per
    person the object carries."""
    found_actor = actor_for_request(request)
    obj = scope(found_actor, action, queryset).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if audit_as is not None:
        audit.record(found_actor, audit_as, people(obj), request=request)
    return obj


def audit_read(request: Any, action: str, person_ids: Iterable[int]) -> int:
    """One audit row per person whose data the response shows."""
    return audit.record(actor_for_request(request), action, person_ids, request=request)


def template_actor(context: Any) -> Actor | None:
    """The signed-in actor of a template's request (menu and front-page tags), or None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return None
    return actor_for_request(request)
