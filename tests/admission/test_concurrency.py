"""Two caseworkers committing one round at once, and guardians accepting at once, on
PostgreSQL with real concurrent connections: one round commit, one placement, no over-fill."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from oppvekst.admission import services
from oppvekst.admission.models import Offer, RoundOutcome
from oppvekst.errors import ConflictError
from oppvekst.placements.models import Placement
from tests.admission import builders

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            result = call()
            outcomes.append(f"ok:{getattr(result, 'pk', '')}")
        except ConflictError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_two_caseworkers_committing_at_once_commit_once() -> None:
    w = builders.world(seats=2)
    for month in range(1, 7):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, month, 1))
        builders.apply(child, mum, [w.kg[0], w.kg[1]])
    services.round_preview(round_id=w.round.pk)
    outcomes = race(
        lambda: services.round_commit(round_id=w.round.pk, by=w.caseworker, early_reason="test"),
        lambda: services.round_commit(round_id=w.round.pk, by=w.caseworker, early_reason="test"),
    )
    assert outcomes[0] == "already_committed" and outcomes[1].startswith("ok")
    assert Offer.objects.filter(round=w.round).count() == 4
    assert RoundOutcome.objects.filter(round=w.round).count() == 6
    for unit in w.kg:
        assert Offer.objects.filter(round=w.round, unit=unit).count() <= 2


def test_both_guardians_accepting_at_once_create_one_placement() -> None:
    w = builders.world(seats=1)
    child, (mum, dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=app)
    outcomes = race(
        lambda: services.offer_accept(offer_id=offer.pk, by=mum),
        lambda: services.offer_accept(offer_id=offer.pk, by=dad),
        lambda: services.offer_accept(offer_id=offer.pk, by=dad, keep_waiting=True),
    )
    assert len(set(outcomes)) == 1 and outcomes[0].startswith("ok:")
    assert Placement.objects.filter(child=child).count() == 1


def test_two_offers_for_one_seat_never_over_fill_the_unit() -> None:
    w = builders.world(seats=1)
    a, (ma, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    b, (mb, _) = builders.family(w.muni, dt.date(2026, 2, 1))
    app_a = builders.apply(a, ma, [w.kg[0]])
    app_b = builders.apply(b, mb, [w.kg[1]])
    builders.run(w.round, w.caseworker)
    first = Offer.objects.get(application=app_a)
    # A second offer for the same seat (as a buggy or hand-made offer would be).
    Offer.objects.filter(application=app_b).update(unit=w.kg[0])
    second = Offer.objects.get(application=app_b)
    outcomes = race(
        lambda: services.offer_accept(offer_id=first.pk, by=ma),
        lambda: services.offer_accept(offer_id=second.pk, by=mb),
    )
    assert "unit_full" in outcomes
    assert Placement.objects.filter(unit=w.kg[0]).count() == 1
