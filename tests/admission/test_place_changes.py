"""The family's own place: change of place size and ending it with notice (placements
services, called through admission so both guardians are told)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oppvekst.admission import services
from oppvekst.core.models import UnitKind
from oppvekst.errors import DomainError
from oppvekst.placements.models import Placement
from oppvekst.placements.services import notice_last_day, placement_create, placement_terminate
from oppvekst.workspace.models import Notification
from tests import factories
from tests.admission import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed():
    w = builders.world()
    child, (mum, dad) = builders.family(w.muni, dt.date(2024, 3, 3))
    placement = placement_create(
        child=child,
        unit=w.kg[0],
        valid_from=dt.date(2025, 8, 1),
        valid_to=dt.date(2030, 7, 31),
        weekly_hours=Decimal("41"),
    )
    return w, child, mum, dad, placement


def test_a_size_change_splits_the_place_so_history_keeps_the_old_size(placed) -> None:
    _w, _child, mum, dad, placement = placed
    new = services.place_change_size(
        placement=placement,
        by=mum,
        place_percent=80,
        weekly_hours=Decimal("33"),
        effective_from=dt.date(2027, 1, 1),
    )
    placement.refresh_from_db()
    assert placement.valid_to == dt.date(2026, 12, 31) and placement.place_percent == 100
    assert (new.valid_from, new.valid_to, new.place_percent) == (
        dt.date(2027, 1, 1),
        dt.date(2030, 7, 31),
        80,
    )
    assert Notification.objects.filter(recipient=dad, title__startswith="Ny plasstørrelse").exists()


def test_size_must_be_offered_and_not_back_in_time(placed) -> None:
    _w, _child, mum, _dad, placement = placed
    with pytest.raises(DomainError) as err:
        services.place_change_size(
            placement=placement,
            by=mum,
            place_percent=55,
            weekly_hours=None,
            effective_from=dt.date(2027, 1, 1),
        )
    assert "place_size" in err.value.fields
    with pytest.raises(DomainError) as err:
        services.place_change_size(
            placement=placement,
            by=mum,
            place_percent=80,
            weekly_hours=Decimal("33"),
            effective_from=dt.date(2026, 1, 1),
        )
    assert "effective_from" in err.value.fields


def test_notice_runs_in_whole_months_from_the_first_of_next_month() -> None:
    assert notice_last_day(requested_on=dt.date(2026, 11, 25)) == dt.date(2026, 12, 31)
    assert notice_last_day(requested_on=dt.date(2026, 12, 1), notice_months=2) == dt.date(
        2027, 2, 28
    )


def test_ending_a_place_with_notice(placed) -> None:
    _w, _child, mum, dad, placement = placed
    ended = services.place_end(placement=placement, by=mum)
    assert ended is not None and ended.valid_to == dt.date(2026, 12, 31)
    assert Notification.objects.filter(recipient=dad, title__contains="sagt opp").exists()


def test_a_last_day_inside_the_notice_period_is_refused(placed) -> None:
    _w, _child, mum, _dad, placement = placed
    with pytest.raises(DomainError) as err:
        services.place_end(placement=placement, by=mum, last_day=dt.date(2026, 12, 1))
    assert err.value.code == "notice_period" and "last_day" in err.value.fields


def test_notice_period_is_configurable_per_municipality(placed) -> None:
    w, _child, mum, _dad, placement = placed
    services.AdmissionSettings.objects.create(municipality=w.muni, notice_months=2)
    ended = services.place_end(placement=placement, by=mum)
    assert ended is not None and ended.valid_to == dt.date(2027, 1, 31)


def test_a_place_that_has_not_started_is_removed_when_given_up(placed) -> None:
    w, child, _mum, _dad, _placement = placed
    future = placement_create(
        child=child, unit=w.kg[1], valid_from=dt.date(2031, 8, 1), valid_to=dt.date(2031, 12, 1)
    )
    assert placement_terminate(placement=future) is None
    assert not Placement.objects.filter(pk=future.pk).exists()


@pytest.mark.parametrize(
    ("percent", "hours"), [(1, None), (59, None), (60, Decimal("0.5")), (0, None)]
)
def test_an_sfo_place_takes_only_the_sizes_the_municipality_offers(percent, hours) -> None:
    w = builders.world()
    school = factories.unit(w.muni, UnitKind.SCHOOL, first_grade=1, last_grade=7)
    sfo = factories.unit(w.muni, UnitKind.SFO, school=school)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2019, 3, 3))
    placement = placement_create(
        child=child, unit=sfo, valid_from=dt.date(2025, 8, 1), valid_to=dt.date(2030, 7, 31)
    )
    with pytest.raises(DomainError) as refused:
        services.place_change_size(
            placement=placement,
            by=mum,
            place_percent=percent,
            weekly_hours=hours,
            effective_from=dt.date(2027, 1, 1),
        )
    assert "place_size" in refused.value.fields
    changed = services.place_change_size(
        placement=placement,
        by=mum,
        place_percent=60,
        weekly_hours=None,
        effective_from=dt.date(2027, 1, 1),
    )
    assert changed.place_percent == 60
