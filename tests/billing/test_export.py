"""The ERP invoice basis (docs/erp-export.md): golden files for a locked run and for the next
run with correction lines, and the control totals of both layouts.

Regenerate the golden files after an intended change of layout with
``OPPVEKST_UPDATE_GOLDEN=1 .venv/bin/pytest tests/billing/test_export.py`` and review the diff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest

from oppvekst.billing.export import CSV_COLUMNS, FORMAT, build_export
from oppvekst.billing.models import ErpExport, Invoice, InvoiceRun
from oppvekst.placements.services import placement_end
from tests.billing.scenario import Town, run_month
from tests.billing.test_runs import _grant_fjell

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("OPPVEKST_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with OPPVEKST_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def _two_runs(town: Town) -> tuple[InvoiceRun, InvoiceRun]:
    october = run_month(town.municipality, dt.date(2026, 10, 1))
    placement_end(placement=town.jonas_place, last_day=dt.date(2026, 9, 30))
    _grant_fjell(town, dt.date(2026, 11, 10))
    november = run_month(town.municipality, dt.date(2026, 11, 1))
    return october, november


def test_erp_files_match_the_golden_files(town: Town) -> None:
    october, november = _two_runs(town)
    for run, stem in ((october, "testvik-2026-10"), (november, "testvik-2026-11")):
        export = ErpExport.objects.get(run=run)
        csv_text = export.csv_file.open("rb").read().decode()
        json_text = export.json_file.open("rb").read().decode()
        _check_golden(f"{stem}.csv", csv_text)
        _check_golden(f"{stem}.json", json_text)
        # The stored files are exactly what the builder produces from the locked lines.
        again = build_export(run)
        assert (again.csv_text, again.json_text) == (csv_text, json_text)
        assert export.csv_sha256 == again.csv_sha256


def test_both_layouts_carry_the_same_control_total(town: Town) -> None:
    _october, november = _two_runs(town)
    files = build_export(november)
    rows = list(csv.reader(io.StringIO(files.csv_text), delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    lines, trailer = rows[1:-1], rows[-1]
    assert trailer[:4] == [
        "T",
        str(files.invoice_count),
        str(len(lines)),
        str(files.control_total_ore),
    ]
    assert sum(int(r[CSV_COLUMNS.index("belop_ore")]) for r in lines) == files.control_total_ore
    document = json.loads(files.json_text)
    assert document["format"] == FORMAT
    control = document["kontroll"]
    assert control["sumTotalbeløp"] == str(files.control_total_ore)
    assert control["antallFakturalinjer"] == len(lines)
    assert sum(int(d["totalbeløp"]) for d in document["fakturagrunnlag"]) == files.control_total_ore
    invoices = Invoice.objects.filter(run=november)
    assert files.control_total_ore == sum(i.total_ore for i in invoices)
    # Correction lines are marked as such, with the period they correct.
    corrections = [r for r in lines if r[CSV_COLUMNS.index("linjetype")] == "K"]
    assert corrections and {r[CSV_COLUMNS.index("periode_fra")] for r in corrections} == {
        "2026-10-01"
    }
    # Payer identity number and customer number on every invoice basis.
    for basis in document["fakturagrunnlag"]:
        assert len(basis["mottaker"]["person"]["fodselsnummer"]["identifikatorverdi"]) == 11
        assert basis["mottaker"]["kundenummer"].isdigit()


def test_protected_payer_address_never_reaches_the_erp_files(town: Town) -> None:
    from oppvekst.people.models import AddressProtection, Person

    run_month(town.municipality, dt.date(2026, 10, 1))
    Person.objects.filter(pk__in=Invoice.objects.values("payer_id")).update(
        address_protection=AddressProtection.CONFIDENTIAL, street_address="Kanarifuglvegen 1"
    )
    run = InvoiceRun.objects.order_by("-pk").first()
    assert run is not None
    built = build_export(run)
    assert "Kanarifuglvegen" not in built.csv_text
    assert "Kanarifuglvegen" not in built.json_text
