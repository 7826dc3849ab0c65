from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from oppvekst.access import audit
from oppvekst.access.policy import scope
from oppvekst.api.base import actor
from oppvekst.people.models import Person
from oppvekst.people.permissions import ChildAction

router = Router(tags=["me"])


class RoleOut(Schema):
    name: str
    municipality_id: int | None
    unit_id: int | None
    group_id: int | None
    child_id: int | None


class ChildRef(Schema):
    id: int
    first_name: str
    last_name: str


class MeOut(Schema):
    person_id: int | None
    name: str
    roles: list[RoleOut]
    children: list[ChildRef]


@router.get("/me", response=MeOut, summary="The actor, their roles and (guardians) children")
def me(request: HttpRequest) -> dict[str, object]:
    a = actor(request)
    child_ids = sorted(a.ids("child_id", ["guardian", "daily_carer"]))
    # Through the policy, so a token's scopes apply here as everywhere: a token without
    # child.read_basic sees no children.
    children = list(
        scope(a, ChildAction.READ_BASIC, Person.objects.filter(pk__in=child_ids)).order_by(
            "birth_date"
        )
    )
    audit.record(a, "child.read_basic", [c.pk for c in children], request=request)
    return {
        "person_id": a.person.pk if a.person else None,
        "name": a.person.full_name if a.person else a.label,
        "roles": [r.__dict__ for r in a.roles],
        "children": children,
    }
