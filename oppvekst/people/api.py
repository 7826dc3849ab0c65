from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field, field_validator

from oppvekst.access import audit
from oppvekst.access.policy import can
from oppvekst.api.base import actor, page_of
from oppvekst.api.types import offset_field
from oppvekst.core.idempotency import once
from oppvekst.people import selectors
from oppvekst.people.identity import normalise
from oppvekst.people.permissions import ChildAction
from oppvekst.people.services import child_register, identity_error

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


class ChildListParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = offset_field()
    q: str = Field("", max_length=100, description="Search in names")
    ordering: str = Field("name", pattern="^-?(name|birth_date)$")


@router.get("/children", response=ChildPage, summary="Children the actor may see")
def list_children(request: HttpRequest, params: Query[ChildListParams]) -> dict[str, Any]:
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


class ChildIn(Schema):
    identity_number: str = Field(min_length=1, max_length=13)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date | None = None
    street_address: str = Field("", max_length=150)
    postal_code: str = Field("", max_length=4)
    postal_town: str = Field("", max_length=60)
    guardian_identity_number: str = Field("", max_length=13)

    @field_validator("guardian_identity_number")
    @classmethod
    def _normalised(cls, value: str) -> str:
        return normalise(value)

    @field_validator("identity_number")
    @classmethod
    def _valid_identity_number(cls, value: str) -> str:
        value = normalise(value)
        problem = identity_error(value)
        if problem is not None:
            raise ValueError(problem)
        return value


@router.post(
    "/children",
    response={201: ChildOut, 200: ChildOut},
    summary="Register a child (sector office). Idempotent with an Idempotency-Key header.",
)
def create_child(
    request: HttpRequest,
    payload: ChildIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    a = actor(request)
    if not can(a, ChildAction.CREATE):
        raise PermissionDenied
    municipality_id = sorted(a.ids("municipality_id", ["caseworker"]))[0]
    # The registration, its idempotency record, the audit row and the answer in one
    # transaction: nothing committed can be answered with an error, nothing half-written stays.
    with transaction.atomic():
        child_id, created = once(
            scope="child_register",
            key=idempotency_key,
            user_id=request.auth.user_id,  # type: ignore[attr-defined]
            change=lambda: (
                child_register(actor=a, municipality_id=municipality_id, **payload.dict()).pk
            ),
        )
        audit.record(a, "child.create", [child_id], request=request)
        out = selectors.child_detail(a, child_id).as_dict()
    return Status(201 if created else 200, out)
