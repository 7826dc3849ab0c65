"""A unit's waiting list reads the applications that wish the unit, not the whole round, in a
fixed number of queries, and orders them as the whole round would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst.admission import adapters, selectors
from tests.admission import builders

pytestmark = pytest.mark.django_db


def _applicants(w: builders.World, n: int, wishes) -> list:
    apps = []
    for i in range(n):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1 + i % 12, 1 + i))
        apps.append(builders.apply(child, mum, wishes))
    return apps


def test_a_units_list_loads_only_applications_that_wish_the_unit() -> None:
    w = builders.world()
    here = _applicants(w, 2, [w.kg[0]])
    second_wish = _applicants(w, 1, [w.kg[1], w.kg[0]])
    elsewhere = _applicants(w, 3, [w.kg[1], w.kg[2]])
    loaded = adapters.load(w.round, unit_ids={w.kg[0].pk})
    ids = {a.application.pk for a in loaded.applicants}
    assert ids == {a.pk for a in here + second_wish}
    assert not ids & {a.pk for a in elsewhere}


def test_the_units_order_is_the_order_of_the_whole_round() -> None:
    w = builders.world()
    _applicants(w, 3, [w.kg[0]])
    _applicants(w, 3, [w.kg[1], w.kg[0]])
    _applicants(w, 2, [w.kg[2]])
    whole = adapters.load(w.round)
    key = str(w.kg[0].pk)
    expected = sorted(
        (a for a in whole.applicants if key in a.applicant.choices),
        key=lambda a: a.applicant.key_at(key),
    )
    rows = selectors.waiting_lists(w.kg[0], "kindergarten").rows()
    assert [r.application.pk for r in rows] == [a.application.pk for a in expected]


def test_waiting_list_page_query_count_does_not_grow_with_the_round() -> None:
    w = builders.world()
    _applicants(w, 2, [w.kg[0]])
    client = Client()
    client.force_login(builders.user_for(w.caseworker))
    url = f"/opptak/enheter/{w.kg[0].pk}/venteliste/"
    assert client.get(url).status_code == 200  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _applicants(w, 4, [w.kg[0], w.kg[1]])
    _applicants(w, 4, [w.kg[2]])
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 20
