from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oppvekst.admission.tasks import lapse_offers


class Command(BaseCommand):
    help = "Let offers whose answer deadline has passed lapse (or enqueue it for the worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue the task for the worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = lapse_offers.enqueue()
            self.stdout.write(f"Enqueued {result.id}.")
            return
        count = lapse_offers.call()
        self.stdout.write(f"{count} offer(s) lapsed.")
