from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from oppvekst.access import audit
from oppvekst.api.base import actor, page_of
from oppvekst.people import selectors

router = Router(tags=["children"])


class ChildSummary(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date


class ChildPage(Schema):
    items: list[ChildSummary]
    count: int


class AddressOut(Schema):
    street_address: str
    postal_code: str
    postal_town: str


class PlacementOut(Schema):
    id: int
    service: str
    unit_id: int
    unit_name: str
    group_id: int | None
    group_name: str | None
    place_percent: int
    valid_from: dt.date
    valid_to: dt.date | None


class GuardianRef(Schema):
    id: int
    name: str


class ChildOut(Schema):
    id: int
    first_name: str
    middle_name: str
    last_name: str
    birth_date: dt.date
    identity_number: str | None = Field(description="Only for roles with sensitive access")
    address: AddressOut | None = Field(description="Withheld when protected or not entitled")
    placements: list[PlacementOut] | None
    guardians: list[GuardianRef] | None


class ListParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    q: str = Field("", max_length=100, description="Search in names")
    ordering: str = Field("name", pattern="^-?(name|birth_date)$")


@router.get("/children", response=ChildPage, summary="Children the actor may see")
def list_children(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    a = actor(request)
    items, count = selectors.child_list(
        a, search=params.q, ordering=params.ordering, limit=params.limit, offset=params.offset
    )
    audit.record(a, "child.read_basic", [c.pk for c in items], request=request)
    return page_of(items, count)


@router.get("/children/{child_id}", response=ChildOut, summary="One child")
def get_child(request: HttpRequest, child_id: int) -> dict[str, Any]:
    a = actor(request)
    view = selectors.child_detail(a, child_id)
    audit.record(a, "child.read", [child_id], request=request)
    return view.as_dict()
