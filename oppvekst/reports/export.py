"""The statutory reports as rows for CSV and XLSX (one header row, one row per unit, totals)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _


def gsi_rows(report: dict[str, Any]) -> list[list[Any]]:
    grades = [str(g) for g in range(1, 11)]
    header = [_("Skole"), _("Elever")]
    for g in grades:
        header += [
            _("Jenter %(grade)s. trinn") % {"grade": g},
            _("Gutter %(grade)s. trinn") % {"grade": g},
        ]
    header += [
        _("Lærerårsverk"),
        _("Gruppestørrelse 2, 1.–4."),
        _("Gruppestørrelse 2, 5.–7."),
        _("Gruppestørrelse 2, 8.–10."),
        _("Elever i SFO"),
    ]
    rows: list[list[Any]] = [header]
    for school in report["schools"]:
        row: list[Any] = [school["name"], school["pupils"]]
        for g in grades:
            counts = school["pupils_by_grade"].get(g)
            row += [counts["girls"], counts["boys"]] if counts else ["", ""]
        size = school["group_size_2"]
        row += [school["teacher_fte"], size["1-4"] or "", size["5-7"] or "", size["8-10"] or ""]
        row.append(school["sfo_pupils"])
        rows.append(row)
    return rows


def basil_rows(report: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            _("Barnehage"),
            _("Eierform"),
            _("Barn"),
            _("Under 3 år"),
            _("Over 3 år"),
            _("Korrigerte barn"),
            _("Årsverk grunnbemanning"),
            _("Pedagogiske ledere som kreves"),
        ]
    ]
    owners = {"municipal": _("Kommunal"), "private": _("Privat")}
    for kg in report["kindergartens"]:
        rows.append(
            [
                kg["name"],
                owners.get(kg["owner"], kg["owner"]),
                kg["children"],
                kg["under_3"],
                kg["over_3"],
                kg["children_corrected"],
                kg["fte_basic"],
                kg["pedagogues_required"],
            ]
        )
    return rows


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        # A cell that starts like a formula is quoted as text (CSV injection in spreadsheets).
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook  # only for downloads: pages and workers never pay for it

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append([_number(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(cell: Any) -> Any:
    """Figures are kept as decimal strings in the report; a spreadsheet wants numbers."""
    if isinstance(cell, str) and cell.replace(".", "", 1).isdigit() and cell.isascii():
        return Decimal(cell)
    return cell
