"""Changes to access: service tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oppvekst import clock
from oppvekst.access.models import ServiceToken, User

TOKEN_PREFIX = "opv_"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def service_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_at: dt.datetime | None = None,
    demo: bool = False,
) -> tuple[ServiceToken, str]:
    """Create a token; the plaintext is returned once and never stored."""
    from oppvekst.access import registry

    unknown = [s for s in scopes or [] if not registry.is_known(s)]
    if unknown:
        raise ValueError(f"unknown actions: {', '.join(unknown)}")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ServiceToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(plaintext),
            prefix=plaintext[:10],
            scopes=list(scopes or []),
            expires_at=expires_at,
            demo=demo,
        )
    return token, plaintext


def service_token_revoke(*, token: ServiceToken) -> None:
    ServiceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def token_now() -> dt.datetime:
    """The later of the application clock and the wall clock: a demo standing on a past date
    must not keep a token alive past its real expiry."""
    return max(clock.now(), timezone.now())


def demo_token_create(*, user: User, name: str) -> tuple[ServiceToken, str]:
    """A token for a demo person: works only while the server runs in demo mode, and expires
    after ``settings.DEMO_TOKEN_HOURS``."""
    if not settings.DEMO_MODE:
        raise PermissionError("demo tokens exist only in demo mode")
    expires = token_now() + dt.timedelta(hours=settings.DEMO_TOKEN_HOURS)
    return service_token_create(user=user, name=name, expires_at=expires, demo=True)


def service_token_lookup(plaintext: str) -> ServiceToken | None:
    token = (
        ServiceToken.objects.select_related("user__person")
        .filter(token_hash=hash_token(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.demo and not settings.DEMO_MODE:
        return None
    if token.expires_at is not None and token.expires_at <= token_now():
        return None
    return token
