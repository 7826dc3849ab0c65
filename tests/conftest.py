"""Shared fixtures. The demo municipality (small scale, fixed seed) is generated once per test
session; tests that change data run inside a transaction that is rolled back."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from oppvekst import clock

DEMO_TODAY = dt.date(2026, 11, 25)

# Property tests draw the same examples on every run, so CI never fails by chance; run
# `pytest --hypothesis-seed=random` (or HYPOTHESIS_PROFILE=explore) to search wider.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _fixed_today() -> Iterator[None]:
    with clock.frozen(DEMO_TODAY):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from oppvekst.demo.generator import generate

    with django_db_blocker.unblock(), clock.frozen(DEMO_TODAY):
        generate(seed=7, scale=0.05)


@pytest.fixture
def persona_client(client: Any, db: Any) -> Any:
    """A test client logged in as a demo persona: persona_client('teacher')."""
    from oppvekst.demo.models import DemoPersona

    def login(slug: str) -> Any:
        user = DemoPersona.objects.get(slug=slug).user
        client.force_login(user)
        return client

    return login
