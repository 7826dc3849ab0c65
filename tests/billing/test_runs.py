"""Monthly invoice runs from the database: lines, payers, siblings, locking, corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from oppvekst import clock
from oppvekst.billing import services
from oppvekst.billing.compute import GuardianRow, payers_for, split_amount
from oppvekst.billing.models import (
    ChildBasis,
    Invoice,
    InvoiceChange,
    InvoiceLine,
    InvoiceRun,
    ReductionApplication,
    ReductionStatus,
    RunStatus,
    ZonePeriod,
)
from oppvekst.errors import ConflictError
from oppvekst.placements.services import placement_end
from tests.billing.scenario import Town, invoice_total, lines_of, run_month

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)
MAX = "kg.max_price.standard.2026-01"


def test_run_prices_every_child_and_bills_the_parent_at_the_childs_address(town: Town) -> None:
    run = run_month(town.municipality, OCT)
    assert lines_of(run, town.emma) == [("2026-10", MAX, 120000), ("2026-10", "kg.food", 40000)]
    # Jonas is the younger of two in kindergarten: 30 % sibling discount (norway.md § 2.3).
    assert lines_of(run, town.jonas) == [
        ("2026-10", MAX, 120000),
        ("2026-10", "kg.sibling.2023-08", -36000),
        ("2026-10", "kg.food", 40000),
    ]
    assert lines_of(run, town.sara) == [
        ("2026-10", "sfo.list_price", 300000),
        ("2026-10", "sfo.free_hours.grade2", -180000),
        ("2026-10", "sfo.food", 20000),
    ]
    # Hanne and Ola live together with the children: one invoice, to Hanne.
    assert invoice_total(run, town.hanne) == 424000
    assert not Invoice.objects.filter(run=run, payer=town.ola).exists()
    assert run.invoice_count == 3
    assert run.total_ore == 424000 + 10000 + 10000
    assert run.zone == "standard"


def test_shared_residence_splits_each_line_50_50(town: Town) -> None:
    run = run_month(town.municipality, OCT)
    assert invoice_total(run, town.ingrid) == 10000
    assert invoice_total(run, town.per) == 10000
    shares = set(
        InvoiceLine.objects.filter(run=run, child=town.liv).values_list("payer_id", "share_percent")
    )
    assert shares == {(town.ingrid.pk, 50), (town.per.pk, 50)}


def test_private_kindergarten_children_are_priced_but_not_invoiced(town: Town) -> None:
    run = run_month(town.municipality, OCT)
    assert not Invoice.objects.filter(run=run, payer=town.kari).exists()
    theo = lines_of(run, town.theo, invoiced=False)
    assert theo == [
        ("2026-10", MAX, 120000),
        ("2026-10", "kg.part_time.proportional", -24000),
        ("2026-10", "kg.income_cap.2022-08", -17455),  # 180 000 * 6 % / 11 * 80 %
        ("2026-10", "kg.core_hours.2025-08", -47603),  # 13 of 33 hours paid
        ("2026-10", "kg.food", 40000),  # 500 kr kost, in proportion to the 80 % place
    ]
    # The municipality owes the kindergarten the reductions it granted.
    assert run.private_compensation_ore == 17455 + 47603


def test_unconfirmed_rates_are_flagged_on_the_run_and_its_lines(town: Town) -> None:
    run = run_month(town.municipality, OCT, lock=False)
    assert MAX in run.unconfirmed_rules  # 2026 maximum price is [?] in norway.md § 2.2
    assert not InvoiceLine.objects.get(run=run, child=town.emma, rule_id=MAX).confirmed


def test_progress_is_written_while_the_task_works(town: Town) -> None:
    run = run_month(town.municipality, OCT, lock=False)
    assert run.progress_total > 0
    assert run.progress_done == run.progress_total
    assert run.progress_label == "Ferdig"


def _snapshot(run: InvoiceRun) -> list[tuple[Any, ...]]:
    return list(
        InvoiceLine.objects.filter(run=run)
        .order_by("pk")
        .values_list("pk", "child_id", "payer_id", "period", "rule_id", "amount_ore")
    )


def _grant_fjell(town: Town, decided_on: dt.date) -> ReductionApplication:
    """Hanne applied in October; the caseworker grants free core hours in November."""
    application = ReductionApplication.objects.create(
        municipality=town.municipality,
        applicant=town.hanne,
        year_start=2026,
        income_ore=500_000_00,
        reduced_fee=False,
        free_core_hours=True,
        submitted_at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC),
        application_month=OCT,
    )
    application.children.set([town.emma, town.jonas, town.sara])
    with clock.frozen(decided_on):
        return services.reduction_decide(
            application=application,
            decided_by=town.ola,
            grant=True,
            reason="",
            expected_version=application.version,
        )


def test_changes_to_a_locked_month_become_correction_lines_in_the_next_run(town: Town) -> None:
    october = run_month(town.municipality, OCT)
    before = _snapshot(october)
    # After October is locked: Jonas's place turns out to have ended on 30 September, and the
    # family's free core hours are granted from their application month, October.
    placement_end(placement=town.jonas_place, last_day=dt.date(2026, 9, 30))
    decision = _grant_fjell(town, dt.date(2026, 11, 10))
    assert decision.effective_from == OCT

    november = run_month(town.municipality, NOV)
    assert _snapshot(october) == before  # a locked run is never edited
    assert november.corrected_months == ["2026-10"]
    corrections = lines_of(november, town.jonas, kind="correction")
    assert corrections == [
        ("2026-10", MAX, -120000),
        ("2026-10", "kg.sibling.2023-08", 36000),
        ("2026-10", "kg.food", -40000),
    ]
    # Emma is now the only child in kindergarten and gets 20 free hours of 41 from October.
    assert lines_of(november, town.emma, kind="correction") == [
        ("2026-10", "kg.core_hours.2025-08", -58537)
    ]
    assert lines_of(november, town.emma, kind="charge") == [
        ("2026-11", MAX, 120000),
        ("2026-11", "kg.core_hours.2025-08", -58537),
        ("2026-11", "kg.food", 40000),
    ]
    assert lines_of(november, town.jonas, kind="charge") == []
    hanne = Invoice.objects.get(run=november, payer=town.hanne)
    assert hanne.correction_ore == -124000 - 58537
    assert hanne.previous_total_ore == 424000
    assert hanne.total_ore == (61463 + 40000) + (120000 + 20000) - 124000 - 58537
    # The difference from last month is explained per child.
    change = InvoiceChange.objects.get(run=november, child=town.emma)
    assert {"code": "correction", "period": "2026-10", "amount": -58537} in change.reasons
    assert {
        "code": "rule",
        "table": "kindergarten_free_core_hours",
        "before": 0,
        "after": -58537,
    } in change.reasons
    # Nothing changed for the other families: no corrections, no differences.
    assert not InvoiceLine.objects.filter(run=november, kind="correction").exclude(
        child__in=[town.emma, town.jonas]
    )
    assert not InvoiceChange.objects.filter(run=november, child__in=[town.liv, town.mia])

    # The next month corrects nothing again: the fingerprints match.
    december = run_month(town.municipality, DEC)
    assert december.corrected_months == []
    assert not InvoiceLine.objects.filter(run=december, kind="correction").exists()


def test_a_grant_decided_later_never_applies_before_the_application_month(town: Town) -> None:
    run_month(town.municipality, dt.date(2026, 9, 1))
    run_month(town.municipality, OCT)
    _grant_fjell(town, dt.date(2026, 11, 10))
    november = run_month(town.municipality, NOV)
    periods = set(
        InvoiceLine.objects.filter(run=november, kind="correction").values_list("period", flat=True)
    )
    assert periods == {OCT}  # September stays as billed


def test_runs_go_month_by_month_and_a_locked_month_is_never_run_again(town: Town) -> None:
    october = run_month(town.municipality, OCT, lock=False)
    with pytest.raises(ConflictError, match="tidligere kjøring"):
        services.invoice_run_start(municipality=town.municipality, month=NOV, started_by=None)
    with pytest.raises(ConflictError):
        services.invoice_run_start(municipality=town.municipality, month=OCT, started_by=None)
    october = services.invoice_run_approve(run=october, by=None, expected_version=october.version)
    october = services.invoice_run_lock(run=october, by=None, expected_version=october.version)
    for action in (
        services.invoice_run_approve,
        services.invoice_run_lock,
        services.invoice_run_recompute,
    ):
        with pytest.raises(ConflictError):
            action(run=october, by=None, expected_version=october.version)
    with pytest.raises(ConflictError):
        services.invoice_run_start(municipality=town.municipality, month=OCT, started_by=None)


def test_a_stale_version_is_refused(town: Town) -> None:
    run = run_month(town.municipality, OCT, lock=False)
    with pytest.raises(ConflictError, match="endret av noen andre"):
        services.invoice_run_approve(run=run, by=None, expected_version=run.version - 1)


def test_recompute_in_preview_replaces_the_lines(town: Town) -> None:
    run = run_month(town.municipality, OCT, lock=False)
    count = run.line_count
    placement_end(placement=town.jonas_place, last_day=dt.date(2026, 9, 30))
    run = services.invoice_run_recompute(run=run, by=None, expected_version=run.version)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW
    assert run.line_count == count - 3
    assert InvoiceLine.objects.filter(run=run).count() == run.line_count
    assert not InvoiceLine.objects.filter(run=run, child=town.jonas).exists()
    assert ChildBasis.objects.filter(run=run).count() == len(
        set(ChildBasis.objects.filter(run=run).values_list("child_id", flat=True))
    )


def test_a_municipality_without_a_zone_fails_with_a_message(town: Town) -> None:
    ZonePeriod.objects.filter(municipality=town.municipality).delete()
    run = services.invoice_run_start(municipality=town.municipality, month=OCT, started_by=None)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "prissone" in run.error and "zone" not in run.error


def test_a_kindergarten_year_never_costs_more_than_11_maximum_prices(town: Town) -> None:
    """Twelve runs, August to July, with changes on the way (a late end, a new place, a grant
    reaching back): per child, all lines of the year together stay within 11 × the maximum
    price × the place share (norway.md § 2.1: the annual cap is 11 monthly payments)."""
    months = [dt.date(2026, m, 1) for m in range(8, 13)] + [
        dt.date(2027, m, 1) for m in range(1, 8)
    ]
    for month in months:
        if month == dt.date(2026, 12, 1):
            placement_end(placement=town.jonas_place, last_day=dt.date(2026, 10, 31))
            _grant_fjell(town, month)
        run_month(town.municipality, month)
    year = (dt.date(2026, 8, 1), dt.date(2027, 7, 31))
    for child, share in ((town.emma, 100), (town.jonas, 100), (town.mia, 100), (town.theo, 80)):
        paid = sum(
            InvoiceLine.objects.filter(
                child=child,
                service="kindergarten",
                is_food=False,
                period__range=year,
                run__municipality=town.municipality,
            ).values_list("amount_ore", flat=True)
        )
        assert 0 <= paid * 100 <= 11 * 120000 * share, child.first_name
    # July is not billed.
    july = InvoiceRun.objects.get(municipality=town.municipality, month=dt.date(2027, 7, 1))
    assert july.total_ore == 0


# -- payer and split rules (pure parts of compute) ----------------------------------------------

D = dt.date(2026, 1, 1)


def g(pk: int, guardian: int, *, parental: bool = True, resident: bool = True, share: int = 100,
      home: str = "A", valid_to: dt.date | None = None) -> GuardianRow:  # fmt: skip
    return GuardianRow(pk, 1, guardian, parental, resident, share, D, valid_to, home)


FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def test_parents_living_together_get_one_invoice_to_the_one_at_the_childs_address() -> None:
    assert payers_for([g(1, 10), g(2, 11)], "A", FIRST, LAST) == [(10, 100)]
    assert payers_for([g(2, 11), g(1, 10)], "A", FIRST, LAST) == [(10, 100)]
    # Two addresses, both registered as the child's home with 100 %: split evenly.
    assert payers_for([g(1, 10, home="X"), g(2, 11)], "A", FIRST, LAST) == [(11, 50), (10, 50)]


def test_shared_residence_splits_by_the_agreement() -> None:
    assert payers_for([g(1, 10, share=50), g(2, 11, home="B", share=50)], "A", FIRST, LAST) == [
        (10, 50),
        (11, 50),
    ]
    assert payers_for([g(1, 10, share=60), g(2, 11, home="B", share=40)], "A", FIRST, LAST) == [
        (10, 60),
        (11, 40),
    ]
    # No agreement registered (both 0 %): 50/50.
    assert payers_for([g(1, 10, share=0), g(2, 11, home="B", share=0)], "A", FIRST, LAST) == [
        (10, 50),
        (11, 50),
    ]


def test_only_a_parent_the_child_lives_with_pays() -> None:
    moved_out = g(2, 11, home="B", resident=False, share=0)
    assert payers_for([g(1, 10), moved_out], "A", FIRST, LAST) == [(10, 100)]
    step_parent = g(3, 12, parental=False)
    assert payers_for([g(1, 10), step_parent], "A", FIRST, LAST) == [(10, 100)]
    ended = g(1, 10, valid_to=dt.date(2026, 9, 30))
    assert payers_for([ended], "A", FIRST, LAST) == []


def test_a_split_always_sums_to_the_amount() -> None:
    assert split_amount(-12345, [(1, 50), (2, 50)]) == [-6172, -6173]
    assert split_amount(100001, [(1, 60), (2, 40)]) == [60001, 40000]
    assert sum(split_amount(99999, [(1, 33), (2, 67)])) == 99999


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_the_database_refuses_to_change_a_locked_run(town: Town) -> None:
    from django.db import DatabaseError, transaction

    run = run_month(town.municipality, OCT)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        InvoiceLine.objects.filter(run=run).update(amount_ore=0)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        Invoice.objects.filter(run=run).delete()


def test_siblings_are_derived_from_household_and_guardians(town: Town) -> None:
    """Mia's sister Liv lives with the same parents, but SFO children never form a sibling
    group (norway.md § 2.3); Theo lives elsewhere: no discount for anyone but Jonas."""
    run = run_month(town.municipality, OCT, lock=False)
    discounted = set(
        InvoiceLine.objects.filter(run=run, rule_table="kindergarten_sibling_discount").values_list(
            "child_id", flat=True
        )
    )
    assert discounted == {town.jonas.pk}
    assert ReductionStatus.GRANTED
