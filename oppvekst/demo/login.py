"""One-click persona login for the demo municipality (demo mode only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oppvekst.demo.models import DemoPersona


class DemoPersonaLogin:
    def personas(self) -> Sequence[DemoPersona]:
        return list(DemoPersona.objects.select_related("user"))

    def user_for(self, slug: str) -> Any | None:
        persona = DemoPersona.objects.select_related("user").filter(slug=slug).first()
        return persona.user if persona is not None else None
