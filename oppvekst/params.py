"""Whole numbers from query strings and form fields, for pages.

A number a page cannot use (not a number, past 64 bits, a 5,000-digit string) is treated as
absent rather than reaching the database, where it would overflow the driver: pages fall back
to their default, as they do for any other junk in a query string. The API bounds its numbers in
its schemas instead (oppvekst/api/types.py) and answers 422."""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1  # primary keys are 64-bit (DEFAULT_AUTO_FIELD = BigAutoField)
MAX_PAGE = 10**6  # page numbers; far past any list


def int_param(value: Any, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """``value`` as an int from ``low`` to ``high``, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and 0 < len(value.strip()) <= 20:
        try:
            number = int(value)
        except ValueError:
            return None
    else:
        return None
    return number if low <= number <= high else None


def page_param(value: Any) -> int:
    """The page number from ``?side=``: 1 when absent or unusable, at most ``MAX_PAGE``."""
    return int_param(value, low=1, high=MAX_PAGE) or 1
