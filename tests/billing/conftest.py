"""Billing fixtures: the demo municipalities get a zone and municipal prices (SFO place types,
food money) once per session, as `oppvekst billing_demo` does for a demo database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DEMO_TODAY


@pytest.fixture(scope="session", autouse=True)
def _billing_demo_prices(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from oppvekst import clock
    from oppvekst.billing.services import billing_setup_municipality
    from oppvekst.core.models import Municipality

    with django_db_blocker.unblock(), clock.frozen(DEMO_TODAY):
        for municipality in Municipality.objects.all():
            billing_setup_municipality(municipality=municipality)
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """ERP files and uploaded documents go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def town(db: Any) -> Any:
    from tests.billing.scenario import build_town

    return build_town()
