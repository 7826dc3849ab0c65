"""The one queryset for validity periods: closed ranges, `valid_to` empty means open-ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from oppvekst.daterange import DateRange
from oppvekst.placements.models import Placement, Service
from tests import factories

pytestmark = pytest.mark.django_db

JAN1 = dt.date(2027, 1, 1)


@pytest.fixture
def rows() -> dict[str, Placement]:
    muni = factories.municipality()
    kg = factories.unit(muni)

    def place(start: dt.date, end: dt.date | None) -> Placement:
        return Placement.objects.create(
            child=factories.person(),
            municipality=muni,
            unit=kg,
            service=Service.KINDERGARTEN,
            valid_from=start,
            valid_to=end,
        )

    return {
        "ended": place(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        "ends_that_day": place(dt.date(2026, 1, 1), JAN1),
        "open": place(dt.date(2026, 1, 1), None),
        "starts_that_day": place(JAN1, dt.date(2027, 6, 30)),
        "future": place(dt.date(2027, 2, 1), None),
    }


def _names(rows: dict[str, Placement], qs: Iterable[Placement]) -> set[str]:
    ids = {p.pk for p in qs}
    return {name for name, p in rows.items() if p.pk in ids}


def test_active_on_includes_both_ends_of_the_range(rows: dict[str, Placement]) -> None:
    assert _names(rows, Placement.objects.active_on(JAN1)) == {
        "ends_that_day",
        "open",
        "starts_that_day",
    }


def test_not_ended_by_includes_future_and_open_ranges(rows: dict[str, Placement]) -> None:
    assert _names(rows, Placement.objects.not_ended_by(JAN1)) == {
        "ends_that_day",
        "open",
        "starts_that_day",
        "future",
    }


def test_overlapping_a_period_takes_every_range_touching_it(rows: dict[str, Placement]) -> None:
    period = DateRange(dt.date(2026, 12, 31), JAN1)
    assert _names(rows, Placement.objects.overlapping(period)) == {
        "ended",
        "ends_that_day",
        "open",
        "starts_that_day",
    }


def test_validity_methods_chain_with_filters(rows: dict[str, Placement]) -> None:
    child = rows["future"].child
    assert list(Placement.objects.filter(child=child).not_ended_by(JAN1)) == [rows["future"]]
    assert not Placement.objects.filter(child=child).active_on(JAN1).exists()
