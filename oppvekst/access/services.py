"""Changes to access: service tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction

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
        )
    return token, plaintext


def service_token_revoke(*, token: ServiceToken) -> None:
    ServiceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def service_token_lookup(plaintext: str) -> ServiceToken | None:
    token = (
        ServiceToken.objects.select_related("user__person")
        .filter(token_hash=hash_token(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= clock.now():
        return None
    return token
