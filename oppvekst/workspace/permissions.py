"""Actions on the personal workspace (DESIGN.md "Access")."""

from __future__ import annotations

from enum import StrEnum

from oppvekst.access import registry


class WorkspaceAction(StrEnum):
    VIEW = "workspace.view"


registry.capability(WorkspaceAction.VIEW, lambda a: not a.is_anonymous)
