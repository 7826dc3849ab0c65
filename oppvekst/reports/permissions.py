"""Who may open the statutory reports: the sector office, for its own municipality. The reports
are aggregates (no person's data), so no audit row is written for reading them."""

from __future__ import annotations

from enum import StrEnum

from oppvekst.access import registry
from oppvekst.access.builders import caseworker_of_municipality, has_role
from oppvekst.access.roles import RoleName
from oppvekst.core.models import Municipality


class ReportAction(StrEnum):
    OPEN = "reports.open"
    STATUTORY = "reports.statutory"  # on a municipality


registry.capability(ReportAction.OPEN, lambda a: has_role(a, RoleName.CASEWORKER))
registry.object_rule(
    ReportAction.STATUTORY, Municipality, lambda a: caseworker_of_municipality(a, field="pk")
)
