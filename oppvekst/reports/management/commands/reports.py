"""`oppvekst reports gsi|basil --date YYYY-MM-DD --municipality NNNN`: the statutory reports as
one JSON object on stdout (GSI: norway.md §4.5; BASIL: §1.8). Bad input: one line on stderr,
exit 2."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oppvekst.core.models import Municipality
from oppvekst.reports.selectors import basil_report, gsi_report

EXIT_BAD_INPUT = 2
CONTRACT_KEYS = {"gsi": "schools", "basil": "kindergartens"}


def _date(value: str) -> dt.date:
    if not (value.isascii() and len(value) == 10):
        raise CommandError(
            f"--date must be YYYY-MM-DD, not {value[:40]!r}", returncode=EXIT_BAD_INPUT
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--date must be a real date (YYYY-MM-DD): {value}", returncode=EXIT_BAD_INPUT
        ) from None


def _municipality(value: str) -> Municipality:
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise CommandError(
            f"--municipality must be a four-digit municipality number, not {value[:40]!r}",
            returncode=EXIT_BAD_INPUT,
        )
    found = Municipality.objects.filter(number=value).first()
    if found is None:
        raise CommandError(f"unknown municipality: {value}", returncode=EXIT_BAD_INPUT)
    return found


class Command(BaseCommand):
    help = "Statutory reports: GSI (1 October) and BASIL (15 December) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=sorted(CONTRACT_KEYS))
        parser.add_argument("--date", required=True, help="the reference date, YYYY-MM-DD")
        parser.add_argument(
            "--municipality", required=True, help="the four-digit municipality number"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="print the check list (missing or implausible data) instead of the report",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"])
        municipality = _municipality(options["municipality"])
        build = gsi_report if options["report"] == "gsi" else basil_report
        report = build(municipality, day)
        problems = report.pop("problems")
        out = {"problems": problems} if options["check"] else report
        self.stdout.write(json.dumps(out, ensure_ascii=False))
