"""Task kinds: each module registers the kinds of work it publishes, with a label in words.

A kind names what must be done ("Vurder prioriteringskrav"), not where it came from, so the
workspace can filter and mute by kind without knowing the modules.
"""

from __future__ import annotations

from django.utils.functional import Promise

_kinds: dict[str, str | Promise] = {}


def register(kind: str, label: str | Promise) -> None:
    if kind in _kinds:
        raise ValueError(f"task kind registered twice: {kind}")
    _kinds[str(kind)] = label


def label(kind: str) -> str:
    return str(_kinds.get(kind, kind))


def kinds() -> dict[str, str]:
    return {k: str(v) for k, v in _kinds.items()}
