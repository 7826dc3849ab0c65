"""The action registry: each app registers its own actions once; the decision stays default-deny."""

from __future__ import annotations

from enum import StrEnum

import pytest
from django.db.models import Q

from oppvekst.access import policy, registry
from oppvekst.access.builders import has_role
from oppvekst.access.permissions import PlatformAction
from oppvekst.admission.permissions import AdmissionAction
from oppvekst.billing.permissions import BillingAction
from oppvekst.core.models import Unit
from oppvekst.people.permissions import ChildAction
from oppvekst.timetable.permissions import TimetableAction


@pytest.mark.parametrize(
    "actions", [ChildAction, AdmissionAction, BillingAction, TimetableAction, PlatformAction]
)
def test_every_declared_action_has_exactly_one_registered_rule(actions: type[StrEnum]) -> None:
    for action in actions:
        assert registry.is_known(action), action
        assert (action in registry.object_rules()) != (action in registry.capabilities())


def test_registering_an_action_twice_is_refused() -> None:
    with pytest.raises(registry.DuplicateAction):
        registry.object_rule(ChildAction.READ_BASIC, Unit, lambda a: Q())
    with pytest.raises(registry.DuplicateAction):
        registry.capability(PlatformAction.CONFIGURE, lambda a: True)


def test_unknown_actions_are_refused_not_allowed() -> None:
    with pytest.raises(policy.UnknownAction):
        policy.can(policy.ANONYMOUS, "nothing.such")
    with pytest.raises(policy.UnknownAction):
        policy.scope(policy.ANONYMOUS, "nothing.such", Unit.objects.all())


@pytest.mark.django_db
def test_anonymous_gets_nothing_from_any_object_rule() -> None:
    for action, found in registry.object_rules().items():
        qs = found.model._default_manager.all()
        assert not policy.scope(policy.ANONYMOUS, action, qs).exists(), action


def test_writes_have_their_own_actions_not_the_read_rule() -> None:
    assert BillingAction.APPROVE_RUN != BillingAction.READ_RUN
    assert BillingAction.APPROVE_RUN in registry.object_rules()
    assert BillingAction.LOCK_RUN in registry.object_rules()
    assert not has_role(policy.ANONYMOUS, "caseworker")
