"""The attendance API: the day's list of a unit, check-in and check-out with Idempotency-Key,
and a child's absences (201 for the family, 404 for anyone else)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst.access.services import service_token_create
from oppvekst.attendance import services
from oppvekst.attendance.models import Absence, Attendance
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship
from tests.access.personas import PERSONAS
from tests.attendance.helpers import guardian_placement, head_unit, placement_in
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


def _headers(slug: str, key: str | None = None) -> dict[str, str]:
    _t, token = service_token_create(user=DemoPersona.objects.get(slug=slug).user, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **headers)


def test_check_in_with_the_same_key_is_one_check_in() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    headers = _headers("kindergarten-head", key="tablet-42")
    first = _post("/api/v1/attendance/check-in", {"child": child.pk}, headers)
    again = _post("/api/v1/attendance/check-in", {"child": child.pk}, headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Attendance.objects.filter(child=child, day=DEMO_TODAY).count() == 1


def test_check_in_without_a_key_twice_still_gives_one_record() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    headers = _headers("kindergarten-head")
    _post("/api/v1/attendance/check-in", {"child": child.pk}, headers)
    second = _post("/api/v1/attendance/check-in", {"child": child.pk}, headers)
    assert second.status_code == 200
    assert Attendance.objects.filter(child=child, day=DEMO_TODAY).count() == 1


def test_check_out_to_someone_not_on_the_list_is_a_400_with_the_field() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None)
    response = _post(
        "/api/v1/attendance/check-out",
        {"child": child.pk, "picked_up_by": "Noen Andre"},
        _headers("kindergarten-head"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_on_pickup_list"
    assert "picked_up_by" in response.json()["fields"]


def test_check_out_by_a_guardian_name() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None)
    guardian = Guardianship.objects.filter(child=child).select_related("guardian").first()
    assert guardian is not None
    response = _post(
        "/api/v1/attendance/check-out",
        {"child": child.pk, "picked_up_by": guardian.guardian.full_name},
        _headers("kindergarten-head", key="out-1"),
    )
    assert response.status_code == 200
    assert response.json()["picked_up_by"] == guardian.guardian.full_name


@pytest.mark.parametrize("slug", PERSONAS)
def test_only_the_units_staff_may_check_a_child_in(slug: str) -> None:
    child = placement_in(head_unit()).child
    response = _post("/api/v1/attendance/check-in", {"child": child.pk}, _headers(slug))
    expected = 201 if slug == "kindergarten-head" else 404
    assert response.status_code == expected


def test_unit_attendance_lists_expected_present_and_absent() -> None:
    unit = head_unit()
    here = placement_in(unit).child
    ill = placement_in(unit, skip=1).child
    services.attendance_check_in(child=here, unit=unit, by=None)
    services.absence_report(
        child=ill, first_day=DEMO_TODAY, last_day=DEMO_TODAY, reason="illness", reported_by=None
    )
    response = Client().get(
        f"/api/v1/units/{unit.pk}/attendance?date={DEMO_TODAY}", **_headers("kindergarten-head")
    )
    body = response.json()
    assert response.status_code == 200
    assert here.pk in {c["id"] for c in body["present"]}
    assert [c["absence_reason"] for c in body["absent"] if c["id"] == ill.pk] == ["illness"]
    assert body["children_per_adult"] is None or isinstance(body["children_per_adult"], str)


def test_unit_attendance_query_count_is_constant() -> None:
    unit = head_unit()
    headers = _headers("kindergarten-head")
    url = f"/api/v1/units/{unit.pk}/attendance"
    client = Client()
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as few:
        client.get(url, **headers)
    for i in range(2):
        services.attendance_check_in(child=placement_in(unit).child, unit=unit, by=None)
    with CaptureQueriesContext(connection) as many:
        client.get(url, **headers)
    assert len(many.captured_queries) == len(few.captured_queries)


def _absence(days: int = 0) -> dict[str, str]:
    day = (DEMO_TODAY + dt.timedelta(days=days)).isoformat()
    return {"from": day, "to": day, "reason": "illness", "note": "Feber"}


def test_guardian_reports_absence_for_own_child_201() -> None:
    child_id = guardian_placement("sfo").child_id
    response = _post(
        f"/api/v1/children/{child_id}/absences", _absence(), _headers("guardian", key="ab-1")
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["from"], body["to"], body["reason"]) == (
        DEMO_TODAY.isoformat(),
        DEMO_TODAY.isoformat(),
        "illness",
    )
    repeat = _post(
        f"/api/v1/children/{child_id}/absences", _absence(), _headers("guardian", key="ab-1")
    )
    assert repeat.status_code == 200 and repeat.json()["id"] == body["id"]
    listed = Client().get(f"/api/v1/children/{child_id}/absences", **_headers("guardian"))
    assert [a["id"] for a in listed.json()] == [body["id"]]


def test_guardian_gets_404_for_another_child() -> None:
    other = placement_in(head_unit()).child
    response = _post(f"/api/v1/children/{other.pk}/absences", _absence(), _headers("guardian"))
    assert response.status_code == 404
    assert not Absence.objects.filter(child=other).exists()
    listed = Client().get(f"/api/v1/children/{other.pk}/absences", **_headers("guardian"))
    assert listed.status_code == 404


def test_bad_absence_input_is_a_structured_error() -> None:
    child_id = guardian_placement("kindergarten").child_id
    headers = _headers("guardian")
    wrong_reason = _post(
        f"/api/v1/children/{child_id}/absences", {**_absence(), "reason": "bored"}, headers
    )
    assert wrong_reason.status_code == 422 and "reason" in wrong_reason.json()["fields"]
    reversed_days = _post(
        f"/api/v1/children/{child_id}/absences",
        {**_absence(3), "to": DEMO_TODAY.isoformat()},
        headers,
    )
    assert reversed_days.status_code == 400
    assert "last_day" in reversed_days.json()["fields"]


def test_staff_record_an_absence_phoned_in_for_a_child_in_their_unit() -> None:
    child = placement_in(head_unit()).child
    response = _post(
        f"/api/v1/children/{child.pk}/absences", _absence(), _headers("kindergarten-head")
    )
    assert response.status_code == 201
