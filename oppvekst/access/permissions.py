"""Actions of the platform itself: configuration (DESIGN.md "Access")."""

from __future__ import annotations

from enum import StrEnum

from oppvekst.access import registry
from oppvekst.access.builders import has_role
from oppvekst.access.roles import RoleName


class PlatformAction(StrEnum):
    CONFIGURE = "admin.configure"  # the configuration admin: no children's data


registry.capability(PlatformAction.CONFIGURE, lambda a: has_role(a, RoleName.SYSTEM_ADMIN))
