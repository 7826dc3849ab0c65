"""Password logins (the admin) refuse weak passwords, with the reasons in bokmål."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from oppvekst.access.models import User

pytestmark = pytest.mark.django_db


def _reasons(password: str, user: User | None = None) -> list[str]:
    with translation.override("nb"), pytest.raises(ValidationError) as err:
        validate_password(password, user)
    return [str(m) for m in err.value.messages]


def test_a_short_all_digit_password_is_refused_in_norwegian() -> None:
    reasons = _reasons("12345678")
    assert any("Passordet er for kort" in r for r in reasons)
    assert any("bare tall" in r for r in reasons)


def test_a_common_password_is_refused() -> None:
    assert any("for vanlig" in r for r in _reasons("qwerty123456"))


def test_a_password_like_the_username_is_refused() -> None:
    user = User(username="kari.nordmann.admin", first_name="Kari", last_name="Nordmann")
    assert any("for likt" in r for r in _reasons("kari.nordmann.admin1", user))


def test_a_long_passphrase_is_accepted() -> None:
    validate_password("tre blå hester i fjæra")


def test_the_admin_password_change_form_shows_the_reasons(client: Client) -> None:
    admin = User.objects.create_superuser("sjef", "sjef@kommune.example", "en lang og god frase")
    client.force_login(admin)
    response = client.post(
        f"/admin/access/user/{admin.pk}/password/",
        {"password1": "1234", "password2": "1234"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Passordet er for kort" in page
    admin.refresh_from_db()
    assert admin.check_password("en lang og god frase")
