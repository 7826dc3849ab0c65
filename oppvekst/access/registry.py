"""The registry of actions: each app declares its own actions and rules, access decides.

An app lists its actions as a `StrEnum` in `oppvekst/<app>/permissions.py` and registers a rule
for each one at import time; `AccessConfig.ready()` imports every installed app's `permissions`
module (like the admin's autodiscovery), so the registry is complete before the first request.

Two kinds of rule (eVaka's "actions with rules", DESIGN.md "Access"):

- an *object rule*: the action applies to rows of one model, and the rule is one query filter
  (`Callable[[Actor], Q]`). `policy.scope()` applies it to lists, `policy.can()` asks the same
  filter about one row, so a list and a single read can never disagree.
- a *capability*: the action has no target ("may open the billing pages at all"), and the rule
  is a predicate on the actor.

Registering the same action twice is an error: one action, one rule. Compose rules from the
builders in `oppvekst.access.builders` rather than writing role checks by hand.

Example (an app's permissions.py):

    class NoteAction(StrEnum):
        READ = "note.read"
        OPEN = "note.open"

    registry.object_rule(NoteAction.READ, Note, lambda a: guardian_of_child(a, "child_id"))
    registry.capability(NoteAction.OPEN, lambda a: not a.is_anonymous)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Model, Q

from oppvekst.access.actor import Actor

Rule = Callable[[Actor], Q]
Check = Callable[[Actor], bool]


@dataclass(frozen=True)
class ObjectRule:
    model: type[Model]
    rule: Rule


class DuplicateAction(ValueError):
    pass


_object_rules: dict[str, ObjectRule] = {}
_capabilities: dict[str, Check] = {}


def object_rule(action: str, model: type[Model], rule: Rule) -> None:
    """Register the one rule for `action` on rows of `model`."""
    if action in _object_rules or action in _capabilities:
        raise DuplicateAction(str(action))
    _object_rules[str(action)] = ObjectRule(model, rule)


def capability(action: str, check: Check) -> None:
    """Register the one check for an action without a target object."""
    if action in _object_rules or action in _capabilities:
        raise DuplicateAction(str(action))
    _capabilities[str(action)] = check


_audit_events: set[str] = set()


def audit_events(events: type[StrEnum]) -> None:
    """Register read or write events that are audited but are not access actions of their own
    (for example "the ERP export was downloaded")."""
    for event in events:
        if event in _audit_events:
            raise DuplicateAction(str(event))
        _audit_events.add(str(event))


def audit_catalogue() -> frozenset[str]:
    """Every action an audit row may name: the access actions and the registered events."""
    return frozenset(_object_rules) | frozenset(_capabilities) | frozenset(_audit_events)


def object_rules() -> Mapping[str, ObjectRule]:
    return _object_rules


def capabilities() -> Mapping[str, Check]:
    return _capabilities


def is_known(action: str) -> bool:
    return action in _object_rules or action in _capabilities


def autodiscover() -> None:
    """Import every installed app's `permissions` module (each registers its actions once)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("permissions")
