from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona


class Command(BaseCommand):
    help = "Print an API bearer token for a demo persona (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("persona", help="guardian, teacher, principal, caseworker, ...")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo-token works only in demo mode (OPPVEKST_DEMO=1).")
        slug = options["persona"]
        persona = DemoPersona.objects.select_related("user").filter(slug=slug).first()
        if persona is None:
            known = ", ".join(DemoPersona.objects.values_list("slug", flat=True))
            raise CommandError(f"Unknown persona '{slug}'. Known: {known or 'none (run demo)'}")
        _token, plaintext = service_token_create(user=persona.user, name=f"demo {slug}")
        self.stdout.write(plaintext)
