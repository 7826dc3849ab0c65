"""Admission's actions and who may take them: applications, claims, rounds, offers.

The family applies and answers; the municipality's caseworkers decide; leaders of kindergartens
and SFOs see the applicants and offers of their own unit (barnehageloven §§ 16–17, the
municipality's coordinated admission: domain/norway.md §1).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import (
    NOTHING,
    UNIT_LEADERS,
    caseworker_of_municipality,
    guardian_of_child,
    has_role,
)
from oppvekst.access.roles import RoleName
from oppvekst.admission.models import AdmissionRound, Application, Offer, PriorityClaim, Wish
from oppvekst.core.models import Owner, Unit, UnitKind
from oppvekst.people.models import Person

ADMISSION_KINDS = (UnitKind.KINDERGARTEN, UnitKind.SFO)


class AdmissionAction(StrEnum):
    WORK = "admission.work"  # open the admission pages at all
    APPLY = "admission.apply"
    APPLICATION_CREATE = "application.create"  # on a child
    APPLICATION_READ = "application.read"
    APPLICATION_UPDATE = "application.update"
    APPLICATION_DECIDE = "application.decide"
    CLAIM_READ_DOCUMENT = "claim.read_document"
    ROUND_READ = "round.read"
    ROUND_MANAGE = "round.manage"
    UNIT_MANAGE = "unit.admission_manage"
    CRITERIA_EDIT = "unit.criteria_edit"
    OFFER_READ = "offer.read"
    OFFER_ANSWER = "offer.answer"


def admission_units(actor: Actor) -> set[int]:
    """Kindergartens and SFOs the actor leads (a school principal is no admission office)."""
    if "admission_units" not in actor._cache:
        ids = actor.ids("unit_id", UNIT_LEADERS)
        actor._cache["admission_units"] = (
            set(
                Unit.objects.filter(pk__in=ids, kind__in=ADMISSION_KINDS).values_list(
                    "pk", flat=True
                )
            )
            if ids
            else set()
        )
    units: set[int] = actor._cache["admission_units"]
    return units


def own_applications(actor: Actor) -> Q:
    return guardian_of_child(actor, field="child_id")


def applications_read(actor: Actor) -> Q:
    """The family (guardians with parental responsibility); the municipality's caseworkers;
    unit leaders and private kindergarten heads for applicants to their own unit. Staff never
    see drafts."""
    staff = caseworker_of_municipality(actor)
    units = admission_units(actor)
    if units:
        staff |= Q(Exists(Wish.objects.filter(application=OuterRef("pk"), unit_id__in=units)))
        staff |= Q(Exists(Offer.objects.filter(application=OuterRef("pk"), unit_id__in=units)))
    return own_applications(actor) | (staff & ~Q(status="draft"))


def applications_decide(actor: Actor) -> Q:
    return caseworker_of_municipality(actor) & ~Q(status="draft")


def claim_documents(actor: Actor) -> Q:
    """Claim documents (disability, child welfare) only for the family and the caseworkers."""
    return guardian_of_child(actor, field="application__child_id") | caseworker_of_municipality(
        actor
    )


def rounds_read(actor: Actor) -> Q:
    return caseworker_of_municipality(actor) | Q(
        municipality_id__in=actor.ids("municipality_id", UNIT_LEADERS)
    )


def unit_manage(actor: Actor) -> Q:
    own = Q(pk__in=admission_units(actor)) if admission_units(actor) else NOTHING
    return (own | caseworker_of_municipality(actor)) & Q(kind__in=ADMISSION_KINDS)


def criteria_edit(actor: Actor) -> Q:
    """A private kindergarten sets its own criteria in its vedtekter, and the municipality
    cannot impose others than § 18 (domain/norway.md § 1.4): only its own head edits them.
    The municipality's caseworkers edit the criteria of municipal units."""
    own = Q(pk__in=admission_units(actor)) if admission_units(actor) else NOTHING
    municipal = caseworker_of_municipality(actor) & Q(owner=Owner.MUNICIPAL)
    return (own | municipal) & Q(kind__in=ADMISSION_KINDS)


def offers_read(actor: Actor) -> Q:
    return (
        guardian_of_child(actor, field="child_id")
        | caseworker_of_municipality(actor)
        | Q(unit_id__in=admission_units(actor))
    )


registry.capability(
    AdmissionAction.WORK,
    lambda a: has_role(a, RoleName.CASEWORKER) or bool(admission_units(a)),
)
registry.capability(AdmissionAction.APPLY, lambda a: has_role(a, RoleName.GUARDIAN))
registry.object_rule(AdmissionAction.APPLICATION_CREATE, Person, guardian_of_child)
registry.object_rule(AdmissionAction.APPLICATION_READ, Application, applications_read)
registry.object_rule(AdmissionAction.APPLICATION_UPDATE, Application, own_applications)
registry.object_rule(AdmissionAction.APPLICATION_DECIDE, Application, applications_decide)
registry.object_rule(AdmissionAction.CLAIM_READ_DOCUMENT, PriorityClaim, claim_documents)
registry.object_rule(AdmissionAction.ROUND_READ, AdmissionRound, rounds_read)
registry.object_rule(AdmissionAction.ROUND_MANAGE, AdmissionRound, caseworker_of_municipality)
registry.object_rule(AdmissionAction.UNIT_MANAGE, Unit, unit_manage)
registry.object_rule(AdmissionAction.CRITERIA_EDIT, Unit, criteria_edit)
registry.object_rule(AdmissionAction.OFFER_READ, Offer, offers_read)
registry.object_rule(
    AdmissionAction.OFFER_ANSWER, Offer, lambda a: guardian_of_child(a, field="child_id")
)
