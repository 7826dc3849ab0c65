"""Bounded input types for the API. A number outside what the database can hold is a 422 in
the API's error shape, decided by the schema (and documented in the OpenAPI), never an
overflow in the database driver."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from oppvekst.params import MAX_ID

MAX_OFFSET = 10**9  # far past any list; SQLite and PostgreSQL take 64-bit offsets

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def offset_field() -> int:
    """``offset: int = offset_field()`` for list parameters."""
    value: int = Field(0, ge=0, le=MAX_OFFSET)
    return value
