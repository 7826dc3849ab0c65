"""Offers: accepting creates the placement (overlap rule holds, idempotent), accept and stay
on the waiting list, decline, lapse (service, task, command), and transfers."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from oppvekst import clock
from oppvekst.admission import services, tasks
from oppvekst.admission.models import ApplicationStatus, Offer, OfferStatus, RoundKind
from oppvekst.errors import ConflictError
from oppvekst.placements.models import Placement
from oppvekst.placements.services import placement_create
from oppvekst.workspace.models import Notification
from tests.admission import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> builders.World:
    return builders.world(seats=1, private_seats=1)


def _offered(w: builders.World, wishes=None, birth=dt.date(2026, 1, 1)):
    child, (mum, dad) = builders.family(w.muni, birth)
    app = builders.apply(child, mum, wishes or [w.kg[0]])
    builders.run(w.round, w.caseworker)
    return child, mum, dad, app, Offer.objects.get(application=app)


def test_accepting_creates_the_placement_and_tells_both_guardians(w: builders.World) -> None:
    child, mum, dad, app, offer = _offered(w)
    assert offer.deadline == dt.date(2026, 12, 3)  # 8 days (domain §1.3)
    placement = services.offer_accept(offer_id=offer.pk, by=dad)
    assert (placement.child, placement.unit, placement.valid_from) == (child, w.kg[0], builders.AUG)
    assert placement.valid_to == dt.date(2032, 7, 31)  # until school starts
    assert placement.place_percent == 100 and str(placement.weekly_hours) == "41.0"
    app.refresh_from_db()
    offer.refresh_from_db()
    assert app.status == ApplicationStatus.PLACED and offer.status == OfferStatus.ACCEPTED
    told = Notification.objects.filter(dedupe_key=f"admission:offer:{offer.pk}:accepted")
    assert {n.recipient_id for n in told} == {mum.pk, dad.pk}


def test_accepting_twice_returns_the_same_placement(w: builders.World) -> None:
    child, mum, dad, _app, offer = _offered(w)
    first = services.offer_accept(offer_id=offer.pk, by=mum)
    second = services.offer_accept(offer_id=offer.pk, by=dad)
    assert first.pk == second.pk
    assert Placement.objects.filter(child=child).count() == 1


def test_the_overlap_rule_holds_when_accepting(w: builders.World) -> None:
    child, mum, _dad, _app, offer = _offered(w)
    other = builders.factories.unit(w.muni, "kindergarten")
    # Another place from the same day, made outside admission, is replaced only through
    # admission's own rules; a place that has started ends the day before the new one.
    placement_create(child=child, unit=other, valid_from=dt.date(2026, 9, 1))
    placement = services.offer_accept(offer_id=offer.pk, by=mum)
    old = Placement.objects.get(child=child, unit=other)
    assert old.valid_to == dt.date(2027, 7, 31) and placement.valid_from == builders.AUG


def test_decline_frees_the_seat_and_closes_the_application(w: builders.World) -> None:
    _child, mum, _dad, app, offer = _offered(w)
    services.offer_decline(offer_id=offer.pk, by=mum)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DECLINED
    assert services.remaining_seats(w.round)[(w.kg[0].pk, "under3")] == 1
    with pytest.raises(ConflictError):
        services.offer_accept(offer_id=offer.pk, by=mum)


def test_an_offer_not_answered_by_the_deadline_lapses(w: builders.World) -> None:
    _child, mum, dad, app, offer = _offered(w)
    assert services.offers_lapse(today=offer.deadline) == 0
    with clock.frozen(offer.deadline + dt.timedelta(days=1)):
        with pytest.raises(ConflictError):
            services.offer_accept(offer_id=offer.pk, by=mum)
        assert tasks.lapse_offers.call() == 1
    offer.refresh_from_db()
    app.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED and app.status == ApplicationStatus.LAPSED
    told = Notification.objects.filter(dedupe_key=f"admission:offer:{offer.pk}:lapsed")
    assert {n.recipient_id for n in told} == {mum.pk, dad.pk}


def test_the_lapse_command_runs_the_task(w: builders.World) -> None:
    _child, _mum, _dad, _app, offer = _offered(w)
    out = StringIO()
    with clock.frozen(offer.deadline + dt.timedelta(days=2)):
        call_command("admission-lapse-offers", stdout=out)
    assert "1 offer(s) lapsed" in out.getvalue()


def test_accept_and_wait_keeps_the_place_and_a_later_higher_offer_replaces_it(
    w: builders.World,
) -> None:
    # kg[0] is full with an older child; ours gets its 2nd wish, accepts and waits.
    older, (mo, _) = builders.family(w.muni, dt.date(2025, 12, 1))
    older_app = builders.apply(older, mo, [w.kg[0]])
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 3, 1))
    app = builders.apply(child, mum, [w.kg[0], w.kg[1]])
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    assert offer.unit == w.kg[1] and offer.wish_rank == 2
    first_place = services.offer_accept(offer_id=offer.pk, by=mum, keep_waiting=True)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ACCEPTED
    services.offer_decline(offer_id=Offer.objects.get(application=older_app).pk, by=mo)
    rnd2 = services.round_create(
        municipality=w.muni,
        service="kindergarten",
        kind=RoundKind.ADDITIONAL,
        name="Supplering",
        deadline=dt.date(2027, 4, 1),
        start_date=builders.AUG,
    )
    builders.run(rnd2, w.caseworker)
    higher = Offer.objects.get(round=rnd2)
    assert higher.application_id == app.pk and higher.unit == w.kg[0]
    new_place = services.offer_accept(offer_id=higher.pk, by=mum)
    assert new_place.unit == w.kg[0]
    assert not Placement.objects.filter(pk=first_place.pk).exists()  # never started
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PLACED


def test_declining_a_higher_offer_keeps_the_accepted_place(w: builders.World) -> None:
    older, (mo, _) = builders.family(w.muni, dt.date(2025, 12, 1))
    older_app = builders.apply(older, mo, [w.kg[0]])
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 3, 1))
    app = builders.apply(child, mum, [w.kg[0], w.kg[1]])
    builders.run(w.round, w.caseworker)
    services.offer_accept(offer_id=Offer.objects.get(application=app).pk, by=mum, keep_waiting=True)
    services.offer_decline(offer_id=Offer.objects.get(application=older_app).pk, by=mo)
    rnd2 = services.round_create(
        municipality=w.muni,
        service="kindergarten",
        kind=RoundKind.ROLLING,
        name="Løpende",
        deadline=dt.date(2027, 4, 1),
        start_date=builders.AUG,
    )
    builders.run(rnd2, w.caseworker)
    services.offer_decline(offer_id=Offer.objects.get(round=rnd2).pk, by=mum)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PLACED
    assert Placement.objects.get(child=child).unit == w.kg[1]


def test_a_transfer_ends_the_current_place_the_day_before(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2024, 2, 2))
    current = placement_create(child=child, unit=w.kg[2], valid_from=dt.date(2025, 8, 1))
    app = builders.apply(child, mum, [w.kg[0]])
    assert app.is_transfer
    services.round_capacity_set(round_id=w.round.pk, unit_id=w.kg[0].pk, age_group="over3", seats=1)
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    assert offer.age_group == "over3"  # born 2024: over 3 from 1 August 2027 (§1.7)
    services.offer_accept(offer_id=offer.pk, by=mum)
    current.refresh_from_db()
    assert current.valid_to == dt.date(2027, 7, 31)
    assert Placement.objects.filter(child=child).count() == 2


def test_accepting_is_refused_when_the_unit_is_already_full(w: builders.World) -> None:
    _child, mum, _dad, _app, offer = _offered(w)
    # A second offer for the same seat (never made by a commit) must not over-fill the unit.
    twin = Offer.objects.get(pk=offer.pk)
    twin.pk = None
    other, (m2, _) = builders.family(w.muni, dt.date(2026, 2, 2))
    twin.application = builders.apply(other, m2, [w.kg[0]])
    twin.child = other
    twin.save()
    services.offer_accept(offer_id=offer.pk, by=mum)
    with pytest.raises(ConflictError) as err:
        services.offer_accept(offer_id=twin.pk, by=m2)
    assert err.value.code == "unit_full"
