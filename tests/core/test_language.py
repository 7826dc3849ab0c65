"""Counted words agree with their number, and English mode formats dates and numbers in
English (day first, 24-hour clock) instead of keeping the Norwegian formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import formats, translation

TEMPLATES = Path(__file__).resolve().parents[2] / "oppvekst" / "templates"


def _render(text: str, **context: object) -> str:
    return Template("{% load i18n %}" + text).render(Context(context))


def test_no_template_writes_a_plural_as_a_bracketed_ending() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"[a-zæøå]\((er|r|e|ene)\)", line):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {line.strip()[:80]}")
    assert not offenders


def test_notice_period_counts_months_in_both_languages() -> None:
    path = TEMPLATES / "portal" / "placement.html"
    block = re.search(r"{% blocktranslate count months.*?{% endblocktranslate %}", path.read_text())
    assert block is not None
    day = dt.date(2026, 12, 31)
    one = _render(block.group(0), notice_months=1, earliest_last_day=day)
    three = _render(block.group(0), notice_months=3, earliest_last_day=day)
    assert "1 måned fra" in one and "3 måneder fra" in three
    with translation.override("en"):
        assert "1 month from" in _render(block.group(0), notice_months=1, earliest_last_day=day)
        three_en = _render(block.group(0), notice_months=3, earliest_last_day=day)
        assert "3 months from" in three_en and "31 Dec 2026" in three_en


def test_dates_and_numbers_follow_the_chosen_language() -> None:
    day = dt.date(2026, 3, 12)
    assert formats.date_format(day, "SHORT_DATE_FORMAT") == "12.03.2026"
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "12 Mar 2026"
        assert formats.number_format(1234.5, 2, use_l10n=True, force_grouping=True) == "1,234.50"
    with translation.override("nb"):
        assert formats.number_format(1234.5, 2, use_l10n=True, force_grouping=True) == "1\xa0234,50"


def test_templates_use_named_date_formats_not_norwegian_patterns() -> None:
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r'\|date:"(d\.m\.Y|j\.n\.Y|j\. F)', path.read_text(encoding="utf-8"))
    ]
    assert not offenders
