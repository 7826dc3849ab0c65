"""Every audited action reads as words on the access-log pages: an app that registers an action
(access.registry) adds its label to oppvekst/access/labels.py ACTION_LABELS."""

from __future__ import annotations

from oppvekst.access import registry
from oppvekst.access.audit import ROLE_PRECEDENCE
from oppvekst.access.labels import ACTION_LABELS, ROLE_LABELS


def test_every_action_in_the_audit_catalogue_has_a_label() -> None:
    missing = sorted(registry.audit_catalogue() - set(ACTION_LABELS))
    assert not missing, f"add these to oppvekst/access/labels.py ACTION_LABELS: {missing}"


def test_every_role_an_audit_row_can_name_has_a_label() -> None:
    assert not [r for r in ROLE_PRECEDENCE if r not in ROLE_LABELS]
