from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from oppvekst.access.policy import scope
from oppvekst.api.base import actor, page_of
from oppvekst.core.models import Group, Unit
from oppvekst.core.permissions import GroupAction, UnitAction
from oppvekst.errors import NotFoundError

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    owner: str
    municipality_id: int
    organisation_number: str
    is_special_school: bool
    is_family_kindergarten: bool
    first_grade: int | None
    last_grade: int | None
    school_id: int | None
    postal_town: str


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    unit_id: int
    grade: int | None
    min_age: int | None
    max_age: int | None


class GroupPage(Schema):
    items: list[GroupOut]
    count: int


class UnitParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    kind: str | None = Field(None, pattern="^(kindergarten|school|sfo)$")
    municipality: int | None = None
    q: str = Field("", max_length=100)


class GroupParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    unit: int | None = None


@router.get("/units", response=UnitPage, summary="Units (kindergartens, schools, SFOs)")
def list_units(request: HttpRequest, params: Query[UnitParams]) -> dict[str, Any]:
    qs = scope(actor(request), UnitAction.READ, Unit.objects.all())
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.municipality:
        qs = qs.filter(municipality_id=params.municipality)
    if params.q:
        qs = qs.filter(name__icontains=params.q)
    count = qs.count()
    return page_of(
        list(qs.order_by("name", "pk")[params.offset : params.offset + params.limit]), count
    )


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = scope(actor(request), UnitAction.READ, Unit.objects.all()).filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError("Not found.")
    return unit


@router.get("/groups", response=GroupPage, summary="Groups: classes, departments, SFO groups")
def list_groups(request: HttpRequest, params: Query[GroupParams]) -> dict[str, Any]:
    qs = scope(actor(request), GroupAction.READ, Group.objects.all())
    if params.unit:
        qs = qs.filter(unit_id=params.unit)
    count = qs.count()
    items = list(
        qs.order_by("unit_id", "grade", "name", "pk")[params.offset : params.offset + params.limit]
    )
    return page_of(items, count)


@router.get("/groups/{group_id}", response=GroupOut, summary="One group")
def get_group(request: HttpRequest, group_id: int) -> Group:
    group = scope(actor(request), GroupAction.READ, Group.objects.all()).filter(pk=group_id).first()
    if group is None:
        raise NotFoundError("Not found.")
    return group
