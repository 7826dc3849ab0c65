"""Admission API (mounted under /api/v1/): applications and answers to offers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from oppvekst.access import audit
from oppvekst.access.policy import can, scope
from oppvekst.admission import selectors, services
from oppvekst.admission.models import Application
from oppvekst.admission.permissions import AdmissionAction
from oppvekst.api.base import actor, page_of
from oppvekst.api.types import Id, offset_field
from oppvekst.core.idempotency import once
from oppvekst.errors import NotFoundError
from oppvekst.people.models import Person

router = Router(tags=["admission"])


class WishOut(Schema):
    rank: int
    unit_id: int
    unit_name: str


class ClaimOut(Schema):
    id: int
    kind: str
    status: str
    unit_id: int | None


class OfferOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    status: str
    start_date: dt.date
    deadline: dt.date
    wish_rank: int | None


class ApplicationOut(Schema):
    id: int
    child_id: int
    child_name: str
    municipality_id: int
    service: str
    status: str
    desired_start: dt.date
    place_percent: int
    weekly_hours: Decimal | None
    submitted_at: dt.datetime | None
    on_time: bool
    version: int
    wishes: list[WishOut]
    claims: list[ClaimOut]
    offers: list[OfferOut]


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    count: int


class ApplicationListParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = offset_field()
    q: str = Field("", max_length=100, description="Search in the child's name")
    status: str = Field("", max_length=20)
    service: str = Field("", pattern="^(|kindergarten|sfo)$")
    ordering: str = Field("-submitted", pattern="^-?(submitted|name|birth_date|status)$")


class ApplicationIn(Schema):
    child_id: Id
    service: str = Field("kindergarten", pattern="^(kindergarten|sfo)$")
    desired_start: dt.date
    place_percent: int = Field(100, ge=1, le=100)
    weekly_hours: Decimal | None = Field(None, ge=0, le=168, max_digits=5, decimal_places=2)
    wishes: list[Id] = Field(default_factory=list, max_length=5)
    school_id: Id | None = None
    sfo_place_type: str = ""
    sfo_days: list[str] = Field(default_factory=list)
    note: str = Field("", max_length=2000)
    submit: bool = Field(False, description="Send the application right away")


class AcceptIn(Schema):
    keep_waiting: bool = Field(
        False, description="Accept and stay on the waiting list for higher-ranked wishes"
    )


class AcceptedPlacementOut(Schema):
    id: int
    child_id: int
    unit_id: int
    service: str
    place_percent: int
    valid_from: dt.date
    valid_to: dt.date | None


def _out(app: Application, shown: set[int] | None) -> dict[str, Any]:
    """``shown``: the units that may be named next to the child (None: all); offers elsewhere
    are left out (admission.selectors.shown_units)."""
    return {
        "id": app.pk,
        "child_id": app.child_id,
        "child_name": app.child.full_name,
        "municipality_id": app.municipality_id,
        "service": app.service,
        "status": app.status,
        "desired_start": app.desired_start,
        "place_percent": app.place_percent,
        "weekly_hours": app.weekly_hours,
        "submitted_at": app.submitted_at,
        "on_time": app.on_time,
        "version": app.version,
        "wishes": [
            {"rank": w.rank, "unit_id": w.unit_id, "unit_name": w.unit.name}
            for w in app.wishes.all()
        ],
        "claims": [
            {"id": c.pk, "kind": c.kind, "status": c.status, "unit_id": c.unit_id}
            for c in app.claims.all()
        ],
        "offers": [
            {
                "id": o.pk,
                "unit_id": o.unit_id,
                "unit_name": o.unit.name,
                "status": o.status,
                "start_date": o.start_date,
                "deadline": o.deadline,
                "wish_rank": o.wish_rank,
            }
            for o in app.offers.all()
            if shown is None or o.unit_id in shown
        ],
    }


@router.get("/applications", response=ApplicationPage, summary="Applications the actor may see")
def list_applications(request: HttpRequest, params: Query[ApplicationListParams]) -> dict[str, Any]:
    a = actor(request)
    items, count = selectors.application_queue(
        a,
        selectors.QueueFilters(
            search=params.q, status=params.status, service=params.service, ordering=params.ordering
        ),
        limit=params.limit,
        offset=params.offset,
    )
    audit.record(a, "application.read", [app.child_id for app in items], request=request)
    shown = selectors.shown_units_by_child(a, [app.child_id for app in items])
    return page_of([_out(app, shown[app.child_id]) for app in items], count)


@router.get("/applications/{application_id}", response=ApplicationOut, summary="One application")
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    a = actor(request)
    app = selectors.application_detail(a, application_id)
    audit.record(a, "application.read", [app.child_id], request=request)
    return _out(app, selectors.shown_units(a, app.child))


@router.post(
    "/applications",
    response={200: ApplicationOut, 201: ApplicationOut},
    summary="Apply for a place (guardians, for their own children)",
    description="Idempotent with an `Idempotency-Key` header: a repeat returns the first "
    "application (status 200) instead of creating another.",
)
def create_application(request: HttpRequest, body: ApplicationIn) -> Status[dict[str, Any]]:
    a = actor(request)
    person = a.person
    child = (
        scope(a, AdmissionAction.APPLICATION_CREATE, Person.objects.all())
        .filter(pk=body.child_id)
        .first()
    )
    if child is None or person is None:
        raise NotFoundError("Not found.")

    def change() -> int:
        app, _created = services.application_create(
            child=child,
            service=body.service,
            by=person,
            desired_start=body.desired_start,
            place_percent=body.place_percent,
            weekly_hours=body.weekly_hours,
            wishes=body.wishes,
            school_id=body.school_id,
            sfo_place_type=body.sfo_place_type,
            sfo_days=body.sfo_days,
            note=body.note,
        )
        if body.submit:
            services.application_submit(application_id=app.pk, by=person, expected_version=None)
        return app.pk

    # One transaction for the draft, its submission, the idempotency record, the audit row and
    # the answer (DESIGN.md "one error shape ... idempotency key"): a failure anywhere leaves
    # nothing behind, and a retry with the same key returns the finished application.
    with transaction.atomic():
        application_id, created = once(
            scope="application_create",
            key=request.headers.get("Idempotency-Key", ""),
            user_id=a.user_id or 0,
            change=change,
        )
        audit.record(a, "application.create", [child.pk], request=request)
        app = selectors.application_detail(a, application_id)
        out = _out(app, selectors.shown_units(a, app.child))
    return Status(201 if created else 200, out)


def _answerable(request: HttpRequest, offer_id: int) -> Any:
    a = actor(request)
    offer = selectors.offer_for(a, offer_id)
    if not can(a, AdmissionAction.OFFER_ANSWER, offer) or a.person is None:
        raise Http404
    return a, offer


@router.post(
    "/offers/{offer_id}/accept",
    response=AcceptedPlacementOut,
    summary="Accept an offer: creates the placement (idempotent)",
)
def accept_offer(request: HttpRequest, offer_id: int, body: AcceptIn) -> Any:
    a, offer = _answerable(request, offer_id)
    with transaction.atomic():
        placement = services.offer_accept(
            offer_id=offer.pk, by=a.person, keep_waiting=body.keep_waiting
        )
        audit.record(a, "offer.answer", [offer.child_id], request=request)
    return placement


@router.post("/offers/{offer_id}/decline", response=OfferOut, summary="Decline an offer")
def decline_offer(request: HttpRequest, offer_id: int) -> dict[str, Any]:
    a, offer = _answerable(request, offer_id)
    with transaction.atomic():
        closed = services.offer_decline(offer_id=offer.pk, by=a.person)
        audit.record(a, "offer.answer", [offer.child_id], request=request)
    return {
        "id": closed.pk,
        "unit_id": closed.unit_id,
        "unit_name": closed.unit.name,
        "status": closed.status,
        "start_date": closed.start_date,
        "deadline": closed.deadline,
        "wish_rank": closed.wish_rank,
    }
