"""The one place that decides who may do what (DESIGN.md "Access"; eVaka's single decision).

Apps declare their actions and rules in their own `permissions.py` and register them with
`oppvekst.access.registry`; this module only decides. Every action has one rule, written once
as a query filter. `scope(actor, action, qs)` applies it to a list; `can(actor, action, obj)`
asks the same filter about one row, so lists, searches, exports, counts and single reads can
never disagree. Default deny: an unknown action, an actor without roles, or a model the rule
does not cover gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, QuerySet

from oppvekst.access import registry
from oppvekst.access.actor import ANONYMOUS, Actor, actor_for_request, actor_for_user

M = TypeVar("M", bound=Model)

__all__ = [
    "ANONYMOUS",
    "Actor",
    "UnknownAction",
    "actor_for_request",
    "actor_for_user",
    "allowed_ids",
    "can",
    "scope",
]


class UnknownAction(KeyError):
    pass


def _allowed_by_token(actor: Actor, action: str) -> bool:
    return actor.token_scopes is None or action in actor.token_scopes


def scope(actor: Actor, action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` filtered to the rows the actor may `action`. Unknown action: error."""
    found = registry.object_rules().get(action)
    if found is None:
        raise UnknownAction(action)
    if queryset.model is not found.model:
        raise TypeError(
            f"{action} applies to {found.model.__name__}, not {queryset.model.__name__}"
        )
    if actor.is_anonymous or not _allowed_by_token(actor, action):
        return queryset.none()
    key = f"q:{action}"
    if key not in actor._cache:
        actor._cache[key] = found.rule(actor)
    return queryset.filter(actor._cache[key])


def can(actor: Actor, action: str, target: Model | None = None) -> bool:
    if target is None:
        check = registry.capabilities().get(action)
        if check is None:
            raise UnknownAction(action)
        return _allowed_by_token(actor, action) and check(actor)
    found = registry.object_rules().get(action)
    if found is None:
        raise UnknownAction(action)
    return scope(actor, action, found.model._default_manager.filter(pk=target.pk)).exists()


def allowed_ids(actor: Actor, action: str, ids: Iterable[int]) -> set[int]:
    """Which of `ids` the actor may `action` — one query for a whole page of rows."""
    found = registry.object_rules().get(action)
    if found is None:
        raise UnknownAction(action)
    ids = list(ids)
    if not ids:
        return set()
    return set(
        scope(actor, action, found.model._default_manager.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
