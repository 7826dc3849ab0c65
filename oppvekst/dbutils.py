"""Small database helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import connections, migrations, models
from django.db.models import Q


def valid_range_constraint(name: str) -> models.CheckConstraint:
    """valid_to is empty (open-ended) or not before valid_from: the one rule for date ranges."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name=name
    )


def postgres_only_sql(create: str, drop: str) -> migrations.RunPython:
    """A migration step that runs SQL on PostgreSQL only (triggers, exclusion constraints);
    SQLite gets the same guarantee from the service layer instead."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop)

    return migrations.RunPython(forwards, backwards)


def statistics_refresh(using: str = "default") -> None:
    """Refresh the query planner's statistics (ANALYZE) on SQLite and PostgreSQL.

    Without them SQLite guesses every table equally large and walked every placement per child
    under the access rule's EXISTS: a list of 22 s took 53 ms after ANALYZE
    (docs/decisions/serving.md). Run after migrate, after the demo and after bulk imports;
    PostgreSQL's autovacuum keeps them current between those.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A bounded sample per index keeps this fast on a large file (sqlite.org/lang_analyze).
            cursor.execute("PRAGMA analysis_limit=2000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
