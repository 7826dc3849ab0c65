from __future__ import annotations

import datetime as dt

import pytest

from oppvekst.people.models import Guardianship
from oppvekst.people.selectors import siblings
from tests import factories
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


def test_siblings_by_shared_guardian_or_household_never_stored() -> None:
    mother = factories.person(dt.date(1990, 1, 1), "Mor")
    a = factories.person(dt.date(2019, 1, 1), "A")
    b = factories.person(dt.date(2021, 1, 1), "B")
    c = factories.person(dt.date(2022, 1, 1), "C")  # half-sibling in the same household
    for child in (a, b):
        Guardianship.objects.create(child=child, guardian=mother, valid_from=child.birth_date)
    a.household_key = c.household_key = "hh-1"
    a.save(update_fields=["household_key"])
    c.save(update_fields=["household_key"])
    assert siblings(a, DEMO_TODAY) == [b, c]
    assert siblings(b, DEMO_TODAY) == [a]
    assert mother not in siblings(a, DEMO_TODAY)


def test_ended_guardianship_makes_no_siblings() -> None:
    father = factories.person(dt.date(1985, 1, 1), "Far")
    a = factories.person(dt.date(2019, 2, 1), "A")
    b = factories.person(dt.date(2020, 2, 1), "B")
    Guardianship.objects.create(child=a, guardian=father, valid_from=a.birth_date)
    Guardianship.objects.create(
        child=b, guardian=father, valid_from=b.birth_date, valid_to=dt.date(2024, 1, 1)
    )
    assert siblings(a, DEMO_TODAY) == []
