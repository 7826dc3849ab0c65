"""``oppvekst demo-token PERSONA`` or ``oppvekst demo-token --person ID``: print an API bearer
token for a demo persona or for any person in the demo municipality (demo mode only).

The token works only while the server runs in demo mode and expires after
OPPVEKST_DEMO_TOKEN_HOURS (default 12), so outside checkers can act as anyone in the synthetic
data without leaving a key that outlives the demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from oppvekst.access.models import User
from oppvekst.access.services import demo_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person
from oppvekst.safeio import bounded_int


class Command(BaseCommand):
    help = "Print an API bearer token for a demo persona or a demo person (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "persona", nargs="?", help="guardian, teacher, principal, caseworker, ..."
        )
        parser.add_argument(
            "--person",
            type=bounded_int(1, 2**63 - 1),
            help="the id of any person in the demo data (a login is made for them if needed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "demo-token works only in demo mode (OPPVEKST_DEMO=1).", returncode=2
            )
        slug, person_id = options["persona"], options["person"]
        if (slug is None) == (person_id is None):
            raise CommandError("give a persona slug or --person ID (one of them)", returncode=2)
        if person_id is not None:
            user = _user_for_person(person_id)
            name = f"demo person {person_id}"
        else:
            persona = DemoPersona.objects.select_related("user").filter(slug=slug).first()
            if persona is None:
                known = ", ".join(DemoPersona.objects.values_list("slug", flat=True))
                raise CommandError(
                    f"Unknown persona '{slug}'. Known: {known or 'none (run demo)'}", returncode=2
                )
            user, name = persona.user, f"demo {slug}"
        _token, plaintext = demo_token_create(user=user, name=name)
        self.stdout.write(plaintext)


def _user_for_person(person_id: int) -> User:
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=person_id).first()
        if person is None:
            raise CommandError(f"no person with id {person_id}", returncode=2)
        user = User.objects.filter(person=person).first()
        if user is None:
            user = User(username=f"demo-person-{person.pk}", person=person)
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            raise CommandError(f"the login of person {person_id} is deactivated", returncode=2)
        return user
