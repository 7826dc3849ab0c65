"""Settings for the test suite: the production settings with test data allowed."""

import os

os.environ.setdefault("OPPVEKST_TESTING", "1")
os.environ.setdefault("OPPVEKST_ALLOW_SYNTHETIC_IDS", "1")
os.environ.setdefault("OPPVEKST_DEMO", "1")

from oppvekst.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
