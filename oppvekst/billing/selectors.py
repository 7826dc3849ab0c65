"""Reads of billing data, always scoped through ``oppvekst.access.policy`` (404 for what the
actor may not know exists)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Abs
from django.utils.translation import gettext as _

from oppvekst.access.policy import Actor, can, scope
from oppvekst.billing import compute
from oppvekst.billing.engine.rules import MissingRuleError, YearMonth
from oppvekst.billing.explain import COMPENSATED_TABLES, explain_all, law_name, rule_label
from oppvekst.billing.models import (
    Invoice,
    InvoiceChange,
    InvoiceLine,
    InvoiceRun,
    RateRule,
    ReductionApplication,
    ReductionStatus,
    RunStatus,
)
from oppvekst.billing.permissions import BillingAction
from oppvekst.billing.rulebook import MissingZone
from oppvekst.core.models import Municipality, Unit
from oppvekst.daterange import DateRange
from oppvekst.errors import NotFoundError
from oppvekst.people import disclosure
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement


def _not_found() -> NotFoundError:
    return NotFoundError("Not found.")


# -- caseworker: municipalities and runs ------------------------------------------------------


def billing_municipalities(actor: Actor) -> list[Municipality]:
    return list(scope(actor, BillingAction.RUN, Municipality.objects.all()).order_by("name"))


def runs(
    actor: Actor, *, municipality_id: int | None = None, limit: int = 24, offset: int = 0
) -> tuple[list[InvoiceRun], int]:
    qs = scope(actor, BillingAction.READ_RUN, InvoiceRun.objects.all())
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    count = qs.count()
    rows = list(qs.select_related("municipality").order_by("-month", "municipality__name"))
    return rows[offset : offset + limit], count


def run_detail(actor: Actor, run_id: int) -> InvoiceRun:
    run = (
        scope(actor, BillingAction.READ_RUN, InvoiceRun.objects.all())
        .select_related("municipality", "created_by", "approved_by", "locked_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise _not_found()
    return run


CHANGE_ORDERINGS = {
    "difference": ("-abs_difference", "child__last_name", "pk"),
    "name": ("child__last_name", "child__first_name", "pk"),
    "payer": ("payer__last_name", "payer__first_name", "pk"),
}


@dataclass
class ChangeRow:
    change: InvoiceChange
    explanations: list[str]

    @property
    def difference_ore(self) -> int:
        return self.change.difference_ore


def run_changes(
    run: InvoiceRun, *, search: str = "", ordering: str = "difference", limit: int, offset: int
) -> tuple[list[ChangeRow], int]:
    """The children whose amount differs from last month, with the explanation."""
    qs = InvoiceChange.objects.filter(run=run)
    for word in search.split():
        qs = qs.filter(
            Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(payer__last_name__icontains=word)
            | Q(payer__first_name__icontains=word)
        )
    count = qs.count()
    qs = qs.annotate(abs_difference=Abs(F("current_ore") - F("previous_ore")))
    qs = qs.select_related("child", "payer").order_by(
        *CHANGE_ORDERINGS.get(ordering, CHANGE_ORDERINGS["difference"])
    )
    rows = [ChangeRow(c, explain_all(c.reasons)) for c in qs[offset : offset + limit]]
    return rows, count


INVOICE_ORDERINGS = {
    "number": ("order_number",),
    "name": ("payer__last_name", "payer__first_name", "pk"),
    "-total": ("-total_ore", "pk"),
}


def run_invoices(
    run: InvoiceRun, *, search: str = "", ordering: str = "number", limit: int, offset: int
) -> tuple[list[Invoice], int]:
    qs = Invoice.objects.filter(run=run)
    for word in search.split():
        qs = qs.filter(
            Q(payer__first_name__icontains=word)
            | Q(payer__last_name__icontains=word)
            | Q(customer_number=word)
            | Q(order_number=word)
        )
    count = qs.count()
    qs = qs.select_related("payer").order_by(
        *INVOICE_ORDERINGS.get(ordering, INVOICE_ORDERINGS["number"])
    )
    return list(qs[offset : offset + limit]), count


def run_warning_children(run: InvoiceRun) -> dict[int, Person]:
    ids = {e.get("child") for w in run.warnings for e in w.get("examples", []) if e.get("child")}
    return {p.pk: p for p in Person.objects.filter(pk__in=ids)}


# -- invoices -----------------------------------------------------------------------------------


@dataclass
class InvoiceChild:
    child: Person
    lines: list[InvoiceLine] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    previous_ore: int | None = None
    # Whether the unit may be shown next to the child (child.read_location, domain §6.1).
    located: bool = False

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)

    @property
    def changed(self) -> bool:
        return bool(self.explanations)


@dataclass
class InvoiceView:
    invoice: Invoice
    run: InvoiceRun
    children: list[InvoiceChild]


def invoice_detail(actor: Actor, invoice_id: int, *, payer_only: bool = False) -> InvoiceView:
    """One invoice with its lines grouped by child and why each child's amount changed.
    ``payer_only``: the portal, where a caseworker sees only their own invoices too."""
    qs = scope(actor, BillingAction.READ_INVOICE, Invoice.objects.all())
    if payer_only:
        qs = qs.filter(payer_id=actor.person.pk if actor.person else -1)
    invoice = qs.select_related("run", "payer", "run__municipality").filter(pk=invoice_id).first()
    if invoice is None:
        raise _not_found()
    lines = list(
        InvoiceLine.objects.filter(run_id=invoice.run_id, payer_id=invoice.payer_id, invoiced=True)
        .select_related("child", "unit")
        .order_by("child__birth_date", "child_id", "period", "kind", "service", "pk")
    )
    children: dict[int, InvoiceChild] = {}
    for line in lines:
        line.label = rule_label(line.rule_table)  # type: ignore[attr-defined]
        line.law = law_name(line.rule_table, line.service)  # type: ignore[attr-defined]
        children.setdefault(line.child_id, InvoiceChild(line.child)).lines.append(line)
    for change in InvoiceChange.objects.filter(run_id=invoice.run_id, payer_id=invoice.payer_id):
        entry = children.get(change.child_id)
        if entry is None:
            entry = children[change.child_id] = InvoiceChild(Person.objects.get(pk=change.child_id))
        entry.explanations = explain_all(change.reasons)
        entry.previous_ore = change.previous_ore
    located = disclosure.located_children(actor, children)
    for child_id, entry in children.items():
        entry.located = child_id in located
    return InvoiceView(invoice=invoice, run=invoice.run, children=list(children.values()))


def payer_invoices(actor: Actor, *, limit: int = 24) -> list[Invoice]:
    """The actor's own invoices (as payer), newest first; only locked or approved runs are
    shown to families (a preview may still change)."""
    if actor.person is None:
        return []
    qs = scope(actor, BillingAction.READ_INVOICE, Invoice.objects.all()).filter(
        payer_id=actor.person.pk, run__status__in=[RunStatus.APPROVED, RunStatus.LOCKED]
    )
    return list(qs.select_related("run", "run__municipality").order_by("-run__month")[:limit])


# -- current fees (portal) ---------------------------------------------------------------------


@dataclass
class FeeLine:
    label: str
    amount_ore: int
    rule_id: str
    law: str  # the law's name, for people
    is_food: bool
    confirmed: bool


@dataclass
class ChildFees:
    child: Person
    services: dict[str, list[FeeLine]] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    invoiced: dict[str, bool] = field(default_factory=dict)
    shares: dict[str, int] = field(default_factory=dict)
    problem: str = ""

    @property
    def total_ore(self) -> int:
        return sum(
            line.amount_ore
            for lines in self.services.values()
            for line in lines
            if not line.is_food
        )

    @property
    def food_ore(self) -> int:
        return sum(
            line.amount_ore for lines in self.services.values() for line in lines if line.is_food
        )


def _household_of(children: list[int], day: dt.date) -> set[int]:
    """The children who may share a sibling group with ``children``: same household key, or a
    resident guardian with parental responsibility in common (one step, bulk reads)."""
    keys = set(
        Person.objects.filter(pk__in=children)
        .exclude(household_key="")
        .values_list("household_key", flat=True)
    )
    guardians = (
        Guardianship.objects.active_on(day)
        .filter(child_id__in=children, parental_responsibility=True, resident=True)
        .values("guardian_id")
    )
    related = set(
        Guardianship.objects.active_on(day)
        .filter(guardian_id__in=guardians)
        .values_list("child_id", flat=True)
    )
    if keys:
        related |= set(Person.objects.filter(household_key__in=keys).values_list("pk", flat=True))
    return set(children) | related


def current_fees(actor: Actor, month: YearMonth) -> list[ChildFees]:
    """What each of the guardian's children costs in ``month`` by today's data (the pure engine
    on this household only), line by line."""
    own = sorted(actor.ids("child_id", ["guardian"]))
    visible = scope(actor, BillingAction.READ_FEES, Person.objects.filter(pk__in=own))
    children = list(visible.order_by("birth_date", "pk"))
    if not children:
        return []
    family = _household_of([c.pk for c in children], month.first_day)
    municipalities = set(
        Placement.objects.overlapping(DateRange(month.first_day, month.last_day))
        .filter(child_id__in=family, service__in=compute.SERVICES)
        .values_list("municipality_id", flat=True)
    )
    result = {c.pk: ChildFees(child=c) for c in children}
    units: dict[int, Unit] = {}
    for municipality_id in sorted(municipalities):
        inputs = compute.load_inputs(municipality_id, month, month, child_ids=family)
        try:
            lines = compute.compute_month(inputs, month, child_ids=[c.pk for c in children])
        except MissingRuleError:
            for entry in result.values():
                entry.problem = "missing_rules"
            continue
        needed = {line.unit_id for line in lines if line.unit_id} - set(units)
        units.update(Unit.objects.in_bulk(needed))
        for line in lines:
            found = result.get(line.child_id)
            if found is None:
                continue
            entry = found
            fee_lines = entry.services.setdefault(line.service, [])
            # One engine line can be split over two payers: show the whole line once.
            same = next(
                (f for f in fee_lines if f.rule_id == line.rule_id and f.is_food == line.is_food),
                None,
            )
            if same is not None:
                same.amount_ore += line.amount_ore
            else:
                fee_lines.append(
                    FeeLine(
                        label=rule_label(line.rule_table),
                        amount_ore=line.amount_ore,
                        rule_id=line.rule_id,
                        law=law_name(line.rule_table, line.service),
                        is_food=line.is_food,
                        confirmed=line.confirmed,
                    )
                )
            if line.unit_id in units:
                entry.units[line.service] = units[line.unit_id]
            entry.invoiced[line.service] = line.invoiced
            if actor.person is not None and line.payer_id == actor.person.pk:
                entry.shares[line.service] = line.share_percent
    return list(result.values())


# -- reduced-fee applications ---------------------------------------------------------------

REDUCTION_ORDERINGS = {
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "name": ("applicant__last_name", "applicant__first_name", "pk"),
}


def reductions(
    actor: Actor,
    *,
    status: str = "",
    search: str = "",
    ordering: str = "-submitted",
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[ReductionApplication], int]:
    """Applications in the caseworker's municipalities."""
    qs = scope(actor, BillingAction.REDUCTION_DECIDE, ReductionApplication.objects.all())
    if status in ReductionStatus.values:
        qs = qs.filter(status=status)
    for word in search.split():
        qs = qs.filter(
            Q(applicant__first_name__icontains=word) | Q(applicant__last_name__icontains=word)
        )
    count = qs.count()
    qs = qs.select_related("applicant", "municipality").annotate(child_count=Count("children"))
    qs = qs.order_by(*REDUCTION_ORDERINGS.get(ordering, REDUCTION_ORDERINGS["-submitted"]))
    return list(qs[offset : offset + limit]), count


