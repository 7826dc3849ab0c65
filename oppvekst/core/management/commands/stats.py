from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oppvekst.core.selectors import municipality_stats


class Command(BaseCommand):
    help = "Counts per municipality: units, groups, children, pupils, staff (no personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        stats = municipality_stats()
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
