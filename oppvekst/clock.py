"""The one injectable clock (DESIGN.md: never `date.today()` scattered in code).

Tests and the demo can stand on any date: set `OPPVEKST_TODAY=2026-08-15` in the environment
(read by settings.py) or use `frozen(date)` in code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings

OSLO = ZoneInfo("Europe/Oslo")
_override: dt.datetime | None = None


def now() -> dt.datetime:
    """Aware current time in Europe/Oslo."""
    if _override is not None:
        return _override
    fixed: dt.date | None = getattr(settings, "OPPVEKST_TODAY", None)
    if fixed is not None:
        return dt.datetime.combine(fixed, dt.time(12, 0), tzinfo=OSLO)
    return dt.datetime.now(tz=OSLO)


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def frozen(moment: dt.date | dt.datetime) -> Iterator[None]:
    """Stand on a fixed date or time inside the block."""
    global _override
    previous = _override
    if isinstance(moment, dt.datetime):
        _override = moment if moment.tzinfo else moment.replace(tzinfo=OSLO)
    else:
        _override = dt.datetime.combine(moment, dt.time(12, 0), tzinfo=OSLO)
    try:
        yield
    finally:
        _override = previous