def reduction_counts(actor: Actor) -> dict[str, int]:
    qs = scope(actor, BillingAction.REDUCTION_DECIDE, ReductionApplication.objects.all())
    return dict(qs.values_list("status").annotate(n=Count("pk")).order_by())


def reduction_detail(actor: Actor, application_id: int, *, own_only: bool = False) -> Any:
    qs = scope(actor, BillingAction.REDUCTION_READ, ReductionApplication.objects.all())
    if own_only:
        qs = qs.filter(applicant_id=actor.person.pk if actor.person else -1)
    application = (
        qs.select_related("applicant", "municipality", "decided_by")
        .prefetch_related("children", "documents")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise _not_found()
    return application


def own_reductions(actor: Actor) -> list[ReductionApplication]:
    if actor.person is None:
        return []
    return list(
        scope(actor, BillingAction.REDUCTION_READ, ReductionApplication.objects.all())
        .filter(applicant_id=actor.person.pk)
        .prefetch_related("children")
        .order_by("-submitted_at")
    )


def unconfirmed_labels(run: InvoiceRun) -> list[str]:
    """The rates a run used that are not confirmed in the sources, in words (what they are and
    from when), never as rule keys."""
    ids = list(run.unconfirmed_rules or [])
    if not ids:
        return []
    found: dict[str, tuple[str, dt.date | None]] = {
        rule_id: (table, valid_from)
        for rule_id, table, valid_from in RateRule.objects.filter(rule_id__in=ids)
        .filter(Q(municipality_id=run.municipality_id) | Q(municipality=None))
        .values_list("rule_id", "table", "valid_from")
    }
    labels: list[str] = []
    for rule_id in ids:
        table, since = found.get(rule_id, ("", None))
        text = rule_label(table) if table else _("Sats i oppsettet for betaling")
        if since is not None:
            text = _("%(rule)s (gjelder fra %(date)s)") % {
                "rule": text,
                "date": since.strftime("%d.%m.%Y"),
            }
        if text not in labels:
            labels.append(text)
    return labels


def can_decide(actor: Actor, application: ReductionApplication) -> bool:
    return can(actor, BillingAction.REDUCTION_DECIDE, application)


@dataclass(frozen=True)
class RuleRow:
    label: str
    before_ore: int
    after_ore: int

    @property
    def difference_ore(self) -> int:
        return self.after_ore - self.before_ore


@dataclass(frozen=True)
class EffectRow:
    child: Person
    service_label: str
    before_ore: int
    after_ore: int
    rules: tuple[RuleRow, ...]

    @property
    def difference_ore(self) -> int:
        return self.after_ore - self.before_ore


@dataclass(frozen=True)
class ReductionCalculation:
    """What a grant would change, per child and per rule, in its first month."""

    month: dt.date
    rows: tuple[EffectRow, ...] = ()
    problem: str = ""

    @property
    def before_ore(self) -> int:
        return sum(r.before_ore for r in self.rows)

    @property
    def after_ore(self) -> int:
        return sum(r.after_ore for r in self.rows)

    @property
    def difference_ore(self) -> int:
        return self.after_ore - self.before_ore


def reduction_calculation(
    application: ReductionApplication, month: dt.date | None = None
) -> ReductionCalculation:
    """The monthly fee of each child of ``application`` (read through ``reduction_detail``,
    so already authorized) before and after a grant, in ``month`` (default: the first month
    the decision may apply from). Uses the invoice run's own computation."""
    first = (month or application.earliest_effective).replace(day=1)
    children = list(application.children.all())
    try:
        effects = compute.reduction_effect(
            municipality_id=application.municipality_id,
            child_ids=[c.pk for c in children],
            month=YearMonth(first.year, first.month),
            income_ore=application.income_ore,
            reduced_fee=application.reduced_fee,
            free_core_hours=application.free_core_hours,
        )
    except (MissingRuleError, MissingZone):
        return ReductionCalculation(
            month=first,
            problem=_(
                "Beregningen kan ikke vises: kommunen mangler prissone eller satser for"
                " måneden. Administrator må legge dem inn."
            ),
        )
    by_pk = {c.pk: c for c in children}
    services = dict(Placement._meta.get_field("service").choices or [])
    rows = tuple(
        EffectRow(
            child=by_pk[e.child_id],
            service_label=str(services.get(e.service, e.service)),
            before_ore=e.before_ore,
            after_ore=e.after_ore,
            rules=tuple(RuleRow(rule_label(r.table), r.before_ore, r.after_ore) for r in e.rules),
        )
        for e in effects
        if e.child_id in by_pk
    )
    return ReductionCalculation(month=first, rows=rows)


# -- private kindergartens ---------------------------------------------------------------------


def compensation_units(actor: Actor) -> list[Unit]:
    return list(
        scope(actor, BillingAction.READ_COMPENSATION, Unit.objects.all())
        .select_related("municipality")
        .order_by("municipality__name", "name")
    )


@dataclass
class CompensationChild:
    child: Person
    by_table: dict[str, int] = field(default_factory=dict)
    # The row names the kindergarten next to the child: withheld (an anonymous row with the
    # amounts) where the actor may not know the child's unit (child.read_location, §6.1).
    located: bool = True

    @property
    def total_ore(self) -> int:
        return -sum(self.by_table.values())


def compensation(actor: Actor, unit_id: int) -> tuple[Unit, list[dict[str, Any]]]:
    """Per locked run: the children of the private kindergarten with the reductions the
    municipality granted (income cap, free core hours) and the sibling discount, which the
    municipality compensates the kindergarten for."""
    unit = (
        scope(actor, BillingAction.READ_COMPENSATION, Unit.objects.all())
        .select_related("municipality")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise _not_found()
    rows = (
        InvoiceLine.objects.filter(
            unit_id=unit.pk,
            invoiced=False,
            rule_table__in=COMPENSATED_TABLES,
            run__status=RunStatus.LOCKED,
        )
        .values_list("run_id", "child_id", "rule_table")
        .annotate(total=Sum("amount_ore"))
        .order_by()
    )
    per_run: dict[int, dict[int, CompensationChild]] = defaultdict(dict)
    child_ids: set[int] = set()
    for run_id, child_id, table, total in rows:
        child_ids.add(child_id)
        entry = per_run[run_id].setdefault(child_id, CompensationChild(child=None))  # type: ignore[arg-type]
        entry.by_table[table] = entry.by_table.get(table, 0) + total
    people = Person.objects.in_bulk(child_ids)
    located = disclosure.located_children(actor, child_ids)
    run_rows = InvoiceRun.objects.in_bulk(list(per_run))
    out = []
    for run_id in sorted(per_run, key=lambda r: run_rows[r].month, reverse=True):
        entries = [e for e in per_run[run_id].values() if any(e.by_table.values())]
        for child_id, entry in per_run[run_id].items():
            entry.child = people[child_id]
            entry.located = child_id in located
        entries.sort(
            key=lambda e: (
                (0, e.child.last_name, e.child.first_name, e.child.pk)
                if e.located
                else (1, "", "", 0)
            )
        )
        out.append(
            {
                "run": run_rows[run_id],
                "children": entries,
                "total_ore": sum(e.total_ore for e in entries),
            }
        )
    return unit, out
