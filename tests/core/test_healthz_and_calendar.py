from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oppvekst.core.calendar import public_holidays, school_days
from oppvekst.core.models import Municipality, SchoolYear, Unit, UnitKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_public_holidays_2026_match_domain_table() -> None:
    days = public_holidays(2026)
    for day in ("2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2026-12-26"):
        assert dt.date.fromisoformat(day) in days
    assert dt.date(2026, 12, 24) not in days  # Christmas Eve is no public holiday (§7.1)
    assert dt.date(2026, 3, 1) not in days  # ordinary Sunday: we ask without Sundays


def test_demo_school_year_has_190_school_days() -> None:
    skedsmo = Municipality.objects.get(number="0231")
    year = SchoolYear.objects.get(start_year=2026)
    days = school_days(skedsmo, year)
    assert len(days) == 190
    assert all(d.weekday() < 5 for d in days)
    assert dt.date(2027, 5, 17) not in days


def test_invalid_organisation_number_is_refused() -> None:
    muni = factories.municipality()
    unit = Unit(
        municipality=muni,
        kind=UnitKind.KINDERGARTEN,
        owner="municipal",
        name="X",
        organisation_number="123456789",
    )
    with pytest.raises(ValidationError) as err:
        unit.full_clean()
    assert "organisation_number" in err.value.message_dict


def test_sfo_must_belong_to_a_school() -> None:
    muni = factories.municipality()
    sfo = Unit(
        municipality=muni,
        kind=UnitKind.SFO,
        owner="municipal",
        name="S",
        organisation_number=factories.orgnr(),
    )
    with pytest.raises(ValidationError) as err:
        sfo.full_clean()
    assert "school" in err.value.message_dict
