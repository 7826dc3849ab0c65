"""The ERP invoice basis of a locked run: a CSV layout and a JSON document shaped after FINT's
``okonomi.faktura`` Fakturagrunnlag (integrations.md §§ 7, 11). The layouts are documented in
docs/erp-export.md; golden-file tests keep them exact.

Both files hold the same invoices (one per payer with a non-zero line), the same lines (invoiced
lines with a non-zero amount; private-kindergarten lines are not invoiced by the municipality)
and the same control total. Amounts are integer øre, as in FINT.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from oppvekst.billing.engine.rules import YearMonth
from oppvekst.billing.explain import rule_label_nb
from oppvekst.billing.models import Invoice, InvoiceLine, InvoiceRun
from oppvekst.core.models import Municipality, Unit
from oppvekst.people import disclosure
from oppvekst.people.models import Person

FORMAT = "oppvekst.fakturagrunnlag/1"
# KOSTRA functions: 201 barnehage, 215 skolefritidstilbud (the "tjeneste" dimension).
KOSTRA_FUNCTION = {"kindergarten": "201", "sfo": "215"}
CSV_COLUMNS = (
    "posttype",
    "ordrenummer",
    "kundenummer",
    "fodselsnummer",
    "etternavn",
    "fornavn",
    "adresse",
    "postnummer",
    "poststed",
    "periode_fra",
    "periode_til",
    "linjetype",
    "varekode",
    "varetekst",
    "barn_fornavn",
    "barn_etternavn",
    "barn_fodselsdato",
    "enhet_orgnr",
    "enhet_navn",
    "tjeneste",
    "antall",
    "pris_ore",
    "belop_ore",
)
NB_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


NO_UNIT = {"name": "", "organisation_number": ""}
ADDRESS_COLUMNS = [CSV_COLUMNS.index(c) for c in ("adresse", "postnummer", "poststed")]
UNIT_COLUMNS = [CSV_COLUMNS.index(c) for c in ("enhet_orgnr", "enhet_navn")]


@dataclass
class ExportFiles:
    csv_text: str
    json_text: str
    invoice_count: int
    line_count: int
    control_total_ore: int

    @property
    def csv_sha256(self) -> str:
        return hashlib.sha256(self.csv_text.encode()).hexdigest()

    @property
    def json_sha256(self) -> str:
        return hashlib.sha256(self.json_text.encode()).hexdigest()


def _fint_date(day: dt.date) -> str:
    """FINT dates: ISO 8601 at 12:00 Zulu, so the date reads the same in Norway."""
    return f"{day.isoformat()}T12:00:00Z"


def _month_text(day: dt.date) -> str:
    return f"{NB_MONTHS[day.month - 1]} {day.year}"


def build_export(run: InvoiceRun) -> ExportFiles:
    """Both files for ``run`` from its lines (a handful of bulk queries)."""
    municipality = Municipality.objects.get(pk=run.municipality_id)
    month = YearMonth(run.month.year, run.month.month)
    invoices = {
        inv.payer_id: inv for inv in Invoice.objects.filter(run=run).order_by("order_number")
    }
    lines = list(
        _exported_lines(run).values_list(
            "payer_id",
            "child_id",
            "unit_id",
            "service",
            "period",
            "kind",
            "rule_id",
            "rule_table",
            "amount_ore",
        )
    )
    by_payer: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in lines:
        by_payer[row[0]].append(row)
    person_ids = set(by_payer) | {row[1] for row in lines}
    people = {
        p["pk"]: p
        for p in Person.objects.filter(pk__in=person_ids).values(
            "pk",
            "identity_number",
            "first_name",
            "middle_name",
            "last_name",
            "birth_date",
            "street_address",
            "postal_code",
            "postal_town",
        )
    }
    hidden_address, hidden_unit = _withheld(person_ids)
    for pk in hidden_address:
        # A protected address never leaves the system (domain/norway.md §6.1): the ERP gets
        # blank address fields and sends the invoice to the digital mailbox instead.
        people[pk]["street_address"] = people[pk]["postal_code"] = people[pk]["postal_town"] = ""
    units = {
        u["pk"]: u
        for u in Unit.objects.filter(pk__in={row[2] for row in lines if row[2]}).values(
            "pk", "name", "organisation_number"
        )
    }
    ordered = sorted(by_payer, key=lambda payer: invoices[payer].order_number)
    labels: dict[str, str] = {}

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    documents: list[dict[str, Any]] = []
    control = count = 0
    start, end = month.first_day, month.last_day
    for payer_id in ordered:
        invoice = invoices[payer_id]
        payer = people[payer_id]
        given = " ".join(p for p in (payer["first_name"], payer["middle_name"]) if p)
        fint_lines = []
        net = 0
        for _payer, child_id, unit_id, service, period, kind, rule_id, table, amount in by_payer[
            payer_id
        ]:
            child = people[child_id]
            unit = units.get(unit_id, NO_UNIT) if child_id not in hidden_unit else NO_UNIT
            period_end = YearMonth(period.year, period.month).last_day
            label = labels.get(table) or labels.setdefault(table, rule_label_nb(table))
            if kind == "correction":
                label = f"Korreksjon {_month_text(period)}: {label}"
            writer.writerow(
                (
                    "L",
                    invoice.order_number,
                    invoice.customer_number,
                    payer["identity_number"] or "",
                    payer["last_name"],
                    given,
                    payer["street_address"],
                    payer["postal_code"],
                    payer["postal_town"],
                    period.isoformat(),
                    period_end.isoformat(),
                    "K" if kind == "correction" else "M",
                    rule_id,
                    label,
                    child["first_name"],
                    child["last_name"],
                    child["birth_date"].isoformat(),
                    unit["organisation_number"],
                    unit["name"],
                    KOSTRA_FUNCTION[service],
                    1,
                    amount,
                    amount,
                )
            )
            fint_lines.append(
                {
                    "vare": {
                        "kode": rule_id,
                        "navn": label,
                        "enhet": "måned",
                        "kontering": {"tjeneste": KOSTRA_FUNCTION[service]},
                    },
                    "antall": "1",
                    "pris": str(amount),
                    "fritekst": [
                        f"{child['first_name']} {child['last_name']}",
                        _month_text(period),
                        unit["name"],
                    ],
                    "periode": {"start": _fint_date(period), "slutt": _fint_date(period_end)},
                    "linjetype": "korreksjon" if kind == "correction" else "ordinær",
                }
            )
            net += amount
            count += 1
        control += net
        documents.append(
            {
                "ordrenummer": {"identifikatorverdi": invoice.order_number},
                "leveringsdato": _fint_date(start),
                "mottaker": {
                    "person": {
                        "fodselsnummer": {"identifikatorverdi": payer["identity_number"] or ""},
                        "navn": {
                            "fornavn": payer["first_name"],
                            "mellomnavn": payer["middle_name"],
                            "etternavn": payer["last_name"],
                        },
                        "bostedsadresse": {
                            "adresselinje": [payer["street_address"]],
                            "postnummer": payer["postal_code"],
                            "poststed": payer["postal_town"],
                        },
                    },
                    "kundenummer": invoice.customer_number,
                },
                "fakturalinjer": fint_lines,
                "nettobeløp": str(net),
                "avgiftsbeløp": "0",
                "totalbeløp": str(net),
            }
        )
    writer.writerow(("T", len(ordered), count, control) + ("",) * (len(CSV_COLUMNS) - 4))
    document = {
        "format": FORMAT,
        "fakturautsteder": {
            "navn": f"{municipality.name} kommune",
            "systemId": {"identifikatorverdi": municipality.number},
        },
        "periode": {"start": _fint_date(start), "slutt": _fint_date(end)},
        "fakturagrunnlag": documents,
        "kontroll": {
            "antallFakturagrunnlag": len(ordered),
            "antallFakturalinjer": count,
            "sumTotalbeløp": str(control),
        },
    }
    return ExportFiles(
        csv_text=out.getvalue(),
        json_text=_json_text(document),
        invoice_count=len(ordered),
        line_count=count,
        control_total_ore=control,
    )


def _exported_lines(run: InvoiceRun) -> Any:
    """The lines in the files, in file order within each payer."""
    return (
        InvoiceLine.objects.filter(run=run, invoiced=True, payer__isnull=False)
        .exclude(amount_ore=0)
        .order_by("payer_id", "child_id", "period", "kind", "service", "pk")
    )


def _withheld(person_ids: set[int]) -> tuple[set[int], set[int]]:
    """Of these persons, whose address and whose unit a file for another system may not carry,
    by their protection as recorded now (domain/norway.md §6.1, items 2-4)."""
    people = Person.objects.filter(pk__in=person_ids).only(
        "pk", "street_address", "postal_code", "postal_town", "address_protection"
    )
    hidden_address = {p.pk for p in people if disclosure.address_for_document(p) is None}
    hidden_unit = {p.pk for p in people if not disclosure.unit_in_document(p)}
    return hidden_address, hidden_unit


def export_to_serve(run: InvoiceRun, fmt: str, stored: str) -> str:
    """A stored file of a locked run as it may leave the system today: protection raised since
    the run was locked blanks the address and the unit again (domain/norway.md §6.1, item 4:
    re-check the grading before each disclosure). Unchanged when nobody in it is protected."""
    invoices = Invoice.objects.filter(run=run).order_by("order_number")
    order = {payer: n for n, payer in enumerate(invoices.values_list("payer_id", flat=True))}
    keys = sorted(
        _exported_lines(run).values_list("payer_id", "child_id"),
        key=lambda k: order.get(k[0], len(order)),
    )
    hidden_address, hidden_unit = _withheld({p for p, _c in keys} | {c for _p, c in keys})
    if not any(p in hidden_address or c in hidden_unit for p, c in keys):
        return stored
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(stored), delimiter=";"))
        for row, (payer, child) in zip(rows[1:], keys, strict=False):
            for i in ADDRESS_COLUMNS if payer in hidden_address else []:
                row[i] = ""
            for i in UNIT_COLUMNS if child in hidden_unit else []:
                row[i] = ""
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
        return out.getvalue()
    document = json.loads(stored)
    pending = iter(keys)
    for invoice in document["fakturagrunnlag"]:
        payers: set[int] = set()
        for line in invoice["fakturalinjer"]:
            payer, child = next(pending)
            payers.add(payer)
            if child in hidden_unit:
                line["fritekst"][2:] = [""]
        if payers & hidden_address:
            invoice["mottaker"]["person"]["bostedsadresse"] = {
                "adresselinje": [""],
                "postnummer": "",
                "poststed": "",
            }
    return _json_text(document)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_text(document: dict[str, Any]) -> str:
    """Compact JSON with one Fakturagrunnlag per line: valid JSON, diffable, and written by the
    C encoder (an indented dump of a large run is several times slower)."""
    head = {k: v for k, v in document.items() if k not in ("fakturagrunnlag", "kontroll")}
    parts = [_compact(head)[:-1], ',"fakturagrunnlag":[']
    body = ",\n".join(_compact(doc) for doc in document["fakturagrunnlag"])
    parts.append("\n" + body + "\n" if body else "")
    parts.append('],"kontroll":' + _compact(document["kontroll"]) + "}\n")
    return "".join(parts)
