"""Small template helpers for the admission pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` or None (dictionaries keyed by ids)."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)
