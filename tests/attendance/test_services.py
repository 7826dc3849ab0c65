"""Check-in, check-out, undo, absence and pick-up rules (domain/operations.md §3)."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst import clock
from oppvekst.access.policy import can
from oppvekst.attendance import selectors, services
from oppvekst.attendance.models import Absence, Attendance, HolidayRule
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import Guardianship
from tests.attendance.helpers import actor, guardian_placement, head_unit, persona, placement_in
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 25, 7, 45, tzinfo=clock.OSLO)


def test_check_in_twice_gives_one_record() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    first = services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    again = services.attendance_check_in(
        child=child, unit=unit, by=None, at=MORNING + dt.timedelta(seconds=3)
    )
    assert first.pk == again.pk
    assert Attendance.objects.filter(child=child, day=DEMO_TODAY).count() == 1


def test_check_in_refused_for_a_child_not_placed_in_the_unit() -> None:
    unit = head_unit()
    other = guardian_placement("school").child
    with pytest.raises(services.NotPlaced):
        services.attendance_check_in(child=other, unit=unit, by=None, at=MORNING)


def test_check_out_by_a_guardian_records_the_name() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    guardian = Guardianship.objects.filter(child=child).select_related("guardian").first()
    assert guardian is not None
    record = services.attendance_check_out(
        child=child,
        unit=unit,
        by=None,
        picked_up_by=f"guardian:{guardian.guardian_id}",
        at=MORNING + dt.timedelta(hours=8),
    )
    assert record.picked_up_by == guardian.guardian.full_name
    assert record.checked_out_at == MORNING + dt.timedelta(hours=8)


def test_check_out_by_someone_not_on_the_list_is_refused() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    with pytest.raises(DomainError) as refused:
        services.attendance_check_out(
            child=child, unit=unit, by=None, picked_up_by="Ukjent Person", at=MORNING
        )
    assert refused.value.code == "not_on_pickup_list"
    assert Attendance.objects.get(child=child, day=DEMO_TODAY).checked_out_at is None


def test_one_off_pickup_is_valid_that_day_only() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.pickup_authorization_add(
        child=child, name="Morfar Olsen", relation="morfar", one_off=True, granted_by=None
    )
    names = [o.name for o in selectors.pickup_options(child, DEMO_TODAY)]
    tomorrow = [o.name for o in selectors.pickup_options(child, DEMO_TODAY + dt.timedelta(1))]
    assert "Morfar Olsen" in names and "Morfar Olsen" not in tomorrow
    services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    record = services.attendance_check_out(
        child=child, unit=unit, by=None, picked_up_by="morfar olsen", at=MORNING
    )
    assert record.picked_up_by == "Morfar Olsen"
    assert record.pickup_id is not None


def test_withdrawn_authorization_no_longer_allows_pickup() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    authorization = services.pickup_authorization_add(
        child=child, name="Nabo Hansen", granted_by=None
    )
    services.pickup_authorization_withdraw(authorization=authorization)
    services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    with pytest.raises(DomainError):
        services.attendance_check_out(
            child=child, unit=unit, by=None, picked_up_by=f"pickup:{authorization.pk}", at=MORNING
        )


def test_undo_within_five_minutes_removes_the_check_in() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    record = services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    assert services.attendance_undo(record=record, now=MORNING + dt.timedelta(minutes=5)) is None
    assert not Attendance.objects.filter(pk=record.pk).exists()


def test_undo_after_five_minutes_is_refused() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    record = services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    with pytest.raises(DomainError) as late:
        services.attendance_undo(record=record, now=MORNING + dt.timedelta(minutes=5, seconds=1))
    assert late.value.code == "undo_too_late"


def test_undo_of_a_check_out_reopens_the_day() -> None:
    unit = head_unit()
    child = placement_in(unit).child
    services.attendance_check_in(child=child, unit=unit, by=None, at=MORNING)
    guardian_id = Guardianship.objects.filter(child=child).values_list("guardian_id", flat=True)[0]
    out = services.attendance_check_out(
        child=child, unit=unit, by=None, picked_up_by=f"guardian:{guardian_id}", at=MORNING
    )
    reopened = services.attendance_undo(record=out, now=MORNING + dt.timedelta(minutes=1))
    assert reopened is not None and reopened.checked_out_at is None and reopened.picked_up_by == ""


def test_one_absence_report_shows_in_school_and_sfo_lists() -> None:
    sfo = guardian_placement("sfo")
    school = guardian_placement("school", sfo.child_id)
    services.absence_report(
        child=sfo.child,
        first_day=DEMO_TODAY,
        last_day=DEMO_TODAY,
        reason="illness",
        reported_by=persona("guardian"),
    )
    units = {u.pk for u in selectors.units_attended(sfo.child, DEMO_TODAY)}
    assert {sfo.unit_id, school.unit_id} <= units
    leader_view = selectors.day_view(actor("kindergarten-head"), sfo.unit, DEMO_TODAY)
    assert leader_view.rows == []  # the kindergarten head does not see the SFO's list
    absences = selectors.child_absences(actor("teacher"), sfo.child_id)
    assert absences is not None and [a.reason for a in absences] == ["illness"]


def test_absence_in_the_past_is_refused_for_guardians() -> None:
    child = guardian_placement("kindergarten").child
    with pytest.raises(DomainError) as refused:
        services.absence_report(
            child=child,
            first_day=DEMO_TODAY - dt.timedelta(days=1),
            last_day=DEMO_TODAY,
            reason="illness",
            reported_by=None,
        )
    assert "first_day" in refused.value.fields


def test_overlapping_absence_is_refused() -> None:
    child = guardian_placement("kindergarten").child
    services.absence_report(
        child=child, first_day=DEMO_TODAY, last_day=DEMO_TODAY, reason="illness", reported_by=None
    )
    with pytest.raises(ConflictError):
        services.absence_report(
            child=child,
            first_day=DEMO_TODAY,
            last_day=DEMO_TODAY + dt.timedelta(days=2),
            reason="other",
            reported_by=None,
        )


def test_absence_with_end_before_start_names_the_field() -> None:
    child = guardian_placement("kindergarten").child
    with pytest.raises(DomainError) as refused:
        services.absence_report(
            child=child,
            first_day=DEMO_TODAY + dt.timedelta(days=3),
            last_day=DEMO_TODAY,
            reason="holiday",
            reported_by=None,
        )
    assert set(refused.value.fields) == {"last_day"}


def _rule(municipality_id: int) -> None:
    HolidayRule.objects.update_or_create(
        municipality_id=municipality_id,
        unit=None,
        defaults={
            "window_start": "06-16",
            "window_end": "08-16",
            "deadline": "04-01",
            "school_starter_cutoff": "07-31",
        },
    )


def test_summer_holiday_after_the_owners_deadline_is_refused_with_the_date() -> None:
    placement = guardian_placement("kindergarten")
    _rule(placement.municipality_id)
    with clock.frozen(dt.date(2027, 4, 2)):
        with pytest.raises(DomainError) as refused:
            services.absence_report(
                child=placement.child,
                first_day=dt.date(2027, 7, 5),
                last_day=dt.date(2027, 7, 23),
                reason="holiday",
                reported_by=None,
            )
    assert refused.value.code == "holiday_after_deadline"
    assert "01.04.2027" in str(refused.value.message)


def test_summer_holiday_before_the_deadline_is_accepted() -> None:
    placement = guardian_placement("kindergarten")
    _rule(placement.municipality_id)
    absence = services.absence_report(
        child=placement.child,
        first_day=dt.date(2027, 7, 5),
        last_day=dt.date(2027, 7, 23),
        reason="holiday",
        reported_by=None,
    )
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_cancel_a_future_absence() -> None:
    child = guardian_placement("kindergarten").child
    absence = services.absence_report(
        child=child,
        first_day=DEMO_TODAY + dt.timedelta(days=1),
        last_day=DEMO_TODAY + dt.timedelta(days=2),
        reason="other",
        reported_by=None,
    )
    services.absence_cancel(absence=absence)
    absence.refresh_from_db()
    assert absence.cancelled_at is not None


def test_department_move_ends_the_old_placement_the_day_before() -> None:
    unit = head_unit()
    placement = placement_in(unit)
    target = services.department_create(unit=unit, name="Nye Tyttebær")
    move_day = DEMO_TODAY + dt.timedelta(days=7)
    new = services.department_move(placement=placement, group=target, from_day=move_day)
    placement.refresh_from_db()
    assert placement.valid_to == move_day - dt.timedelta(days=1)
    assert (new.group_id, new.valid_from, new.place_percent) == (
        target.pk,
        move_day,
        placement.place_percent,
    )


def test_department_names_are_unique_in_a_unit() -> None:
    unit = head_unit()
    services.department_create(unit=unit, name="Humla")
    with pytest.raises(ConflictError):
        services.department_create(unit=unit, name="humla")


def test_restriction_is_visible_to_the_leader_and_hidden_from_the_guardian() -> None:
    placement = guardian_placement("kindergarten")
    services.pickup_restriction_record(
        child=placement.child,
        description="Far har ikke samvær (tingrettens kjennelse).",
        basis="Tingretten",
        valid_from=DEMO_TODAY,
        valid_to=None,
        recorded_by=None,
    )
    guardian = actor("guardian")
    assert not can(guardian, "restriction.read", placement.child)
    assert selectors.restrictions(guardian, placement.child) == []
    assert selectors.restricted_ids([placement.child_id], DEMO_TODAY) == {placement.child_id}
