"""Uploaded documents are typed by their bytes (PDF, PNG, JPEG), never by the name or the type
the browser claimed, when accepted and when served."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from oppvekst.admission import services
from oppvekst.admission.models import ClaimKind
from oppvekst.documents import document_response, sniff
from oppvekst.errors import DomainError
from tests.admission import builders

pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_claim_document_with_a_pdf_name_but_other_bytes_is_refused() -> None:
    w = builders.world()
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 2))
    app = builders.apply(child, mum, [w.kg[0]])
    with pytest.raises(DomainError) as err:
        services.claim_add(
            application_id=app.pk,
            by=mum,
            kind=ClaimKind.STRAIN,
            document=SimpleUploadedFile("erklaering.pdf", HTML, "application/pdf"),
        )
    assert "document" in err.value.fields


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HTML, "application/octet-stream"),
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
    ],
)
def test_a_stored_document_is_served_by_its_sniffed_type(content: bytes, expected: str) -> None:
    w = builders.world()
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 2, 3))
    app = builders.apply(child, mum, [w.kg[0]])
    claim = services.claim_add(
        application_id=app.pk,
        by=mum,
        kind=ClaimKind.STRAIN,
        document=SimpleUploadedFile("ok.pdf", b"%PDF-1.4 ok", "application/pdf"),
    )
    # A file stored before uploads were sniffed, under a name that claims an image.
    claim.document.save("bilde.png", ContentFile(content))
    response = document_response(claim.document, "dokumentasjon")
    assert response["Content-Type"] == expected
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == content  # type: ignore[arg-type]


def test_only_the_allow_listed_signatures_are_known() -> None:
    assert sniff(b"GIF89a") is None and sniff(b"<svg") is None and sniff(b"") is None
