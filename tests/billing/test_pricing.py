"""The pure parent-fee engine against the rules and worked examples of norway.md §§ 2-3."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oppvekst.billing.engine.money import div_half_up, exact_ore, format_nok, from_ore, to_ore
from oppvekst.billing.engine.pricing import (
    Child,
    ChildQuote,
    Household,
    MissingRuleError,
    Quote,
    YearMonth,
    default_rules,
    quote,
)
from oppvekst.billing.engine.rules import (
    ZONES,
    RuleBook,
    RulesError,
    default_rules_data,
)


def kg(
    id: str = "a",
    born: date = date(2021, 5, 2),
    percent: int | str = 100,
    hours: int | str = 45,
    **extra: Any,
) -> Child:
    return Child.create(
        id=id,
        birth_date=born,
        service="kindergarten",
        weekly_hours=hours,
        place_percent=percent,
        **extra,
    )


def sfo(
    id: str = "s", grade: int = 1, price: int | str = 3000, hours: int | str = 20, **extra: Any
) -> Child:
    return Child.create(
        id=id,
        birth_date=date(2018, 4, 1),
        service="sfo",
        weekly_hours=hours,
        grade=grade,
        list_price_nok=price,
        **extra,
    )


def run(
    month: str,
    *children: Child,
    zone: str = "standard",
    income: int | None = None,
    granted: bool = False,
    core: bool = False,
    rules: RuleBook | None = None,
) -> Quote:
    household = Household(
        zone=zone,
        children=children,
        income_ore=None if income is None else income * 100,
        reduced_fee_granted=granted,
        free_core_hours_granted=core,
    )
    return quote(household, YearMonth.parse(month), rules or default_rules())


def fee(result: Quote, child_id: str = "a") -> str:
    return format_nok(_child(result, child_id).fee_ore)


def rules_of(result: Quote, child_id: str = "a") -> list[str]:
    return [line.rule.id for line in _child(result, child_id).lines]


def _child(result: Quote, child_id: str) -> ChildQuote:
    return next(child for child in result.children if child.child_id == child_id)


# -- worked examples (norway.md § 2.3, Tusenbein bhg, 1 Aug 2025) -------------------------------


def test_one_child_pays_1200_from_august_2025() -> None:
    result = run("2025-09", kg())
    assert format_nok(result.total_ore) == "1200.00"
    assert rules_of(result) == ["kg.max_price.standard.2025-08"]


def test_two_children_pay_2040_from_august_2025() -> None:
    result = run("2025-09", kg("a", date(2021, 1, 1)), kg("b", date(2022, 1, 1)))
    assert format_nok(result.total_ore) == "2040.00"
    assert fee(result, "b") == "840.00"


def test_three_children_pay_2040_from_august_2025() -> None:
    result = run(
        "2025-09", kg("a", date(2020, 3, 1)), kg("b", date(2021, 3, 1)), kg("c", date(2023, 3, 1))
    )
    assert format_nok(result.total_ore) == "2040.00"
    assert [fee(result, c) for c in "abc"] == ["1200.00", "840.00", "0.00"]


# -- maximum price by period (§ 2.2) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2021-12", "3230.00"),
        ("2022-01", "3315.00"),
        ("2022-06", "3315.00"),
        ("2022-08", "3050.00"),
        ("2023-06", "3050.00"),
        ("2023-08", "3000.00"),
        ("2024-06", "3000.00"),
        ("2024-08", "2000.00"),
        ("2025-06", "2000.00"),
        ("2025-08", "1200.00"),
    ],
)
def test_maximum_price_changes_on_its_dates(month: str, expected: str) -> None:
    assert fee(run(month, kg(born=date(2023, 1, 1)))) == expected


def test_july_is_not_billed() -> None:
    result = run("2025-07", kg(), sfo())
    assert result.total_ore == 0
    assert rules_of(result) == ["billing.kindergarten"]
    assert rules_of(result, "s") == ["billing.sfo"]


def test_billing_months_are_configurable() -> None:
    data = default_rules_data()
    for row in data["tables"]["billing_months"]:
        row["unbilled_months"] = []
    twelve = RuleBook.from_mapping(data)
    # The annual cap stays 11 monthly caps, spread over 12 billed months.
    assert fee(run("2025-07", kg(), rules=twelve)) == "1833.33"  # 2 000 * 11 / 12
    assert fee(run("2025-09", kg(), rules=twelve)) == "1100.00"  # 1 200 * 11 / 12


# -- zones (§ 2.2) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "month", "expected"),
    [
        ("sentralitet_5_6", "2024-06", "3000.00"),
        ("sentralitet_5_6", "2024-08", "1500.00"),
        ("sentralitet_5_6", "2025-09", "700.00"),
        ("tiltakssone", "2023-06", "3050.00"),
        ("tiltakssone", "2023-08", "0.00"),
        ("tiltakssone", "2026-06", "0.00"),
    ],
)
def test_zone_has_its_own_maximum_price(zone: str, month: str, expected: str) -> None:
    assert fee(run(month, kg(born=date(2023, 1, 1)), zone=zone)) == expected


def test_unconfirmed_rates_are_flagged_on_the_quote() -> None:
    assert run("2025-09", kg()).children[0].confirmed
    assert not run("2025-09", kg(), zone="sentralitet_5_6").children[0].confirmed
    assert not run("2026-09", kg()).children[0].confirmed


# -- part-time places (§ 2) ---------------------------------------------------------------------


def test_part_time_place_pays_its_share() -> None:
    result = run("2025-09", kg(percent=60, hours=25))
    assert fee(result) == "720.00"
    assert [format_nok(line.amount_ore) for line in result.children[0].lines] == [
        "1200.00",
        "-480.00",
    ]
    assert rules_of(result)[1] == "kg.part_time.proportional"


def test_part_time_share_with_decimals_rounds_half_up() -> None:
    assert fee(run("2025-09", kg(percent="33.33", hours=15))) == "399.96"


# -- income cap (§ 3; norway.md § 2.4) ---------------------------------------------------------


def test_income_cap_limits_a_full_place_to_6_percent_over_11_months() -> None:
    result = run("2025-09", kg(born=date(2024, 3, 1)), income=200_000, granted=True)
    assert fee(result) == "1090.91"  # 200 000 * 0.06 / 11
    assert rules_of(result)[-1] == "kg.income_cap.2022-08"


def test_income_at_the_threshold_pays_the_maximum_price() -> None:
    # threshold = 1 200 * 11 / 0.06 = 220 000 (norway.md § 2.4)
    assert fee(run("2025-09", kg(born=date(2024, 1, 1)), income=220_000, granted=True)) == "1200.00"
    assert fee(run("2025-09", kg(born=date(2024, 1, 1)), income=219_999, granted=True)) == "1199.99"


def test_income_cap_needs_a_granted_reduction() -> None:
    assert fee(run("2025-09", kg(born=date(2024, 1, 1)), income=100_000)) == "1200.00"


def test_income_cap_follows_the_maximum_price_of_the_month() -> None:
    assert fee(run("2024-09", kg(born=date(2024, 1, 1)), income=300_000, granted=True)) == "1636.36"


def test_income_cap_on_a_part_time_place_is_proportional() -> None:
    result = run("2025-09", kg(born=date(2024, 1, 1), percent=50), income=200_000, granted=True)
    assert fee(result) == "545.45"


# -- free core hours (§ 3; norway.md § 2.5) ----------------------------------------------------


def test_free_core_hours_take_20_of_the_weekly_hours() -> None:
    result = run("2025-09", kg(hours=45), income=450_000, core=True)
    assert fee(result) == "666.67"  # 1 200 * 25 / 45
    assert rules_of(result)[-1] == "kg.core_hours.2025-08"


def test_child_using_only_the_free_core_hours_pays_nothing() -> None:
    assert fee(run("2025-09", kg(percent=50, hours=20), income=450_000, core=True)) == "0.00"


def test_free_core_hours_on_a_part_time_place() -> None:
    assert fee(run("2025-09", kg(percent=75, hours=30), income=450_000, core=True)) == "300.00"


def test_free_core_hours_need_the_grant_and_income_below_the_threshold() -> None:
    assert fee(run("2025-09", kg(), income=450_000)) == "1200.00"
    # The income-based reduction is a grant of its own and does not give free core hours.
    assert fee(run("2025-09", kg(), income=450_000, granted=True)) == "1200.00"
    assert fee(run("2025-09", kg(), income=700_000, core=True)) == "1200.00"


def test_free_core_hours_threshold_is_dated() -> None:
    # 600 000 is above the Aug 2022 threshold (598 825) and below Aug 2024's (642 700).
    assert fee(run("2022-09", kg(born=date(2019, 1, 1)), income=600_000, core=True)) == "3050.00"
    assert fee(run("2024-09", kg(), income=600_000, core=True)) == "1111.11"


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(2024, 1, 1), "1200.00"),  # turns 2 in 2026: not yet in kindergarten year 2025/26
        (date(2023, 12, 31), "666.67"),  # turns 2 in 2025: counts as 2 from 1 Aug 2025
        (date(2020, 1, 1), "666.67"),  # turns 5 in 2025: last year before school
        (date(2019, 12, 31), "1200.00"),  # turns 6 in 2025: school age
    ],
)
def test_free_core_hours_age_counts_from_august_of_the_year(born: date, expected: str) -> None:
    assert fee(run("2025-09", kg(born=born), income=450_000, core=True)) == expected


def test_free_core_hours_age_changes_in_august_not_january() -> None:
    child = kg(born=date(2024, 1, 1))
    assert fee(run("2026-06", child, income=450_000, core=True)) == "1200.00"
    assert fee(run("2026-08", child, income=450_000, core=True)) == "666.67"


def test_delayed_school_start_keeps_free_core_hours() -> None:
    child = kg(born=date(2019, 6, 1), delayed_school_start=True)
    assert fee(run("2025-09", child, income=450_000, core=True)) == "666.67"


def test_free_core_hours_apply_to_the_income_graded_price() -> None:
    # Hægebostad [B]: the income-graded price first, then core time: 1 636.36 * 25 / 45.
    result = run("2024-09", kg(), income=300_000, granted=True, core=True)
    assert fee(result) == "909.09"
    assert rules_of(result) == [
        "kg.max_price.standard.2024-08",
        "kg.income_cap.2022-08",
        "kg.core_hours.2024-08",
    ]


def test_free_core_hours_without_the_income_reduction() -> None:
    # Core hours alone: no 6 % cap first (200 000 would cap at 1 090.91), then 25 of 45 h paid.
    result = run("2025-09", kg(), income=200_000, core=True)
    assert fee(result) == "666.67"
    assert rules_of(result) == ["kg.max_price.standard.2025-08", "kg.core_hours.2025-08"]


def test_free_core_hours_grant_needs_the_income() -> None:
    with pytest.raises(ValueError, match="income"):
        Household(zone="standard", children=(kg(),), free_core_hours_granted=True)


# -- sibling discount (§ 3; norway.md § 2.3) ---------------------------------------------------


def test_third_child_pays_half_before_august_2023() -> None:
    children = (kg("a", date(2018, 1, 1)), kg("b", date(2019, 1, 1)), kg("c", date(2020, 1, 1)))
    result = run("2023-06", *children)
    assert [fee(result, c) for c in "abc"] == ["3050.00", "2135.00", "1525.00"]
    assert format_nok(run("2023-08", *children).total_ore) == "5100.00"  # 3 000 + 2 100 + 0


def test_sibling_with_the_highest_fee_pays_full_price() -> None:
    result = run("2025-09", kg("old", date(2021, 1, 1), percent=50), kg("young", date(2023, 1, 1)))
    assert fee(result, "young") == "1200.00"
    assert fee(result, "old") == "420.00"  # 600 less 30 %
    assert rules_of(result, "old")[-1] == "kg.sibling.2023-08"


def test_sibling_tie_goes_to_the_oldest_child() -> None:
    result = run("2025-09", kg("young", date(2023, 1, 1)), kg("old", date(2021, 1, 1)))
    assert fee(result, "old") == "1200.00"
    assert fee(result, "young") == "840.00"


def test_sibling_twins_follow_input_order() -> None:
    result = run("2025-09", kg("first", date(2022, 3, 3)), kg("second", date(2022, 3, 3)))
    assert fee(result, "first") == "1200.00"
    assert fee(result, "second") == "840.00"


def test_sfo_children_are_not_part_of_the_sibling_group() -> None:
    result = run("2025-09", kg("a"), sfo("s", grade=4))
    assert fee(result, "a") == "1200.00"
    assert fee(result, "s") == "3000.00"


def test_sibling_discount_comes_after_income_and_core_hours() -> None:
    result = run(
        "2025-09",
        kg("a", date(2021, 1, 1), hours=45),
        kg("b", date(2022, 1, 1), percent=100, hours=30),
        income=200_000,
        granted=True,
        core=True,
    )
    # a: 1 090.91 * 25/45 = 606.06 (full price); b: 1 090.91 * 10/30 = 363.64, less 30 %.
    assert fee(result, "a") == "606.06"
    assert fee(result, "b") == "254.55"
    assert format_nok(result.total_ore) == "860.61"


def test_municipality_can_give_a_larger_sibling_discount() -> None:
    data = default_rules_data()
    data["tables"]["kindergarten_sibling_discount"][-1]["second_child_percent"] = "50"
    result = run("2025-09", kg("a", date(2021, 1, 1)), kg("b"), rules=RuleBook.from_mapping(data))
    assert fee(result, "b") == "600.00"


# -- food money (§ 1; norway.md § 2.6) ---------------------------------------------------------


def test_food_money_is_a_separate_line_untouched_by_discounts() -> None:
    children = (
        kg("a", date(2020, 3, 1), food_nok=489),
        kg("b", date(2021, 3, 1), food_nok=489),
        kg("c", date(2023, 3, 1), food_nok=489),
    )
    result = run("2025-09", *children)
    assert format_nok(result.total_ore) == "2040.00"
    assert format_nok(result.food_total_ore) == "1467.00"
    food_lines = [line for line in _child(result, "c").lines if line.rule.is_food]
    assert [format_nok(line.amount_ore) for line in food_lines] == ["489.00"]
    assert fee(result, "c") == "0.00"


def test_food_money_is_charged_in_the_free_tiltakssone() -> None:
    result = run("2025-09", kg(food_nok=400), zone="tiltakssone")
    assert result.total_ore == 0
    assert format_nok(result.food_total_ore) == "400.00"


# -- SFO (norway.md § 3) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "before", "after"),
    [(1, "2022-06", "2022-08"), (2, "2023-06", "2023-08"), (3, "2024-06", "2024-08")],
)
def test_sfo_free_hours_start_for_each_grade_on_its_date(
    grade: int, before: str, after: str
) -> None:
    assert fee(run(before, sfo("s", grade=grade, hours=20)), "s") == "3000.00"
    result = run(after, sfo("s", grade=grade, hours=20))
    assert fee(result, "s") == "1200.00"  # 3 000 * (20 - 12) / 20
    assert rules_of(result, "s")[-1] == f"sfo.free_hours.grade{grade}"


def test_sfo_fourth_grade_has_no_free_hours() -> None:
    assert fee(run("2025-09", sfo("s", grade=4, hours=20)), "s") == "3000.00"


def test_sfo_place_within_12_hours_is_free() -> None:
    assert fee(run("2025-09", sfo("s", grade=1, price=1800, hours=12)), "s") == "0.00"


def test_sfo_income_cap_bounds_what_is_left_after_the_free_hours() -> None:
    result = run("2025-09", sfo("s", grade=1, hours=20), income=150_000, granted=True)
    # 3 000 * 8 / 20 = 1 200 after the free hours; 150 000 * 0.06 / 11 = 818.18 is below it.
    assert fee(result, "s") == "818.18"
    assert rules_of(result, "s") == [
        "sfo.list_price",
        "sfo.free_hours.grade1",
        "sfo.income_cap.grades1_2",
    ]


def test_sfo_6_percent_grant_never_lowers_a_bill_already_below_6_percent() -> None:
    # Income 450 000: 6 % a month is 2 454.55, above the 1 200.00 left after the free hours
    # (norway.md § 3: the rule is a ceiling), so the grant changes nothing.
    without = run("2025-09", sfo("s", grade=2, hours=20), income=450_000)
    granted = run("2025-09", sfo("s", grade=2, hours=20), income=450_000, granted=True)
    assert fee(without, "s") == fee(granted, "s") == "1200.00"
    assert "sfo.income_cap.grades1_2" not in rules_of(granted, "s")


def test_sfo_income_cap_applies_after_free_hours_below_the_cap() -> None:
    result = run("2025-09", sfo("s", grade=1, hours=20), income=300_000, granted=True)
    # 1 200 after the free hours is below 300 000 * 0.06 / 11 = 1 636.36.
    assert fee(result, "s") == "1200.00"


@pytest.mark.parametrize(
    ("grade", "month", "expected"),
    [
        (1, "2020-06", "3000.00"),
        (1, "2020-08", "1636.36"),
        (3, "2021-06", "3000.00"),
        (3, "2021-08", "1636.36"),
        (4, "2025-09", "1636.36"),
    ],
)
def test_sfo_6_percent_rule_by_grade_and_date(grade: int, month: str, expected: str) -> None:
    # None of these grade/month pairs has free hours yet (or at all, 4th grade).
    result = run(month, sfo("s", grade=grade, hours=30), income=300_000, granted=True)
    assert fee(result, "s") == expected


def test_sfo_6_percent_rule_needs_a_grant() -> None:
    assert fee(run("2025-09", sfo("s", grade=4), income=100_000), "s") == "3000.00"


def test_sfo_for_special_needs_in_grades_5_to_7_is_free_from_august_2020() -> None:
    assert fee(run("2020-06", sfo("s", grade=6)), "s") == "3000.00"
    result = run("2020-09", sfo("s", grade=6))
    assert fee(result, "s") == "0.00"
    assert rules_of(result, "s") == ["sfo.list_price", "sfo.special_needs_free.grades5_7"]


# -- rounding and money helpers -----------------------------------------------------------------


def test_each_step_rounds_half_up_to_the_ore() -> None:
    # 3 001.01 * 12 / 24 = 1 500.505: half-up gives 1 500.51 (banker's rounding would give .50).
    assert fee(run("2025-09", sfo("s", grade=1, price="3001.01", hours=24)), "s") == "1500.51"


def test_money_helpers_round_half_up_and_format_two_decimals() -> None:
    assert div_half_up(5, 2) == 3
    assert div_half_up(-5, 2) == -3
    assert to_ore("0.005") == 1
    assert to_ore(Decimal("-0.005")) == -1
    assert exact_ore("1200.5") == 120050
    with pytest.raises(ValueError, match="two decimals"):
        exact_ore("0.001")
    with pytest.raises(TypeError):
        to_ore(1.5)  # type: ignore[arg-type]
    assert from_ore(120000) == Decimal("1200.00")
    assert format_nok(-5) == "-0.05"
    assert format_nok(120000) == "1200.00"


# -- rule tables --------------------------------------------------------------------------------


def test_every_rule_row_has_a_source_and_an_honest_confirmed_flag() -> None:
    for name, rows in default_rules_data()["tables"].items():
        for row in rows:
            assert row["source"].strip(), row["id"]
            assert row["confirmed"] == (row["confidence"] != "?"), (name, row["id"])


def test_domain_file_question_marks_are_unconfirmed_rows() -> None:
    rows = {
        ref.id: ref
        for table in ("kindergarten_max_price", "kindergarten_free_core_hours")
        for ref in default_rules().rows(table)
    }
    for rule_id in (
        "kg.max_price.2023-01",
        "kg.max_price.standard.2026-01",
        "kg.max_price.sentralitet_5_6.2025-08",
        "kg.max_price.tiltakssone.2026-08",
        "kg.core_hours.2023-08",
        "kg.core_hours.2025-08",
    ):
        assert not rows[rule_id].confirmed, rule_id
    assert rows["kg.max_price.standard.2025-08"].confirmed


def _with_row(table: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(default_rules_data())
    row = dict(data["tables"][table][-1], id="test.row", **changes)
    data["tables"][table].append(row)
    return data


def test_overlapping_rule_rows_are_rejected() -> None:
    with pytest.raises(RulesError, match="overlap"):
        RuleBook.from_mapping(_with_row("kindergarten_max_price", valid_from="2030-01-01"))


def test_rule_row_must_start_on_the_first_of_a_month() -> None:
    with pytest.raises(RulesError, match="first day"):
        RuleBook.from_mapping(_with_row("kindergarten_max_price", valid_from="2030-01-15"))


def test_confirmed_flag_must_match_the_confidence_mark() -> None:
    data = default_rules_data()
    data["tables"]["kindergarten_max_price"][0]["confirmed"] = False
    with pytest.raises(RulesError, match="confirmed"):
        RuleBook.from_mapping(data)


def test_month_without_rules_is_an_error() -> None:
    with pytest.raises(MissingRuleError, match="2003-09"):
        run("2003-09", kg(born=date(2000, 1, 1)))


def test_household_validates_itself() -> None:
    with pytest.raises(ValueError, match="income"):
        Household(zone="standard", children=(kg(),), reduced_fee_granted=True)
    with pytest.raises(ValueError, match="unique"):
        Household(zone="standard", children=(kg("a"), kg("a")))
    with pytest.raises(ValueError, match="zone"):
        Household(zone="oslo", children=())
    with pytest.raises(ValueError, match="grade"):
        sfo(grade=8)


# -- properties ---------------------------------------------------------------------------------

kindergarten_children = st.lists(
    st.builds(
        lambda born, percent, hours, delayed: (born, percent, hours, delayed),
        st.dates(date(2016, 1, 1), date(2025, 12, 31)),
        st.integers(1, 100),
        st.integers(100, 5500),  # hundredths of an hour: 1 h to 55 h
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    start_year=st.integers(2022, 2025),
    zone=st.sampled_from(ZONES),
    specs=kindergarten_children,
    income=st.none() | st.integers(0, 200_000_000),
    granted=st.booleans(),
    core=st.booleans(),
)
def test_a_kindergarten_year_never_costs_more_than_11_maximum_prices(
    start_year: int,
    zone: str,
    specs: list[tuple[date, int, int, bool]],
    income: int | None,
    granted: bool,
    core: bool,
) -> None:
    children = tuple(
        Child(
            id=f"c{i}",
            birth_date=born,
            service="kindergarten",
            weekly_hours_x100=hours,
            place_share_bp=percent * 100,
            delayed_school_start=delayed,
        )
        for i, (born, percent, hours, delayed) in enumerate(specs)
    )
    household = Household(
        zone=zone,
        children=children,
        income_ore=income,
        reduced_fee_granted=granted and income is not None,
        free_core_hours_granted=core and income is not None,
    )
    rules = default_rules()
    months = [YearMonth(start_year, m) for m in range(8, 13)]
    months += [YearMonth(start_year + 1, m) for m in range(1, 8)]
    paid = dict.fromkeys((c.id for c in children), 0)
    for month in months:
        result = quote(household, month, rules)
        for child_quote in result.children:
            assert child_quote.fee_ore >= 0
            assert sum(line.amount_ore for line in child_quote.lines) == child_quote.fee_ore
            paid[child_quote.child_id] += child_quote.fee_ore
    max_line = rules.month_rules(YearMonth(start_year, 8), zone).kg_max_line
    assert max_line is not None
    for child in children:
        assert paid[child.id] * 10_000 <= 11 * max_line.amount_ore * child.place_share_bp


@settings(max_examples=150, deadline=None)
@given(
    month=st.builds(YearMonth, st.integers(2019, 2026), st.integers(1, 12)),
    zone=st.sampled_from(ZONES),
    grades=st.lists(st.integers(1, 7), max_size=3),
    specs=kindergarten_children,
    prices=st.integers(0, 1_000_000),
    income=st.integers(0, 200_000_000),
    granted=st.booleans(),
    core=st.booleans(),
)
def test_fees_are_never_negative(
    month: YearMonth,
    zone: str,
    grades: list[int],
    specs: list[tuple[date, int, int, bool]],
    prices: int,
    income: int,
    granted: bool,
    core: bool,
) -> None:
    children = [
        Child(
            id=f"k{i}",
            birth_date=born,
            service="kindergarten",
            weekly_hours_x100=hours,
            place_share_bp=percent * 100,
        )
        for i, (born, percent, hours, _) in enumerate(specs)
    ]
    children += [
        Child(
            id=f"s{i}",
            birth_date=date(2015, 1, 1),
            service="sfo",
            weekly_hours_x100=1500 + 100 * i,
            grade=grade,
            list_price_ore=prices,
        )
        for i, grade in enumerate(grades)
    ]
    household = Household(
        zone=zone,
        children=tuple(children),
        income_ore=income,
        reduced_fee_granted=granted,
        free_core_hours_granted=core,
    )
    result = quote(household, month)
    assert result.total_ore >= 0
    assert all(child.fee_ore >= 0 for child in result.children)
    assert result.total_ore == sum(child.fee_ore for child in result.children)
