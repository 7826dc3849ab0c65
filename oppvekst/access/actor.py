"""Who is acting: a person, as of a day, with the roles their data gives them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from oppvekst import clock
from oppvekst.access.roles import Role, roles_for
from oppvekst.people.models import Person


@dataclass
class Actor:
    """Who is acting, as of which day, with the roles their data gives them."""

    person: Person | None
    roles: list[Role]
    day: dt.date
    user_id: int | None = None
    token_scopes: frozenset[str] | None = None  # a service token limits the actions
    label: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def names(self) -> set[str]:
        return {r.name for r in self.roles}

    def ids(self, attribute: str, names: Iterable[str]) -> set[int]:
        wanted = set(names)
        return {
            value
            for r in self.roles
            if r.name in wanted and (value := getattr(r, attribute)) is not None
        }

    @property
    def is_anonymous(self) -> bool:
        return self.person is None and not self.roles


ANONYMOUS = Actor(person=None, roles=[], day=dt.date(1970, 1, 1))


def actor_for_user(user: Any, day: dt.date | None = None) -> Actor:
    day = day or clock.today()
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(person=None, roles=[], day=day)
    person = getattr(user, "person", None)
    roles = roles_for(person, day) if person is not None else []
    return Actor(person=person, roles=roles, day=day, user_id=user.pk, label=user.get_username())


def actor_for_request(request: Any) -> Actor:
    cached = getattr(request, "_oppvekst_actor", None)
    if cached is None:
        cached = actor_for_user(getattr(request, "user", None))
        request._oppvekst_actor = cached
    return cached
