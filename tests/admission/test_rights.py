"""Right to a place (barnehageloven § 16, domain §1.2) and the 1 August age rule (§1.7)."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst.admission.engine.rights import age_group, counts_as_over_3, right_to_place

DEADLINE = dt.date(2027, 3, 1)


def right(birth: dt.date, *, applied: dt.date | None = DEADLINE, resident: bool = True):
    return right_to_place(
        birth_date=birth,
        admission_year=2027,
        deadline=DEADLINE,
        applied_on=applied,
        resident=resident,
    )


@pytest.mark.parametrize("birth", [dt.date(2026, 1, 1), dt.date(2026, 8, 31), dt.date(2024, 5, 5)])
def test_child_turning_one_by_end_of_august_has_the_right_from_august(birth: dt.date) -> None:
    r = right(birth)
    assert r.has_right and r.reason == "ok"
    assert r.right_from == dt.date(2027, 8, 1)


@pytest.mark.parametrize(
    ("birth", "right_from"),
    [
        (dt.date(2026, 9, 1), dt.date(2027, 9, 30)),
        (dt.date(2026, 10, 15), dt.date(2027, 10, 31)),
        (dt.date(2026, 11, 30), dt.date(2027, 11, 30)),
    ],
)
def test_september_to_november_birthdays_have_the_right_by_end_of_the_birth_month(
    birth: dt.date, right_from: dt.date
) -> None:
    r = right(birth)
    assert r.has_right
    assert r.right_from == right_from


@pytest.mark.parametrize(
    "birth", [dt.date(2026, 12, 1), dt.date(2026, 12, 31), dt.date(2027, 2, 1)]
)
def test_december_birthdays_have_no_right_in_that_main_admission(birth: dt.date) -> None:
    r = right(birth)
    assert not r.has_right and r.reason == "too_young" and r.right_from is None


def test_late_application_loses_the_right_but_keeps_the_date() -> None:
    r = right(dt.date(2026, 3, 3), applied=dt.date(2027, 3, 2))
    assert not r.has_right and r.reason == "late"
    assert r.right_from == dt.date(2027, 8, 1)


def test_application_on_the_deadline_day_is_in_time() -> None:
    assert right(dt.date(2026, 3, 3), applied=DEADLINE).has_right


def test_the_right_needs_residence_in_the_municipality() -> None:
    r = right(dt.date(2026, 3, 3), resident=False)
    assert not r.has_right and r.reason == "not_resident"


def test_no_application_no_right() -> None:
    assert right(dt.date(2026, 3, 3), applied=None).reason == "no_application"


def test_a_child_starting_school_has_no_kindergarten_right() -> None:
    assert right(dt.date(2021, 6, 1)).reason == "school_age"
    assert right(dt.date(2022, 12, 31)).has_right


def test_leap_day_child_turns_one_on_first_of_march() -> None:
    r = right_to_place(
        birth_date=dt.date(2024, 2, 29),
        admission_year=2025,
        deadline=dt.date(2025, 3, 1),
        applied_on=dt.date(2025, 2, 1),
        resident=True,
    )
    assert r.has_right and r.right_from == dt.date(2025, 8, 1)


def test_over_three_from_first_of_august_of_the_year_the_child_turns_three() -> None:
    # domain §1.7: born January 2024 is under 3 until 31 July 2027; born November 2024 is over
    # 3 from 1 August 2027.
    assert not counts_as_over_3(dt.date(2024, 1, 15), dt.date(2027, 7, 31))
    assert counts_as_over_3(dt.date(2024, 1, 15), dt.date(2027, 8, 1))
    assert counts_as_over_3(dt.date(2024, 11, 20), dt.date(2027, 8, 1))
    assert age_group(dt.date(2024, 11, 20), dt.date(2027, 8, 1)) == "over3"
    assert age_group(dt.date(2025, 1, 1), dt.date(2027, 8, 1)) == "under3"
