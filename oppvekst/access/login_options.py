"""Logins offered besides OpenID Connect, registered by the app that owns them.

The demo municipality offers one-click personas; `access` must not know the demo exists, so
the demo app registers a provider here at start-up (only in demo mode) and the login page asks
for whatever is registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class PersonaLogin(Protocol):
    def personas(self) -> Sequence[Any]:
        """Objects with `slug`, `title`, `description` and `user` for the login page."""

    def user_for(self, slug: str) -> Any | None:
        """The user behind a persona slug, or None."""


_provider: PersonaLogin | None = None


def register(provider: PersonaLogin) -> None:
    global _provider
    _provider = provider


def provider() -> PersonaLogin | None:
    return _provider
