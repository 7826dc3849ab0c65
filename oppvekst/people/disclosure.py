"""What of a person's whereabouts may be shown: the one helper every page, letter, PDF, export
and API uses to render an address, a distance from home, or a unit next to a child.

The decisions themselves are the access policy's actions `child.read_address` and
`child.read_location` (oppvekst.people.permissions); this module only applies them consistently:

* an address is shown to the person themselves and to whoever `child.read_address` allows;
* a distance, a coordinate or a nearest-first ranking is derived from the home address, so it
  follows the address rule (three distances to public unit coordinates locate a home);
* a unit or group next to a child follows `child.read_location`;
* a document that leaves the system (a letter, a PDF, a file for the ERP) never carries a
  protected home address: letters to protected persons go to the postal address Folkeregisteret
  delivers or the digital mailbox (domain/norway.md §6.1, item 3);
* protection is read from the database when the text is produced or served again, never from a
  copy made earlier, because grading can change at any time (domain/norway.md §6.1, item 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oppvekst.access.policy import Actor, allowed_ids, can
from oppvekst.people.models import STRICT_LEVELS, Person
from oppvekst.people.permissions import ChildAction

ADDRESS = ChildAction.READ_ADDRESS
LOCATION = ChildAction.READ_LOCATION


@dataclass(frozen=True)
class Address:
    street_address: str
    postal_code: str
    postal_town: str

    def lines(self) -> list[str]:
        town = f"{self.postal_code} {self.postal_town}".strip()
        return [line for line in (self.street_address, town) if line]

    def as_dict(self) -> dict[str, str]:
        return {
            "street_address": self.street_address,
            "postal_code": self.postal_code,
            "postal_town": self.postal_town,
        }


def _address(person: Person) -> Address:
    return Address(person.street_address, person.postal_code, person.postal_town)


def _is_self(actor: Actor, person: Person | int) -> bool:
    pk = person if isinstance(person, int) else person.pk
    return actor.person is not None and actor.person.pk == pk


def may_see_address(actor: Actor, person: Person) -> bool:
    return _is_self(actor, person) or can(actor, ADDRESS, person)


def address_for(actor: Actor, person: Person) -> Address | None:
    """The person's address as the actor may see it on a page or in the API; None if withheld."""
    return _address(person) if may_see_address(actor, person) else None


def address_for_document(person: Person) -> Address | None:
    """The address printed on a letter, PDF or file that leaves the system (re-read the person
    from the database first when serving a stored document again)."""
    return None if person.has_protected_address else _address(person)


def unit_in_document(child: Person) -> bool:
    """Whether a document that leaves the system (an ERP file, a letter) may name the child's
    unit: not for strengt fortrolig, as `child.read_location` withholds it from everyone without
    a need to know (domain/norway.md §6.1, item 2)."""
    return child.address_protection not in STRICT_LEVELS


def may_derive_from_home(actor: Actor, person: Person | None) -> bool:
    """Distances, coordinates, nearest-first rankings and maps from the person's home."""
    return person is not None and may_see_address(actor, person)


def may_see_location(actor: Actor, child: Person) -> bool:
    """The child's unit and group (kindergarten, school, SFO, class)."""
    return _is_self(actor, child) or can(actor, LOCATION, child)


def located_children(actor: Actor, child_ids: Iterable[int]) -> set[int]:
    """Which of the children the actor may see a unit next to — one query for a page."""
    ids = set(child_ids)
    own = {pk for pk in ids if _is_self(actor, pk)}
    return own | allowed_ids(actor, LOCATION, ids - own)


def addressable_people(actor: Actor, person_ids: Iterable[int]) -> set[int]:
    """Which of the persons the actor may see the address of — one query for a page."""
    ids = set(person_ids)
    own = {pk for pk in ids if _is_self(actor, pk)}
    return own | allowed_ids(actor, ADDRESS, ids - own)
