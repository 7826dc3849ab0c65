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
