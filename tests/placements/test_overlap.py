from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from oppvekst.core.models import UnitKind
from oppvekst.errors import DomainError
from oppvekst.placements.models import Placement
from oppvekst.placements.services import PlacementOverlap, placement_create, placement_end
from tests import factories

pytestmark = pytest.mark.django_db
AUG = dt.date(2026, 8, 1)


@pytest.fixture
def setup() -> tuple:
    muni = factories.municipality()
    return factories.unit(muni), factories.unit(muni), factories.person()


def test_overlapping_placement_of_same_service_is_refused(setup: tuple) -> None:
    kg1, kg2, child = setup
    placement_create(child=child, unit=kg1, valid_from=AUG, valid_to=dt.date(2027, 7, 31))
    with pytest.raises(PlacementOverlap) as err:
        placement_create(child=child, unit=kg2, valid_from=dt.date(2027, 7, 31))
    assert err.value.code == "placement_overlap"
    assert kg1.name in str(err.value.message)
    assert Placement.objects.filter(child=child).count() == 1


def test_open_ended_placement_blocks_any_later_start(setup: tuple) -> None:
    kg1, kg2, child = setup
    placement_create(child=child, unit=kg1, valid_from=AUG)
    with pytest.raises(PlacementOverlap):
        placement_create(child=child, unit=kg2, valid_from=dt.date(2030, 1, 1))


def test_adjacent_placements_are_allowed(setup: tuple) -> None:
    kg1, kg2, child = setup
    placement_create(child=child, unit=kg1, valid_from=AUG, valid_to=dt.date(2027, 1, 31))
    placement_create(child=child, unit=kg2, valid_from=dt.date(2027, 2, 1))
    assert Placement.objects.filter(child=child).count() == 2


def test_different_services_may_overlap(setup: tuple) -> None:
    kg1, _kg2, child = setup
    school = factories.unit(kg1.municipality, UnitKind.SCHOOL)
    sfo = factories.unit(kg1.municipality, UnitKind.SFO, school=school)
    placement_create(child=child, unit=school, valid_from=AUG)
    placement_create(child=child, unit=sfo, valid_from=AUG)
    assert {p.service for p in Placement.objects.filter(child=child)} == {"school", "sfo"}


def test_bad_period_and_size_are_refused_with_field_details(setup: tuple) -> None:
    kg1, _kg2, child = setup
    with pytest.raises(DomainError) as err:
        placement_create(child=child, unit=kg1, valid_from=AUG, valid_to=dt.date(2026, 7, 1))
    assert "valid_to" in err.value.fields
    with pytest.raises(DomainError) as err:
        placement_create(child=child, unit=kg1, valid_from=AUG, place_percent=0)
    assert "place_percent" in err.value.fields
    assert not Placement.objects.filter(child=child).exists()


def test_ending_a_placement_frees_the_period(setup: tuple) -> None:
    kg1, kg2, child = setup
    first = placement_create(child=child, unit=kg1, valid_from=AUG)
    placement_end(placement=first, last_day=dt.date(2026, 12, 31))
    placement_create(child=child, unit=kg2, valid_from=dt.date(2027, 1, 1))
    with pytest.raises(DomainError):
        placement_end(placement=first, last_day=dt.date(2026, 1, 1))


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and exclusion constraints: PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_cannot_both_place_the_child() -> None:
    muni = factories.municipality()
    kg1, kg2, child = factories.unit(muni), factories.unit(muni), factories.person()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(unit_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            from oppvekst.core.models import Unit

            placement_create(child=child, unit=Unit.objects.get(pk=unit_id), valid_from=AUG)
            outcomes.append("ok")
        except PlacementOverlap:
            outcomes.append("overlap")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u.pk,)) for u in (kg1, kg2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "overlap"]
    assert Placement.objects.filter(child=child).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_exclusion_constraint_refuses_overlap_written_past_the_service() -> None:
    muni = factories.municipality()
    kg, child = factories.unit(muni), factories.person()
    row = {
        "child": child,
        "municipality": muni,
        "unit": kg,
        "service": "kindergarten",
        "valid_from": AUG,
    }
    Placement.objects.create(**row)
    with pytest.raises(IntegrityError, match="placement_no_overlap"), transaction.atomic():
        Placement.objects.create(**{**row, "valid_from": dt.date(2027, 1, 1)})
