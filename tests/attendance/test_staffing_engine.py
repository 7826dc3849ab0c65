"""The staffing norm engine with worked examples (domain/norway.md §1.7, operations.md §1.7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oppvekst.attendance.engine.staffing import (
    NormChild,
    NormStaff,
    children_per_adult,
    counts_as_over_3,
    formal_norms,
    format_2,
    hours_factor,
)

DAY = date(2026, 12, 15)


def kid(birth: date, hours: int | str = 41, shared: str | None = None, i: int = 0) -> NormChild:
    return NormChild(str(i), birth, Decimal(hours), shared)


def adult(fte: str = "1", leader: bool = False, basic: bool = True, i: int = 0) -> NormStaff:
    return NormStaff(f"s{i}", Decimal(fte), leader, basic)


def test_child_counts_as_under_3_on_31_july_of_the_year_it_turns_3() -> None:
    assert not counts_as_over_3(date(2024, 1, 15), date(2027, 7, 31))


def test_child_counts_as_over_3_from_1_august_of_the_year_it_turns_3() -> None:
    assert counts_as_over_3(date(2024, 1, 15), date(2027, 8, 1))


def test_child_born_in_november_counts_as_over_3_from_august_before_its_birthday() -> None:
    assert counts_as_over_3(date(2024, 11, 30), date(2027, 8, 1))
    assert not counts_as_over_3(date(2024, 11, 30), date(2027, 7, 31))


@pytest.mark.parametrize(
    ("hours", "factor"),
    [
        ("0", 6),
        ("8", 6),
        ("8.5", 13),
        ("16", 13),
        ("16.1", 21),
        ("24", 21),
        ("24.5", 29),
        ("32", 29),
        ("32.5", 37),
        ("40", 37),
        ("40.5", 45),
        ("41", 45),
        ("60", 45),
    ],
)
def test_hours_factor_at_each_bucket_boundary(hours: str, factor: int) -> None:
    assert hours_factor(Decimal(hours)) == factor


def test_contract_example() -> None:
    result = formal_norms(DAY, [kid(date(2024, 3, 1))], [adult(leader=True)])
    assert result.as_json() == {
        "under_3": 1,
        "over_3": 0,
        "children_corrected": "2.00",
        "fte_basic": "1.00",
        "corrected_per_fte": "2.00",
        "staffing_norm_met": True,
        "pedagogues_required": 1,
        "pedagogues_whole_fte": 1,
        "pedagogue_norm_met": True,
    }


def test_weight_is_age_times_hours_factor_over_45() -> None:
    # under 3, 20 hours: 2 × 21 / 45 = 0.9333…; over 3, 33 hours: 37 / 45 = 0.8222…
    children = [kid(date(2025, 1, 1), 20, i=1), kid(date(2021, 5, 1), 33, i=2)]
    result = formal_norms(DAY, children, [adult()])
    assert result.children_corrected == Fraction(2 * 21 + 37, 45)
    assert result.as_json()["children_corrected"] == "1.76"


def test_staffing_norm_met_at_exactly_six_corrected_children_per_fte() -> None:
    children = [kid(date(2021, 1, 1), 45, i=i) for i in range(6)]
    result = formal_norms(DAY, children, [adult()])
    assert result.as_json()["corrected_per_fte"] == "6.00"
    assert result.staffing_norm_met


def test_staffing_norm_not_met_just_above_six() -> None:
    children = [kid(date(2021, 1, 1), 45, i=i) for i in range(6)] + [kid(date(2021, 1, 1), 4, i=9)]
    result = formal_norms(DAY, children, [adult()])
    assert result.corrected_per_fte == 6 + Fraction(6, 45)
    assert not result.staffing_norm_met


def test_zero_basic_staff_gives_no_ratio_and_the_norm_is_not_met() -> None:
    result = formal_norms(DAY, [kid(date(2022, 1, 1))], [adult(basic=False, leader=True)])
    assert result.as_json()["corrected_per_fte"] is None
    assert result.as_json()["fte_basic"] == "0.00"
    assert not result.staffing_norm_met


def test_no_staff_at_all() -> None:
    result = formal_norms(DAY, [], [])
    assert result.as_json()["corrected_per_fte"] is None
    assert not result.staffing_norm_met
    assert result.pedagogues_required == 0
    assert result.pedagogue_norm_met


def test_pedagogue_norm_counts_children_regardless_of_hours() -> None:
    # 7 under 3 at 5 hours each still need one pedagogue; the eighth triggers a second.
    seven = [kid(date(2025, 2, 1), 5, i=i) for i in range(7)]
    assert formal_norms(DAY, seven, []).pedagogues_required == 1
    eight = [*seven, kid(date(2025, 2, 1), 5, i=8)]
    assert formal_norms(DAY, eight, []).pedagogues_required == 2


def test_pedagogue_norm_mixes_under_and_over_3() -> None:
    # 7/7 + 14/14 = 2 exactly; one more over 3 makes 2 + 1/14 -> 3
    children = [kid(date(2025, 2, 1), i=i) for i in range(7)]
    children += [kid(date(2021, 2, 1), i=100 + i) for i in range(14)]
    assert formal_norms(DAY, children, []).pedagogues_required == 2
    children.append(kid(date(2021, 2, 1), i=999))
    assert formal_norms(DAY, children, []).pedagogues_required == 3


def test_only_whole_pedagogue_ftes_count() -> None:
    staff = [adult("0.8", leader=True, i=1), adult("0.8", leader=True, i=2)]
    children = [kid(date(2025, 2, 1), i=i) for i in range(8)]  # needs 2
    result = formal_norms(DAY, children, staff)
    assert result.pedagogues_whole_fte == 1
    assert not result.pedagogue_norm_met


def test_pedagogical_leader_outside_basic_staffing_still_counts_for_pedagogue_norm() -> None:
    result = formal_norms(DAY, [kid(date(2025, 2, 1))], [adult(leader=True, basic=False)])
    assert result.pedagogues_whole_fte == 1
    assert result.fte_basic == 0


def test_shared_place_counts_as_one_child_in_the_pedagogue_norm() -> None:
    children = [kid(date(2021, 1, 1), 20, "p1", i=i) for i in range(2)]
    children += [kid(date(2021, 1, 1), i=10 + i) for i in range(13)]
    result = formal_norms(DAY, children, [])
    assert result.over_3 == 14
    assert result.pedagogues_required == 1


def test_shared_place_with_a_child_under_3_counts_as_under_3() -> None:
    children = [kid(date(2021, 1, 1), 20, "p", i=1), kid(date(2025, 1, 1), 20, "p", i=2)]
    result = formal_norms(DAY, children, [])
    assert (result.under_3, result.over_3) == (1, 0)
    # The staffing norm weighs each sharer by its own hours: 21/45 + 2 × 21/45.
    assert result.children_corrected == Fraction(63, 45)


def test_rounding_is_half_up_on_exact_values() -> None:
    assert format_2(Fraction(1, 200)) == "0.01"
    assert format_2(Fraction(1, 8)) == "0.13"
    assert format_2(Fraction(2, 3)) == "0.67"


def test_live_figure_has_no_value_without_adults() -> None:
    assert children_per_adult(5, 0) is None
    assert children_per_adult(9, 2) == Fraction(9, 2)


@given(
    st.lists(st.tuples(st.integers(2019, 2026), st.integers(0, 60)), min_size=0, max_size=30),
    st.lists(st.tuples(st.integers(0, 100), st.booleans()), min_size=0, max_size=8),
)
def test_more_staff_never_makes_a_met_norm_unmet(
    kids: list[tuple[int, int]], staff: list[tuple[int, bool]]
) -> None:
    children = [kid(date(y, 6, 1), h, i=i) for i, (y, h) in enumerate(kids)]
    adults = [adult(str(Decimal(p) / 100), leader=ld, i=i) for i, (p, ld) in enumerate(staff)]
    before = formal_norms(DAY, children, adults)
    after = formal_norms(DAY, children, [*adults, adult("1", leader=True, i=99)])
    assert after.staffing_norm_met or not before.staffing_norm_met
    assert after.pedagogue_norm_met or not before.pedagogue_norm_met
    assert before.under_3 + before.over_3 == len(children)


@given(
    st.dates(date(2015, 1, 1), date(2030, 12, 31)), st.dates(date(2018, 1, 1), date(2031, 12, 31))
)
def test_birth_year_threshold_agrees_with_the_august_rule(birth: date, on: date) -> None:
    from oppvekst.attendance.engine.staffing import last_birth_year_over_3

    assert (birth.year <= last_birth_year_over_3(on)) == counts_as_over_3(birth, on)
