"""Billing's actions and who may take them: invoice runs, invoices, reduced-fee applications.

Caseworkers run billing for their municipality; an invoice is read by its payer (never by the
other parent) and the caseworkers; a private kindergarten head reads the reductions the
municipality compensates for the own kindergarten. Approving and locking a run are writes with
their own actions, not implied by reading it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import (
    NOTHING,
    caseworker_of_municipality,
    guardian_of_child,
    has_role,
    private_kindergarten_head_of_unit,
    staff_where_child_is_placed,
)
from oppvekst.access.roles import RoleName
from oppvekst.billing.models import Invoice, InvoiceRun, ReductionApplication
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.people.models import Person


class BillingAction(StrEnum):
    OPEN = "billing.open"  # the caseworker's billing pages
    COMPENSATION_OPEN = "billing.compensation_open"
    PORTAL = "billing.portal"  # the guardian's fee pages
    RUN = "billing.run"  # on a municipality: start and recompute invoice runs
    READ_RUN = "billing.read_run"
    APPROVE_RUN = "billing.approve_run"
    LOCK_RUN = "billing.lock_run"
    READ_INVOICE = "billing.read_invoice"
    READ_FEES = "billing.read_fees"  # on a child
    READ_COMPENSATION = "billing.read_compensation"  # on a private kindergarten
    REDUCTION_APPLY = "reduction.apply"
    REDUCTION_READ = "reduction.read"
    REDUCTION_DECIDE = "reduction.decide"


class BillingAuditEvent(StrEnum):
    EXPORT = "billing.export"  # the ERP export of a locked run was downloaded
    REDUCTION_DOCUMENT = "reduction.read_document"  # income documentation
    REDUCTION_LETTER = "reduction.read_letter"  # the decision letter


def own_person(actor: Actor, field: str) -> Q:
    return Q(**{field: actor.person.pk}) if actor.person is not None else NOTHING


def invoices_read(actor: Actor) -> Q:
    return caseworker_of_municipality(actor) | own_person(actor, "payer_id")


def reductions_read(actor: Actor) -> Q:
    return caseworker_of_municipality(actor) | own_person(actor, "applicant_id")


def compensation_read(actor: Actor) -> Q:
    return Q(kind=UnitKind.KINDERGARTEN, owner=Owner.PRIVATE) & (
        private_kindergarten_head_of_unit(actor) | caseworker_of_municipality(actor)
    )


def fees_read(actor: Actor) -> Q:
    return guardian_of_child(actor) | staff_where_child_is_placed(
        actor, group_names=set(), unit_names=set()
    )


registry.capability(BillingAction.OPEN, lambda a: has_role(a, RoleName.CASEWORKER))
registry.capability(
    BillingAction.COMPENSATION_OPEN,
    lambda a: has_role(a, RoleName.CASEWORKER, RoleName.PRIVATE_KINDERGARTEN_HEAD),
)
registry.capability(BillingAction.PORTAL, lambda a: has_role(a, RoleName.GUARDIAN))
registry.capability(BillingAction.REDUCTION_APPLY, lambda a: has_role(a, RoleName.GUARDIAN))
registry.object_rule(
    BillingAction.RUN, Municipality, lambda a: caseworker_of_municipality(a, field="pk")
)
registry.object_rule(BillingAction.READ_RUN, InvoiceRun, caseworker_of_municipality)
registry.object_rule(BillingAction.APPROVE_RUN, InvoiceRun, caseworker_of_municipality)
registry.object_rule(BillingAction.LOCK_RUN, InvoiceRun, caseworker_of_municipality)
registry.object_rule(BillingAction.READ_INVOICE, Invoice, invoices_read)
registry.object_rule(BillingAction.READ_FEES, Person, fees_read)
registry.object_rule(BillingAction.READ_COMPENSATION, Unit, compensation_read)
registry.object_rule(BillingAction.REDUCTION_READ, ReductionApplication, reductions_read)
registry.object_rule(
    BillingAction.REDUCTION_DECIDE, ReductionApplication, caseworker_of_municipality
)
registry.audit_events(BillingAuditEvent)
