"""Password rules for password logins (the admin; everyone else logs in through OpenID Connect).

Django's validators are used as they are, except that the length message is given here: Django
5.2 changed its wording and its bokmål catalogue has not caught up, so it would show in English.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("Passordet er for kort. Det må ha minst %(min_length)d tegn.") % {
            "min_length": self.min_length
        }
