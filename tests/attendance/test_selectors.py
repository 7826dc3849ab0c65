"""Day lists, roll call and staffing figures: scoped, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oppvekst import clock
from oppvekst.attendance import selectors, services
from oppvekst.attendance.models import Attendance, StaffPresence
from oppvekst.core.models import Unit
from tests.attendance.helpers import actor, head_unit, persona, placement_in
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 25, 7, 45, tzinfo=clock.OSLO)


def _check_in(unit: Unit, count: int) -> None:
    for i in range(count):
        services.attendance_check_in(child=placement_in(unit).child, unit=unit, by=None, at=MORNING)


def test_day_list_of_the_leaders_unit_shows_every_placed_child() -> None:
    unit = head_unit()
    view = selectors.day_view(actor("kindergarten-head"), unit, DEMO_TODAY)
    placed = selectors._active_placements(unit, DEMO_TODAY).count()
    assert len(view.rows) == placed > 0
    assert view.counts == {"expected": placed}  # a clean morning (tests/attendance/conftest.py)


def test_day_list_is_empty_for_staff_of_another_unit() -> None:
    unit = head_unit()
    assert selectors.day_view(actor("private-kindergarten-head"), unit, DEMO_TODAY).rows == []
    assert selectors.unit_on_duty(actor("private-kindergarten-head"), unit.pk) is None
    assert selectors.unit_on_duty(actor("teacher"), unit.pk) is None


def test_day_list_query_count_does_not_grow_with_check_ins() -> None:
    unit = head_unit()
    leader = actor("kindergarten-head")
    _check_in(unit, 1)
    selectors.day_view(leader, unit, DEMO_TODAY)  # warm the actor's rule cache
    with CaptureQueriesContext(connection) as few:
        selectors.day_view(leader, unit, DEMO_TODAY)
    before = selectors.day_view(leader, unit, DEMO_TODAY).counts.get("present", 0)
    _check_in(unit, 2)
    with CaptureQueriesContext(connection) as many:
        view = selectors.day_view(leader, unit, DEMO_TODAY)
    assert view.counts["present"] == before + 2
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_live_figure_counts_children_in_the_building_per_adult_present() -> None:
    unit = head_unit()
    Attendance.objects.filter(unit=unit).delete()
    StaffPresence.objects.filter(unit=unit).delete()
    _check_in(unit, 2)
    services.staff_presence_arrive(person=persona("kindergarten-head"), unit=unit, at=MORNING)
    view = selectors.day_view(actor("kindergarten-head"), unit, DEMO_TODAY)
    assert view.adults_present == 1
    assert view.children_per_adult == 2


def test_caseworker_sees_staffing_of_every_kindergarten_in_the_municipality() -> None:
    unit = head_unit()
    caseworker = actor("caseworker")
    rows = selectors.staffing_rows(caseworker, DEMO_TODAY)
    kindergartens = Unit.objects.filter(
        municipality_id=unit.municipality_id, kind="kindergarten"
    ).count()
    assert len(rows) == kindergartens
    assert unit.pk in {r.unit.pk for r in rows}


def test_leader_sees_staffing_of_own_kindergarten_only() -> None:
    rows = selectors.staffing_rows(actor("kindergarten-head"), DEMO_TODAY)
    assert [r.unit.pk for r in rows] == [head_unit().pk]
    assert selectors.staffing_rows(actor("guardian"), DEMO_TODAY) == []
    assert selectors.staffing_rows(actor("teacher"), DEMO_TODAY) == []


def test_formal_norm_uses_placements_and_employments_not_who_is_present() -> None:
    unit = head_unit()
    before = selectors.staffing_rows(actor("kindergarten-head"), DEMO_TODAY)[0]
    assert (before.children_present, before.adults_present) == (0, 0)
    _check_in(unit, 2)
    after = selectors.staffing_rows(actor("kindergarten-head"), DEMO_TODAY)[0]
    assert after.norms == before.norms
    assert after.children_present == 2 and after.children_per_adult is None
    placed = selectors._active_placements(unit, DEMO_TODAY).count()
    assert before.norms.under_3 + before.norms.over_3 == placed


def test_municipality_staffing_query_count_does_not_grow_with_units() -> None:
    caseworker = actor("caseworker")
    selectors.staffing_rows(caseworker, DEMO_TODAY)
    with CaptureQueriesContext(connection) as all_units:
        rows = selectors.staffing_rows(caseworker, DEMO_TODAY)
    with CaptureQueriesContext(connection) as one_unit:
        selectors.staffing_rows(caseworker, DEMO_TODAY, unit_id=rows[0].unit.pk)
    assert len(rows) > 1
    assert len(all_units.captured_queries) == len(one_unit.captured_queries)


def test_family_overview_shows_times_for_own_children_only() -> None:
    guardian = actor("guardian")
    family = selectors.family_overview(guardian)
    own = set(guardian.ids("child_id", ["guardian"]))
    assert {f.child.pk for f in family} == own
    assert all(f.can_manage_pickups for f in family)


def test_demo_morning_has_check_ins_in_the_kindergartens() -> None:
    from oppvekst.core.models import Unit as U

    units_with_children = set(
        selectors.Placement.objects.active_on(DEMO_TODAY)
        .filter(service__in=["kindergarten", "sfo"])
        .values_list("unit_id", flat=True)
    )
    checked = set(Attendance.objects.filter(day=DEMO_TODAY).values_list("unit_id", flat=True))
    kindergartens = set(
        U.objects.filter(pk__in=units_with_children, kind="kindergarten").values_list(
            "pk", flat=True
        )
    )
    # Most children are in by noon; a very small unit may have all its children away.
    assert len(kindergartens & checked) >= 0.8 * len(kindergartens)
