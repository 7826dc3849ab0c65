"""Attendance in the authorization matrix (tests/access/test_matrix.py): every page and API
operation, per persona, on own and other objects.

Kindergarten heads (municipal and private) work their own kindergarten's lists, departments
and staffing; the sector office sees every kindergarten's staffing figures in its municipality
and no child lists; guardians keep their own children's absences and pick-up lists; school staff
have no part in it. Every page answers GET (confirmation pages for the taps) so the matrix can
reach it. The API's POST operations are covered per persona in tests/attendance/test_api.py
(the matrix posts only GETs here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from oppvekst.attendance import services
from oppvekst.attendance.models import Absence, Attendance, PickupAuthorization
from oppvekst.core.models import Unit
from oppvekst.placements.models import Placement
from tests.access.personas import Objects
from tests.attendance.helpers import guardian_placement, persona
from tests.conftest import DEMO_TODAY

HEADS = {"kindergarten-head", "private-kindergarten-head"}
CHILD_READERS = {"guardian", "teacher", "principal", *HEADS}

ROUTES = {
    "oppmote/",
    "oppmote/enhet/<int:unit_id>/",
    "oppmote/enhet/<int:unit_id>/inn/<int:child_id>/",
    "oppmote/enhet/<int:unit_id>/ut/<int:child_id>/",
    "oppmote/enhet/<int:unit_id>/angre/<int:attendance_id>/",
    "oppmote/enhet/<int:unit_id>/opprop/",
    "oppmote/enhet/<int:unit_id>/personale/",
    "oppmote/enhet/<int:unit_id>/avdelinger/",
    "oppmote/enhet/<int:unit_id>/flytt/<int:placement_id>/",
    "oppmote/bemanning/",
    "oppmote/bemanning/<int:unit_id>/",
    "oppmote/barn/<int:child_id>/",
    "portal/hverdag/<int:child_id>/kort/",
    "portal/hverdag/",
    "portal/hverdag/<int:child_id>/fravaer/",
    "portal/hverdag/fravaer/<int:absence_id>/trekk/",
    "portal/hverdag/<int:child_id>/henting/",
    "portal/hverdag/henting/<int:pickup_id>/trekk/",
}
API_OPERATIONS = {
    ("GET", "/units/{unit_id}/attendance"),
    ("POST", "/attendance/check-in"),
    ("POST", "/attendance/check-out"),
    ("POST", "/children/{child_id}/absences"),
    ("GET", "/children/{child_id}/absences"),
}


@dataclass
class Site:
    unit: Unit
    placement: Placement
    attendance: Attendance


@dataclass
class Data:
    sites: dict[str, Site]  # per kindergarten head
    fet_kindergarten: Unit
    skedsmo_kindergarten: Unit  # a kindergarten in the caseworker's municipality
    guardian_child: int
    absence: Absence
    other_absence: Absence
    pickup: PickupAuthorization
    other_pickup: PickupAuthorization


def _site(slug: str) -> Site:
    unit = Unit.objects.get(employments__person=persona(slug), employments__position="principal")
    placement = (
        Placement.objects.active_on(DEMO_TODAY)
        .filter(unit=unit)
        .exclude(child__address_protection__in=["strengt_fortrolig", "strengt_fortrolig_utland"])
        .select_related("child")
        .order_by("pk")
        .first()
    )
    assert placement is not None
    attendance = services.attendance_check_in(child=placement.child, unit=unit, by=None)
    return Site(unit, placement, attendance)


_cache: dict[str, Data] = {}


def data() -> Data:
    # Made inside the matrix test's transaction, once per run (rows of an earlier, rolled-back
    # run are gone, so the cache is keyed by a row that only this run has).
    cached = _cache.get("data")
    if (
        cached is not None
        and Absence.objects.filter(pk=cached.absence.pk, child_id=cached.guardian_child).exists()
        and PickupAuthorization.objects.filter(pk=cached.pickup.pk, name="Tante Tove").exists()
    ):
        return cached
    sites = {slug: _site(slug) for slug in sorted(HEADS)}
    own = guardian_placement("kindergarten")
    other = sites["kindergarten-head"].placement
    tomorrow = DEMO_TODAY + dt.timedelta(days=1)
    absence = services.absence_report(
        child=own.child, first_day=tomorrow, last_day=tomorrow, reason="other", reported_by=None
    )
    other_absence = services.absence_report(
        child=other.child, first_day=tomorrow, last_day=tomorrow, reason="other", reported_by=None
    )
    pickup = services.pickup_authorization_add(child=own.child, name="Tante Tove", granted_by=None)
    other_pickup = services.pickup_authorization_add(
        child=other.child, name="Onkel Ole", granted_by=None
    )
    skedsmo = (
        Unit.objects.filter(municipality__number="0231", kind="kindergarten").order_by("pk").first()
    )
    fet = (
        Unit.objects.filter(municipality__number="0227", kind="kindergarten").order_by("pk").first()
    )
    assert skedsmo is not None and fet is not None
    _cache["data"] = Data(
        sites=sites,
        fet_kindergarten=fet,
        skedsmo_kindergarten=skedsmo,
        guardian_child=own.child_id,
        absence=absence,
        other_absence=other_absence,
        pickup=pickup,
        other_pickup=other_pickup,
    )
    return _cache["data"]


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    d = data()
    head = slug in HEADS
    yield "oppmote/", "GET", "/oppmote/", head
    yield "oppmote/bemanning/", "GET", "/oppmote/bemanning/", head or slug == "caseworker"
    for owner, site in d.sites.items():
        mine = owner == slug
        u, c = site.unit.pk, site.placement.child_id
        yield "oppmote/enhet/<int:unit_id>/", "GET", f"/oppmote/enhet/{u}/", mine
        yield (
            "oppmote/enhet/<int:unit_id>/inn/<int:child_id>/",
            "GET",
            f"/oppmote/enhet/{u}/inn/{c}/",
            mine,
        )
        yield (
            "oppmote/enhet/<int:unit_id>/ut/<int:child_id>/",
            "GET",
            f"/oppmote/enhet/{u}/ut/{c}/",
            mine,
        )
        yield (
            "oppmote/enhet/<int:unit_id>/angre/<int:attendance_id>/",
            "GET",
            f"/oppmote/enhet/{u}/angre/{site.attendance.pk}/",
            mine,
        )
        yield "oppmote/enhet/<int:unit_id>/opprop/", "GET", f"/oppmote/enhet/{u}/opprop/", mine
        yield (
            "oppmote/enhet/<int:unit_id>/personale/",
            "GET",
            f"/oppmote/enhet/{u}/personale/",
            mine,
        )
        yield (
            "oppmote/enhet/<int:unit_id>/avdelinger/",
            "GET",
            f"/oppmote/enhet/{u}/avdelinger/",
            mine,
        )
        yield (
            "oppmote/enhet/<int:unit_id>/flytt/<int:placement_id>/",
            "GET",
            f"/oppmote/enhet/{u}/flytt/{site.placement.pk}/",
            mine,
        )
        yield "oppmote/barn/<int:child_id>/", "GET", f"/oppmote/barn/{c}/", mine
        yield (
            "oppmote/bemanning/<int:unit_id>/",
            "GET",
            f"/oppmote/bemanning/{u}/",
            mine or (slug == "caseworker" and site.unit.municipality.number == "0231"),
        )
    yield (
        "oppmote/bemanning/<int:unit_id>/",
        "GET",
        f"/oppmote/bemanning/{d.skedsmo_kindergarten.pk}/",
        slug == "caseworker" or (head and d.sites[slug].unit.pk == d.skedsmo_kindergarten.pk),
    )
    yield (
        "oppmote/bemanning/<int:unit_id>/",
        "GET",
        f"/oppmote/bemanning/{d.fet_kindergarten.pk}/",
        False,
    )
    family = slug == "guardian"
    yield "portal/hverdag/", "GET", "/portal/hverdag/", family
    own, other = d.guardian_child, d.sites["kindergarten-head"].placement.child_id
    for child, expected in ((own, family), (other, False)):
        yield (
            "portal/hverdag/<int:child_id>/fravaer/",
            "GET",
            f"/portal/hverdag/{child}/fravaer/",
            expected,
        )
        yield (
            "portal/hverdag/<int:child_id>/henting/",
            "GET",
            f"/portal/hverdag/{child}/henting/",
            expected,
        )
        yield (
            "portal/hverdag/<int:child_id>/kort/",
            "GET",
            f"/portal/hverdag/{child}/kort/",
            expected,
        )
    for absence, expected in ((d.absence, family), (d.other_absence, False)):
        yield (
            "portal/hverdag/fravaer/<int:absence_id>/trekk/",
            "GET",
            f"/portal/hverdag/fravaer/{absence.pk}/trekk/",
            expected,
        )
    for pickup, expected in ((d.pickup, family), (d.other_pickup, False)):
        yield (
            "portal/hverdag/henting/<int:pickup_id>/trekk/",
            "GET",
            f"/portal/hverdag/henting/{pickup.pk}/trekk/",
            expected,
        )


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    d = data()
    for owner, site in d.sites.items():
        yield (
            "/units/{unit_id}/attendance",
            f"/api/v1/units/{site.unit.pk}/attendance?date={DEMO_TODAY.isoformat()}",
            owner == slug,
        )
        yield (
            "/children/{child_id}/absences",
            f"/api/v1/children/{site.placement.child_id}/absences",
            owner == slug,
        )
    if objs.own_child is not None:
        yield (
            "/children/{child_id}/absences",
            f"/api/v1/children/{objs.own_child}/absences",
            slug in CHILD_READERS,
        )
    yield "/children/{child_id}/absences", f"/api/v1/children/{objs.other_child}/absences", False
