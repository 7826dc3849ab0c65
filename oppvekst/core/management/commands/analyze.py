"""`oppvekst analyze`: refresh the database's query planner statistics (after a bulk import)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from oppvekst.dbutils import statistics_refresh


class Command(BaseCommand):
    help = "Refresh the query planner statistics (ANALYZE) of the database."

    def handle(self, *args: Any, **options: Any) -> None:
        statistics_refresh()
        self.stdout.write("Statistics refreshed.")
