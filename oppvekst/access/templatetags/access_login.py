"""Template helpers for the login pages.

`{% oidc_providers as providers %}` gives the configured OpenID Connect providers (a provider
without configuration is not offered); `{{ delta|whole_minutes }}` rounds a timedelta up to
whole minutes (the lockout page)."""

from __future__ import annotations

import datetime as dt
import math

from django import template

from oppvekst.access import oidc

register = template.Library()


@register.simple_tag
def oidc_providers() -> list[oidc.Provider]:
    return oidc.configured_providers()


@register.filter
def whole_minutes(value: dt.timedelta | None) -> int:
    if not isinstance(value, dt.timedelta):
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
