"""The WSGI application, warmed on import (docs/decisions/0003-serving.md).

Importing this module sets Django up and resolves the URL configuration, which imports every
view module, and loads the translation catalogues and the base template. Under gunicorn with
preload_app this runs once in the master before the workers fork, so a new worker's first request
costs no more than any other.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
application = get_wsgi_application()
# Refuse to serve without a key rather than fail on the first request that signs something.
try:
    settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key when it is read
except ImproperlyConfigured:
    raise ImproperlyConfigured(settings.SECRET_KEY_REQUIRED_MESSAGE) from None


def warm() -> None:
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration and its views
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Barn")
    get_template("base.html")


warm()
