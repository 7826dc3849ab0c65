from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oppvekst.core.selectors import municipality_stats


class Command(BaseCommand):
    help = "Counts per municipality: units, groups, children, pupils, staff (no personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--date", help="count as of this day (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date must be YYYY-MM-DD, not {options['date'][:40]!r}", returncode=2
                ) from None
        stats = municipality_stats(day)
        if options["json"]:
            self.stdout.write(json.dumps({"municipalities": stats}, ensure_ascii=False))
            return
        for m in stats:
            self.stdout.write(f"{m['name']} ({m['number']})")
            for key, value in m["units"].items():
                self.stdout.write(f"  {key:<24} {value}")
            for key in (
                "groups",
                "children",
                "pupils",
                "sfo_children",
                "guardians",
                "employees",
                "placements",
            ):
                self.stdout.write(f"  {key:<24} {m[key]}")
