from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from oppvekst.core.models import Municipality
from oppvekst.dbutils import statistics_refresh
from oppvekst.demo.generator import generate
from oppvekst.safeio import bounded_int, positive_number


class Command(BaseCommand):
    help = "Generate the synthetic demo municipality (Skedsmo, Sørum and Fet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=bounded_int(0, 2**63 - 1), default=1)
        # Scale 100 is about 7.6 million rows: beyond that the demo is not a demo.
        parser.add_argument("--scale", type=positive_number(100.0), default=1.0)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has data."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if Municipality.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has data; demo generation skipped.")
                return
            raise CommandError("The database already has data. Use a fresh database.", returncode=2)
        expected = int(76600 * options["scale"])
        with tqdm(
            total=expected, unit="rows", desc="Demo municipality", disable=options["no_progress"]
        ) as bar:

            def progress(label: str, n: int) -> None:
                bar.set_postfix_str(label)
                bar.update(n)

            result = generate(seed=options["seed"], scale=options["scale"], progress=progress)
            bar.total = bar.n
            bar.refresh()
        # Tens of thousands of new rows: the planners must know them
        # (docs/decisions/0003-serving.md).
        statistics_refresh()
        self.stdout.write(
            f"Created {result['persons']} persons and {result['placements']} placements."
        )
