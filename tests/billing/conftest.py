"""Billing fixtures. Database tests get the demo municipalities' zones and municipal prices
(SFO place types, food money) once per session, as `oppvekst billing_demo` does, and keep ERP
files and uploads in a temporary directory. The pure engine tests need no database and run
with `-p no:django` too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DEMO_TODAY


@pytest.fixture(scope="session")
def _billing_demo_prices(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from oppvekst import clock
    from oppvekst.billing.services import billing_setup_municipality
    from oppvekst.core.models import Municipality

    with django_db_blocker.unblock(), clock.frozen(DEMO_TODAY):
        for municipality in Municipality.objects.all():
            billing_setup_municipality(municipality=municipality)
    yield


@pytest.fixture(autouse=True)
def _billing_database(request: Any) -> None:
    """For database tests: demo prices, and MEDIA_ROOT in a temporary directory (ERP files and
    uploaded documents never land in var/)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_billing_demo_prices")
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"


@pytest.fixture
def town(db: Any) -> Any:
    from tests.billing.scenario import build_town

    return build_town()
