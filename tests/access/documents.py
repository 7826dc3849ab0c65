"""Text of served documents for the protected-address tests: PDFs through pdftotext (poppler)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def pdf_text(data: bytes) -> str:
    """The text of a PDF; the test is skipped where poppler-utils is missing."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode(errors="replace")
