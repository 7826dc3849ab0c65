"""Price rules as data: the national tables in the database, municipal rows replacing them for
their period, validation by the pure parser, zones with validity dates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from oppvekst.billing.engine.pricing import Child, Household, quote
from oppvekst.billing.engine.rules import YearMonth, default_rules, default_rules_data
from oppvekst.billing.models import RateRule, RuleTable, ZonePeriod
from oppvekst.billing.rulebook import ZoneTable, rulebook_for
from tests.billing.scenario import Town

pytestmark = pytest.mark.django_db


def _two_children() -> Household:
    return Household(
        zone="standard",
        children=(
            Child.create(
                id="a",
                birth_date=dt.date(2021, 1, 1),
                service="kindergarten",
                weekly_hours=41,
            ),
            Child.create(
                id="b",
                birth_date=dt.date(2022, 1, 1),
                service="kindergarten",
                weekly_hours=41,
            ),
        ),
        income_ore=30_000_000,
        reduced_fee_granted=True,
        free_core_hours_granted=True,
    )


def test_the_database_holds_the_national_tables_of_rates_json(town: Town) -> None:
    expected = {row["id"] for rows in default_rules_data()["tables"].values() for row in rows}
    stored = set(
        RateRule.objects.filter(municipality__isnull=True).values_list("rule_id", flat=True)
    )
    assert stored == expected
    book = rulebook_for(town.municipality.pk)
    for month in (YearMonth(2023, 6), YearMonth(2024, 9), YearMonth(2025, 9), YearMonth(2026, 11)):
        assert quote(_two_children(), month, book) == quote(_two_children(), month, default_rules())


def test_loading_the_rates_again_changes_nothing() -> None:
    out = io.StringIO()
    call_command("billing_load_rates", stdout=out)
    assert out.getvalue().strip() == "0 created, 0 updated"


def test_a_municipal_row_replaces_the_national_row_for_its_months(town: Town) -> None:
    RateRule.objects.create(
        municipality=town.municipality,
        table=RuleTable.KG_SIBLING,
        rule_id="testvik.sibling.2026-08",
        zone="all",
        valid_from=dt.date(2026, 8, 1),
        valid_to=dt.date(2027, 7, 31),
        percent_bp=5000,
        third_percent_bp=10000,
        source="Testvik kommunestyre, sak 12/26",
        confidence="B",
        confirmed=True,
    )
    book = rulebook_for(town.municipality.pk)

    def second(month: YearMonth) -> tuple[str, int]:
        child = quote(_two_children(), month, book).children[1]
        return child.lines[-1].rule.id, child.fee_ore

    assert second(YearMonth(2026, 6))[0] == "kg.sibling.2023-08"
    assert second(YearMonth(2026, 9))[0] == "testvik.sibling.2026-08"
    assert second(YearMonth(2027, 9))[0] == "kg.sibling.2023-08~2027-08"
    # The national rows still hold for every other municipality.
    other = rulebook_for(town.municipality.pk + 10_000)
    assert quote(_two_children(), YearMonth(2026, 9), other).children[1].lines[-1].rule.id == (
        "kg.sibling.2023-08"
    )


def test_a_rule_row_is_validated_by_the_engine_parser(town: Town) -> None:
    overlapping = RateRule(
        municipality=None,
        table=RuleTable.KG_MAX_PRICE,
        rule_id="kg.max_price.standard.extra",
        zone="standard",
        valid_from=dt.date(2026, 3, 1),
        amount_ore=99_900,
        source="test",
        confidence="B",
        confirmed=True,
    )
    with pytest.raises(ValidationError, match="overlap"):
        overlapping.full_clean()
    mid_month = RateRule(
        municipality=town.municipality,
        table=RuleTable.KG_MAX_PRICE,
        rule_id="x",
        zone="standard",
        valid_from=dt.date(2026, 3, 15),
        amount_ore=99_900,
        source="test",
    )
    with pytest.raises(ValidationError, match="first day"):
        mid_month.full_clean()


def test_a_municipality_is_in_one_zone_at_a_time(town: Town) -> None:
    zones = ZoneTable.load(town.municipality.pk)
    assert zones.zone_for(YearMonth(2026, 10)) == "standard"
    ZonePeriod.objects.filter(municipality=town.municipality).update(valid_to=dt.date(2026, 12, 31))
    ZonePeriod.objects.create(
        municipality=town.municipality, zone="sentralitet_5_6", valid_from=dt.date(2027, 1, 1)
    )
    zones = ZoneTable.load(town.municipality.pk)
    assert zones.zone_for(YearMonth(2027, 1)) == "sentralitet_5_6"
    clash = ZonePeriod(
        municipality=town.municipality, zone="tiltakssone", valid_from=dt.date(2026, 6, 1)
    )
    with pytest.raises(ValidationError):
        clash.full_clean()
