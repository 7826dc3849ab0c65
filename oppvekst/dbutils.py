"""Small database helpers shared by the apps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, connections, models
from django.db.models import Q


def valid_range_constraint(name: str) -> models.CheckConstraint:
    """valid_to is empty (open-ended) or not before valid_from: the one rule for date ranges."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name=name
    )


# A bulk insert this large changes a table enough that the planner must hear of it at once
# (docs/decisions/0003-serving.md); smaller ones are left to autovacuum (PostgreSQL).
ANALYZE_AFTER_ROWS = 1000


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows fast: COPY on PostgreSQL, batched INSERTs elsewhere. ``fields`` are
    attribute names (``run_id`` for a foreign key). After `ANALYZE_AFTER_ROWS` rows or more the
    table's planner statistics are refreshed."""
    counted = _Counted(rows)
    _bulk_insert(model, fields, counted)
    if counted.n >= ANALYZE_AFTER_ROWS:
        statistics_refresh(table=model._meta.db_table)


class _Counted:
    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.n += 1
            yield row


def _bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    if connection.vendor == "postgresql":
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_column(model, f)) for f in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    # SQLite: one prepared INSERT run with executemany (bulk_create builds a model instance
    # and a long statement per batch, several times slower for 100,000 rows).
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, f)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([_sqlite_value(v) for v in row])
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def statistics_refresh(using: str = "default", table: str | None = None) -> None:
    """Refresh the query planner's statistics (ANALYZE) on SQLite and PostgreSQL.

    Without them SQLite guesses every table equally large and walked every placement per child
    under the access rule's EXISTS: a list of 22 s took 53 ms after ANALYZE
    (docs/decisions/0003-serving.md). Run after migrate, after the demo and after bulk imports;
    PostgreSQL's autovacuum keeps them current between those.
    """
    db = connections[using]
    statement = f"ANALYZE {db.ops.quote_name(table)}" if table else "ANALYZE"
    with db.cursor() as cursor:
        if db.vendor == "sqlite":
            # A bounded sample per index keeps this fast on a large file (sqlite.org/lang_analyze).
            cursor.execute("PRAGMA analysis_limit=2000")
            cursor.execute(statement)
        elif db.vendor == "postgresql":
            cursor.execute(statement)
