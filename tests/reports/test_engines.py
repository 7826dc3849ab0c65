"""GSI and BASIL against hand-computed fixtures (norway.md §1.7, §1.8, §4.5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from oppvekst.attendance.engine.staffing import NormChild, NormStaff
from oppvekst.reports.engine import basil, gsi


def test_gsi_counts_girls_and_boys_by_grade_and_shares_teacher_fte_by_stage() -> None:
    school = gsi.School(
        unit_id=1,
        name="Prøve skole",
        first_grade=1,
        last_grade=7,
        pupils=[
            gsi.Pupil(1, 1, "female", sfo=True),
            gsi.Pupil(2, 1, "male"),
            gsi.Pupil(3, 1, "male", sfo=True),
            gsi.Pupil(4, 5, "female"),
            gsi.Pupil(5, 6, None),  # no sex in the register: a pupil, and on the check list
        ],
        teachers=[
            gsi.Teacher(10, Decimal("1.0"), grades=(1,)),  # all on 1-4
            gsi.Teacher(11, Decimal("0.5"), grades=(1, 5)),  # 0.25 on 1-4, 0.25 on 5-7
            gsi.Teacher(12, Decimal("0.2")),  # no class: shared 3/5 and 2/5 by pupils
        ],
    )
    report = gsi.school_report(school)
    figures = report.figures
    assert figures["pupils"] == 5
    assert figures["pupils_by_grade"]["1"] == {"girls": 1, "boys": 2}
    assert figures["pupils_by_grade"]["5"] == {"girls": 1, "boys": 0}
    assert figures["pupils_by_grade"]["6"] == {"girls": 0, "boys": 0}
    assert set(figures["pupils_by_grade"]) == {"1", "2", "3", "4", "5", "6", "7"}
    assert figures["teacher_fte"] == "1.70"
    # 1-4: 3 pupils / (1 + 0.25 + 0.12) = 2.19; 5-7: 2 / (0.25 + 0.08) = 6.06
    assert figures["group_size_2"] == {"1-4": "2.19", "5-7": "6.06", "8-10": None}
    assert figures["sfo_pupils"] == 2
    assert [p.code for p in report.problems] == ["pupil_without_sex"]


def test_gsi_flags_a_stage_above_the_teacher_norm() -> None:
    pupils = [gsi.Pupil(i, 2, "female") for i in range(16)]
    school = gsi.School(1, "Liten", 1, 4, pupils, [gsi.Teacher(1, Decimal("1"), (2,))])
    report = gsi.school_report(school)
    assert report.figures["group_size_2"]["1-4"] == "16.00"
    assert "teacher_norm_1-4" in [p.code for p in report.problems]


def test_basil_uses_the_august_rule_and_the_staffing_engine() -> None:
    day = dt.date(2026, 12, 15)
    children = [
        NormChild("a", dt.date(2024, 1, 10), Decimal(45)),  # turns 3 in 2027: under 3
        NormChild("b", dt.date(2023, 11, 30), Decimal(45)),  # over 3 since 1 Aug 2026
        NormChild("c", dt.date(2022, 5, 5), Decimal(20)),  # over 3, 20 h: factor 21/45
    ]
    staff = [
        NormStaff("p", Decimal("1.0"), pedagogical_leader=True, basic_staffing=True),
        NormStaff("s", Decimal("0.5"), pedagogical_leader=False, basic_staffing=True),
        NormStaff("h", Decimal("1.0"), pedagogical_leader=False, basic_staffing=False),
    ]
    figures, problems = basil.kindergarten_report(
        basil.Kindergarten(7, "Prøve barnehage", "municipal", children, staff), day
    )
    assert figures["children"] == 3
    assert (figures["under_3"], figures["over_3"]) == (1, 2)
    # 2 + 1 + 21/45 = 3.47
    assert figures["children_corrected"] == "3.47"
    assert figures["fte_basic"] == "1.50"
    # ⌈1/7 + 2/14⌉ = 1
    assert figures["pedagogues_required"] == 1
    assert problems == []
