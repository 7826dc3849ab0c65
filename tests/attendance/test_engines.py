"""The day's list and the holiday rule checks (domain/operations.md §3.1, §3.2)."""

from __future__ import annotations

import datetime as dt

from oppvekst.attendance.engine.daylist import (
    Placed,
    ReportedAbsence,
    Status,
    Visit,
    day_list,
)
from oppvekst.attendance.engine.holidays import (
    HolidayRule,
    check_registration,
    check_year,
    weekdays,
)

DAY = dt.date(2026, 11, 25)
AT = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
RULE = HolidayRule(
    total_weeks=4,
    consecutive_weeks=3,
    window_start=(6, 16),
    window_end=(8, 16),
    deadline=(4, 1),
    planning_days_count=False,
    school_starter_cutoff=(7, 31),
)


def test_expected_list_is_placements_minus_reported_absence() -> None:
    result = day_list(
        DAY,
        [Placed(1, 10), Placed(2, 10), Placed(3, 10)],
        [
            ReportedAbsence(2, DAY, DAY, "illness"),
            ReportedAbsence(3, DAY.replace(day=1), DAY.replace(day=2), "other"),
        ],
        [],
    )
    statuses = {r.child_id: r.status for r in result.rows}
    assert statuses == {1: Status.EXPECTED, 2: Status.ABSENT, 3: Status.EXPECTED}
    assert result.rows[1].absence_reason == "illness"


def test_checked_in_child_is_present_even_if_reported_absent() -> None:
    result = day_list(
        DAY, [Placed(1, None)], [ReportedAbsence(1, DAY, DAY, "illness")], [Visit(1, AT, None)]
    )
    assert result.rows[0].status == Status.PRESENT
    assert result.rows[0].absence_reason == "illness"


def test_roll_call_lists_only_children_in_the_building() -> None:
    result = day_list(
        DAY,
        [Placed(1, None), Placed(2, None), Placed(3, None)],
        [],
        [Visit(1, AT, None), Visit(2, AT, AT + dt.timedelta(hours=7))],
    )
    assert [r.child_id for r in result.in_building] == [1]
    assert result.count(Status.LEFT) == 1
    assert result.count(Status.EXPECTED) == 1


def test_nobody_is_expected_on_a_closed_day() -> None:
    result = day_list(DAY, [Placed(1, None)], [], [], open_today=False)
    assert result.rows == ()


def test_weekdays_skip_weekends_and_given_days() -> None:
    monday = dt.date(2027, 6, 21)
    assert weekdays(monday, monday + dt.timedelta(days=13)) == 10
    assert weekdays(monday, monday + dt.timedelta(days=4), [monday]) == 4


def test_summer_holiday_after_the_deadline_is_refused() -> None:
    problems = check_registration(
        RULE,
        first=dt.date(2027, 7, 5),
        last=dt.date(2027, 7, 23),
        registered_on=dt.date(2027, 4, 2),
        school_starter=False,
    )
    assert [p.code for p in problems] == ["after_deadline"]


def test_summer_holiday_on_the_deadline_is_accepted() -> None:
    problems = check_registration(
        RULE,
        first=dt.date(2027, 7, 5),
        last=dt.date(2027, 7, 23),
        registered_on=dt.date(2027, 4, 1),
        school_starter=False,
    )
    assert problems == []


def test_autumn_holiday_has_no_deadline() -> None:
    problems = check_registration(
        RULE,
        first=dt.date(2026, 10, 5),
        last=dt.date(2026, 10, 9),
        registered_on=dt.date(2026, 9, 30),
        school_starter=False,
    )
    assert problems == []


def test_school_starter_must_finish_holiday_by_the_cut_off() -> None:
    problems = check_registration(
        RULE,
        first=dt.date(2027, 7, 26),
        last=dt.date(2027, 8, 6),
        registered_on=dt.date(2027, 3, 1),
        school_starter=True,
    )
    assert [p.code for p in problems] == ["school_starter_cutoff"]
    ok = check_registration(
        RULE,
        first=dt.date(2027, 7, 12),
        last=dt.date(2027, 7, 30),
        registered_on=dt.date(2027, 3, 1),
        school_starter=True,
    )
    assert ok == []


def test_year_check_counts_total_and_consecutive_weeks() -> None:
    summer = (dt.date(2027, 7, 5), dt.date(2027, 7, 23))  # 3 weeks in the window
    autumn = (dt.date(2026, 10, 5), dt.date(2026, 10, 9))  # 1 week
    assert check_year(RULE, periods=[summer, autumn], summer_year=2027) == []
    codes = [p.code for p in check_year(RULE, periods=[summer], summer_year=2027)]
    assert codes == ["too_few_weeks"]


def test_back_to_back_periods_make_one_consecutive_run() -> None:
    periods = [
        (dt.date(2027, 7, 5), dt.date(2027, 7, 9)),
        (dt.date(2027, 7, 12), dt.date(2027, 7, 23)),
        (dt.date(2026, 12, 21), dt.date(2026, 12, 24)),
        (dt.date(2027, 2, 22), dt.date(2027, 2, 22)),
    ]
    assert check_year(RULE, periods=periods, summer_year=2027) == []


def test_planning_days_count_only_when_the_rule_says_so() -> None:
    week = (dt.date(2027, 6, 21), dt.date(2027, 7, 9))  # 15 weekdays
    planning = [dt.date(2027, 6, 21)]
    codes = [
        p.code for p in check_year(RULE, periods=[week], summer_year=2027, planning_days=planning)
    ]
    assert "too_short_consecutive" in codes
    generous = HolidayRule(**{**RULE.__dict__, "planning_days_count": True})
    codes = [
        p.code
        for p in check_year(generous, periods=[week], summer_year=2027, planning_days=planning)
    ]
    assert "too_short_consecutive" not in codes
