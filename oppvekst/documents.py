"""Uploaded documents (income statements, priority-claim documentation): PDF, PNG or JPEG.

The type is decided from the file's first bytes (its signature), never from the name or the
Content-Type the uploader's browser claimed, both when a file is accepted and when it is served.
A stored file whose bytes match none of the allowed types is served as
``application/octet-stream``, always as a download (with ``nosniff`` set by the security
middleware), so an upload can never be rendered as HTML or script in the application's origin."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

ALLOWED_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
HEAD_BYTES = 16
FALLBACK_TYPE = "application/octet-stream"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, suffix) of an allowed type whose signature ``head`` starts with."""
    for signature, content_type, suffix in ALLOWED_SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    return None


def sniff_upload(upload: object) -> tuple[str, str] | None:
    """Sniff an uploaded file and rewind it for whoever saves it."""
    read = getattr(upload, "read", None)
    seek = getattr(upload, "seek", None)
    if read is None or seek is None:
        return None
    head = read(HEAD_BYTES)
    seek(0)
    return sniff(head if isinstance(head, bytes) else b"")


def document_response(file: FieldFile, filename_stem: str) -> FileResponse:
    """A download of a stored document, typed by its sniffed bytes."""
    handle = file.open("rb")
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    found = sniff(head)
    content_type, suffix = found if found is not None else (FALLBACK_TYPE, "bin")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename_stem}.{suffix}",
        content_type=content_type,
    )
