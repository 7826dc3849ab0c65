"""Text of served documents for the protected-address tests: PDFs through pdftotext (poppler)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def pdf_text(data: bytes) -> str:
    """The text of a PDF; the test is skipped where poppler-utils is missing. Bytes that are
    no PDF pdftotext can read (a placeholder in test data) are returned as they are."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=False, timeout=30
    )
    if done.returncode != 0:
        return data.decode(errors="replace")
    return done.stdout.decode(errors="replace")
