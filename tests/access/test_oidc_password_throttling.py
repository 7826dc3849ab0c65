"""Login throttling for the one password login there is, the Django admin,
with django-axes. (Named test_oidc_* only to sit with the other login tests.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from oppvekst.access.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "riktig-passord-123"


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("driftsadmin", "drift@example.no", PASSWORD)


def attempt(client: Client, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "driftsadmin", "password": password},
        REMOTE_ADDR=address,
    )


def test_admin_login_is_locked_after_repeated_failures(client: Client, admin_user: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert attempt(client, "feil").status_code == 200  # the form again, with its error
    locked = attempt(client, "feil")
    assert locked.status_code == 429
    # Now even the right password is refused, with a clear page.
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "For mange mislykkede innlogginger" in html and "Prøv igjen om 60 min." in html
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_address_and_a_success_resets_the_count(
    client: Client, admin_user: User
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "feil")
    assert attempt(client, PASSWORD).status_code == 429
    # From another address the administrator still gets in (nobody can lock them out remotely).
    elsewhere = Client()
    assert attempt(elsewhere, PASSWORD, address="10.0.0.2").status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(admin_user.pk)
    # A success forgets earlier failures from that address.
    third = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(third, "feil", address="10.0.0.3")
    assert attempt(third, PASSWORD, address="10.0.0.3").status_code == 302
    assert attempt(Client(), "feil", address="10.0.0.3").status_code == 200
