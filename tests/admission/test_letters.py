"""Offer letters and answers without an offer, as PDF with reasons and appeal information."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from oppvekst.admission import letters
from oppvekst.admission.models import Offer, RoundOutcome
from tests.admission import builders

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes, tmp_path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_offer_letter_and_no_offer_letter_are_pdfs_with_reasons_and_appeal_rights(
    tmp_path,
) -> None:
    w = builders.world(seats=1)
    a, (ma, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    b, (mb, _) = builders.family(w.muni, dt.date(2026, 2, 1))
    builders.apply(a, ma, [w.kg[0]])
    app_b = builders.apply(b, mb, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(round=w.round)
    letter = letters.offer_letter(offer)
    text = " ".join(t for _k, t in letter.paragraphs)
    assert "klage" in text.lower() and "tre uker" in text
    assert offer.unit.name in letter.title
    data = letters.render_pdf(letter)
    assert data.startswith(b"%PDF")
    outcome = RoundOutcome.objects.get(application=app_b)
    refusal = letters.no_offer_letter(app_b, outcome)
    reasons = " ".join(t for k, t in refusal.paragraphs if k == "li")
    assert w.kg[0].name in reasons and "01.01.2026" in reasons
    assert any("§ 16" in t for _k, t in refusal.paragraphs)  # a right-holder is told
    pdf = letters.render_pdf(refusal)
    assert pdf.startswith(b"%PDF")
    extracted = _pdf_text(pdf, tmp_path)
    if extracted is not None:
        assert "Klagefristen er tre uker" in " ".join(extracted.split())
