"""The staff and guardian pages: check-in, check-out, undo, roll call, departments, staffing,
absence and pick-up in the portal."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oppvekst.access.models import AuditEvent
from oppvekst.attendance import selectors, services
from oppvekst.attendance.models import Absence, Attendance, PickupAuthorization
from oppvekst.people.models import Guardianship
from tests.attendance.helpers import guardian_placement, head_unit, placement_in
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


def _key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_staff_check_in_from_the_day_list_is_idempotent(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    child = placement_in(unit).child
    page = client.get(f"/oppmote/enhet/{unit.pk}/")
    assert page.status_code == 200
    assert f'id="barn-{child.pk}"' in page.content.decode()
    url = f"/oppmote/enhet/{unit.pk}/inn/{child.pk}/"
    for _ in range(2):  # the tablet retries on a flaky network
        response = client.post(url, {"idempotency_key": "tap-1"})
        assert response.status_code == 302
    assert Attendance.objects.filter(child=child, day=DEMO_TODAY).count() == 1
    listing = client.get(f"/oppmote/enhet/{unit.pk}/").content.decode()
    assert 'data-status="present"' in listing
    assert "Angre" in listing


def test_check_out_page_refuses_a_name_not_on_the_list(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None)
    url = f"/oppmote/enhet/{unit.pk}/ut/{child.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"picked_up_by_name": "Fremmed Mann", "idempotency_key": "o1"})
    assert response.status_code == 400
    assert "står ikke på hentelisten" in response.content.decode()
    assert Attendance.objects.get(child=child, day=DEMO_TODAY).checked_out_at is None
    guardian_id = Guardianship.objects.filter(child=child).values_list("guardian_id", flat=True)[0]
    done = client.post(url, {"picked_up_by": f"guardian:{guardian_id}", "idempotency_key": "o2"})
    assert done.status_code == 302
    assert Attendance.objects.get(child=child, day=DEMO_TODAY).checked_out_at is not None


def test_check_out_shows_contact_the_leader_but_not_the_restriction(persona_client: Any) -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.pickup_restriction_record(
        child=child,
        description="Hemmelig kjennelse om samvær",
        basis="Tingretten",
        valid_from=DEMO_TODAY,
        valid_to=None,
        recorded_by=None,
    )
    services.attendance_check_in(child=child, unit=unit, by=None)
    html = (
        persona_client("kindergarten-head")
        .get(f"/oppmote/enhet/{unit.pk}/ut/{child.pk}/")
        .content.decode()
    )
    assert "Kontakt leder" in html
    assert "Hemmelig kjennelse" not in html


def test_undo_page_takes_back_a_check_in(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    child = placement_in(unit).child
    record = services.attendance_check_in(child=child, unit=unit, by=None)
    url = f"/oppmote/enhet/{unit.pk}/angre/{record.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"idempotency_key": "u1"}).status_code == 302
    assert not Attendance.objects.filter(pk=record.pk).exists()


def test_roll_call_lists_children_in_the_building(persona_client: Any) -> None:
    unit = head_unit()
    inside = placement_in(unit).child
    gone = placement_in(unit, skip=1).child
    services.attendance_check_in(child=inside, unit=unit, by=None)
    services.attendance_check_in(child=gone, unit=unit, by=None)
    guardian_id = Guardianship.objects.filter(child=gone).values_list("guardian_id", flat=True)[0]
    services.attendance_check_out(
        child=gone, unit=unit, by=None, picked_up_by=f"guardian:{guardian_id}"
    )
    html = persona_client("kindergarten-head").get(f"/oppmote/enhet/{unit.pk}/opprop/")
    text = html.content.decode()
    assert inside.last_name in text and f'id="seen-{gone.pk}"' not in text
    assert f'id="seen-{inside.pk}"' in text


def test_day_list_page_query_count_is_constant(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    url = f"/oppmote/enhet/{unit.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(2):
        services.attendance_check_in(child=placement_in(unit).child, unit=unit, by=None)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_day_list_writes_one_audit_row_per_child_shown(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    before = AuditEvent.objects.filter(action="attendance.read").count()
    client.get(f"/oppmote/enhet/{unit.pk}/")
    shown = selectors._active_placements(unit, DEMO_TODAY).count()
    assert AuditEvent.objects.filter(action="attendance.read").count() - before == shown


def test_departments_page_shows_age_by_the_august_rule_and_creates(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    url = f"/oppmote/enhet/{unit.pk}/avdelinger/"
    page = client.get(url)
    assert page.status_code == 200
    assert "under 3" in page.content.decode() or "over 3" in page.content.decode()
    response = client.post(url, {"name": "Lerka", "idempotency_key": _key(page.content.decode())})
    assert response.status_code == 302
    assert "Lerka" in client.get(url).content.decode()
    empty = client.post(url, {"name": "", "idempotency_key": "x"})
    assert empty.status_code == 400


def test_move_page_moves_a_child_from_a_date(persona_client: Any) -> None:
    client = persona_client("kindergarten-head")
    unit = head_unit()
    target = services.department_create(unit=unit, name="Flyttegruppa")
    placement = placement_in(unit)
    url = f"/oppmote/enhet/{unit.pk}/flytt/{placement.pk}/"
    assert client.get(url).status_code == 200
    day = DEMO_TODAY + dt.timedelta(days=3)
    response = client.post(
        url, {"group": target.pk, "from_day": day.isoformat(), "idempotency_key": "m1"}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.valid_to == day - dt.timedelta(days=1)


def test_staffing_page_keeps_formal_and_live_figures_apart(persona_client: Any) -> None:
    html = persona_client("caseworker").get("/oppmote/bemanning/").content.decode()
    assert "Korrigerte barn per årsverk" in html and "Barn per voksen nå" in html
    assert "normbrudd" in html  # only in the explanation that the live figure is not one
    unit = head_unit()
    page = persona_client("kindergarten-head").get(f"/oppmote/bemanning/{unit.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count("<meter") == 5


def test_municipality_staffing_page_query_count_is_constant(persona_client: Any) -> None:
    client = persona_client("caseworker")
    client.get("/oppmote/bemanning/")
    with CaptureQueriesContext(connection) as today:
        client.get("/oppmote/bemanning/")
    with CaptureQueriesContext(connection) as other_day:
        client.get("/oppmote/bemanning/?dato=2026-12-15")
    assert len(other_day.captured_queries) <= len(today.captured_queries) <= 20


def test_guardian_reports_illness_from_the_portal(persona_client: Any) -> None:
    client = persona_client("guardian")
    sfo = guardian_placement("sfo")
    url = f"/portal/hverdag/{sfo.child_id}/fravaer/"
    page = client.get(url + "?arsak=illness")
    assert page.status_code == 200
    data = {
        "reason": "illness",
        "first_day": DEMO_TODAY.isoformat(),
        "last_day": DEMO_TODAY.isoformat(),
        "note": "Feber",
        "idempotency_key": _key(page.content.decode()),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a repeat is the same report
    assert Absence.objects.filter(child_id=sfo.child_id).count() == 1
    daily = client.get("/portal/hverdag/").content.decode()
    assert "Feber" in daily


def test_portal_absence_in_the_past_shows_the_field_error(persona_client: Any) -> None:
    client = persona_client("guardian")
    child_id = guardian_placement("kindergarten").child_id
    response = client.post(
        f"/portal/hverdag/{child_id}/fravaer/",
        {
            "reason": "other",
            "first_day": (DEMO_TODAY - dt.timedelta(days=2)).isoformat(),
            "last_day": DEMO_TODAY.isoformat(),
            "idempotency_key": "p1",
        },
    )
    assert response.status_code == 400
    assert "tilbake i tid" in response.content.decode()


def test_guardian_adds_and_withdraws_a_pickup_person(persona_client: Any) -> None:
    client = persona_client("guardian")
    child_id = guardian_placement("kindergarten").child_id
    response = client.post(
        f"/portal/hverdag/{child_id}/henting/",
        {
            "name": "Bestemor Berit",
            "relation": "bestemor",
            "phone": "99887766",
            "valid_from": DEMO_TODAY.isoformat(),
            "idempotency_key": "k1",
        },
    )
    assert response.status_code == 302
    pickup = PickupAuthorization.objects.get(child_id=child_id, name="Bestemor Berit")
    assert "Bestemor Berit" in client.get("/portal/hverdag/").content.decode()
    assert client.post(f"/portal/hverdag/henting/{pickup.pk}/trekk/").status_code == 302
    pickup.refresh_from_db()
    assert pickup.withdrawn_at is not None


def test_guardian_cannot_report_for_another_child(persona_client: Any) -> None:
    unit = head_unit()
    other = placement_in(unit).child
    response = persona_client("guardian").get(f"/portal/hverdag/{other.pk}/fravaer/")
    assert response.status_code == 404
