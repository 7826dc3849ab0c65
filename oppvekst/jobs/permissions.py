"""Actions on background jobs (DESIGN.md "Access"): operators only, no children's data."""

from __future__ import annotations

from enum import StrEnum

from oppvekst.access import registry
from oppvekst.access.builders import has_role
from oppvekst.access.roles import RoleName


class JobAction(StrEnum):
    MANAGE = "jobs.manage"  # see stuck and failed background jobs, run them again


registry.capability(JobAction.MANAGE, lambda a: has_role(a, RoleName.SYSTEM_ADMIN))
