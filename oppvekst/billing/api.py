"""Invoices in the JSON API: a payer's own invoices (and a caseworker's municipality's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from oppvekst.access import audit
from oppvekst.access.policy import scope
from oppvekst.api.base import actor, page_of
from oppvekst.billing import selectors
from oppvekst.billing.engine.money import format_nok
from oppvekst.billing.explain import law_name, rule_label
from oppvekst.billing.models import Invoice, RunStatus
from oppvekst.billing.permissions import BillingAction
from oppvekst.errors import NotFoundError

router = Router(tags=["billing"])


class InvoiceSummary(Schema):
    id: int
    month: dt.date
    order_number: str
    customer_number: str
    total_nok: str = Field(description="Amount to pay, kroner with two decimals")
    previous_total_nok: str | None
    status: str


class InvoicePage(Schema):
    items: list[InvoiceSummary]
    count: int


class InvoiceLineOut(Schema):
    child_id: int
    child_name: str
    period: dt.date
    kind: str = Field(description="charge or correction")
    service: str
    rule: str
    label: str
    source: str = Field(description="The law the line rests on, by name")
    amount_nok: str
    share_percent: int


class InvoiceOut(InvoiceSummary):
    lines: list[InvoiceLineOut]
    why_changed: dict[str, list[str]] = Field(description="Per child id: why the amount changed")


class InvoiceParams(Schema):
    limit: int = Field(24, ge=1, le=200)
    offset: int = Field(0, ge=0)


def _summary(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "month": invoice.run.month,
        "order_number": invoice.order_number,
        "customer_number": invoice.customer_number,
        "total_nok": format_nok(invoice.total_ore),
        "previous_total_nok": None
        if invoice.previous_total_ore is None
        else format_nok(invoice.previous_total_ore),
        "status": invoice.run.status,
    }


def _visible(request: HttpRequest) -> Any:
    a = actor(request)
    qs = scope(a, BillingAction.READ_INVOICE, Invoice.objects.all())
    # Families see invoices of approved and locked runs only; a preview may still change.
    own = a.person.pk if a.person is not None else -1
    return qs.filter(Q(run__status__in=[RunStatus.APPROVED, RunStatus.LOCKED]) | ~Q(payer_id=own))


@router.get("/invoices", response=InvoicePage, summary="Invoices the actor may read")
def list_invoices(request: HttpRequest, params: Query[InvoiceParams]) -> dict[str, Any]:
    qs = _visible(request).select_related("run").order_by("-run__month", "order_number")
    count = qs.count()
    items = [_summary(i) for i in qs[params.offset : params.offset + params.limit]]
    return page_of(items, count)


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="One invoice with lines")
def get_invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    a = actor(request)
    if not _visible(request).filter(pk=invoice_id).exists():
        raise Http404
    try:
        view = selectors.invoice_detail(a, invoice_id)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(a, "billing.read_invoice", [c.child.pk for c in view.children], request=request)
    lines = [
        {
            "child_id": entry.child.pk,
            "child_name": entry.child.full_name,
            "period": line.period,
            "kind": line.kind,
            "service": line.service,
            "rule": line.rule_id,
            "label": rule_label(line.rule_table),
            "source": law_name(line.rule_table, line.service),
            "amount_nok": format_nok(line.amount_ore),
            "share_percent": line.share_percent,
        }
        for entry in view.children
        for line in entry.lines
    ]
    return {
        **_summary(view.invoice),
        "lines": lines,
        "why_changed": {
            str(entry.child.pk): entry.explanations for entry in view.children if entry.explanations
        },
    }
