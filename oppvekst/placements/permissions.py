"""Actions on placements (DESIGN.md "Access")."""

from __future__ import annotations

from enum import StrEnum

from oppvekst.access import registry
from oppvekst.access.builders import caseworker_of_municipality, guardian_of_child, role_at_unit
from oppvekst.access.roles import RoleName
from oppvekst.core.models import Unit
from oppvekst.placements.models import Placement


class PlacementAction(StrEnum):
    CREATE = "placement.create"  # on a unit: who may place a child there
    GUARDIAN_CHANGE = "placement.guardian_change"  # place size, notice


class PlacementAuditEvent(StrEnum):
    READ = "placement.read"  # the guardian's page of one placement


registry.object_rule(
    PlacementAction.CREATE,
    Unit,
    lambda a: role_at_unit(a, [RoleName.UNIT_LEADER], field="pk") | caseworker_of_municipality(a),
)
registry.object_rule(
    PlacementAction.GUARDIAN_CHANGE,
    Placement,
    lambda a: guardian_of_child(a, field="child_id"),
)
registry.audit_events(PlacementAuditEvent)
