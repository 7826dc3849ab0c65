"""Template filters for money and explanations: `{{ ore|kr }}` → "1 200,00 kr"."""

from __future__ import annotations

from typing import Any

from django import template

from oppvekst.billing.explain import explain, portal_reverse
from oppvekst.billing.explain import kr as format_kr

register = template.Library()


@register.filter
def kr(value: Any) -> str:
    if value is None or value == "":
        return ""
    return format_kr(int(value))


@register.filter
def absolute(value: Any) -> int:
    return abs(int(value or 0))


@register.filter
def reason(value: dict[str, Any]) -> str:
    return explain(value)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)


@register.simple_tag
def portal_url(name: str, *args: Any) -> str:
    """The URL of a billing page in the portal, whether or not the portal URLconf is
    namespaced (``portal:``)."""
    return portal_reverse(name, *args)
