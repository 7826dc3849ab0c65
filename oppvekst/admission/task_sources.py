"""Admission's tasks in the workspace: a submitted priority claim waits for a caseworker; an
offer waits for the family's answer until its deadline. Called inside the services' own
transactions, so a task exists exactly while the work does."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.access.roles import RoleName
from oppvekst.admission.models import (
    Application,
    ApplicationStatus,
    ClaimStatus,
    Offer,
    PriorityClaim,
)
from oppvekst.admission.task_kinds import AdmissionTask
from oppvekst.workspace.models import Task, TaskStatus
from oppvekst.workspace.task_services import task_publish, tasks_close, tasks_publish_many

CLAIM = "admission.claim"
OFFER = "admission.offer"


def _claim_task(claim: PriorityClaim, app: Application) -> Task:
    return Task(
        kind=AdmissionTask.CLAIM_ASSESS,
        subject_type=CLAIM,
        subject_id=claim.pk,
        # No child's name in the title: task lists are not audited reads of a child.
        title=_("Vurder krav om prioritet (%(kind)s), søknad %(number)s")
        % {"kind": claim.get_kind_display().lower(), "number": app.pk},
        url=reverse("admission:application", args=[app.pk]),
        municipality_id=app.municipality_id,
        role=RoleName.CASEWORKER,
    )


def claim_tasks_publish(app: Application) -> None:
    """Every pending claim of a submitted application is a task for the caseworkers."""
    for claim in PriorityClaim.objects.filter(application=app, status=ClaimStatus.PENDING):
        task = _claim_task(claim, app)
        task_publish(
            kind=task.kind,
            subject_type=task.subject_type,
            subject_id=task.subject_id,
            title=task.title,
            url=task.url,
            municipality_id=task.municipality_id,
            role=task.role,
        )


def claim_tasks_publish_many(claims: list[PriorityClaim]) -> int:
    """Tasks for many claims at once (data loaded in bulk, such as the demo): the pending
    claims of submitted applications."""
    return tasks_publish_many(
        [
            _claim_task(claim, claim.application)
            for claim in claims
            if claim.pk is not None
            and claim.status == ClaimStatus.PENDING
            and claim.application.status == ApplicationStatus.SUBMITTED
        ]
    )


def claim_task_close(claim_id: int) -> None:
    tasks_close(subject_type=CLAIM, subject_id=claim_id)


def round_claim_tasks_close(round_id: int) -> int:
    """Close the claim tasks of every application a committed round has decided (one query)."""
    claims = PriorityClaim.objects.filter(application__round_id=round_id).values("pk")
    return Task.objects.filter(
        subject_type=CLAIM, subject_id__in=claims, status=TaskStatus.OPEN
    ).update(status=TaskStatus.DONE, closed_at=clock.now())


def application_tasks_close(app: Application) -> None:
    for claim_id in PriorityClaim.objects.filter(application=app).values_list("pk", flat=True):
        claim_task_close(claim_id)


def offer_tasks_publish(offers: list[Offer]) -> int:
    """The guardians of each offered child answer by the deadline."""
    return tasks_publish_many(
        [
            Task(
                kind=AdmissionTask.OFFER_ANSWER,
                subject_type=OFFER,
                subject_id=offer.pk,
                title=_("Svar på tilbudet om plass"),
                url=reverse("portal:offer", args=[offer.pk]),
                municipality_id=offer.municipality_id,
                role=RoleName.GUARDIAN,
                child_id=offer.child_id,
                due=offer.deadline,
            )
            for offer in offers
            if offer.pk is not None
        ]
    )


def offer_task_close(offer_id: int) -> None:
    tasks_close(subject_type=OFFER, subject_id=offer_id)
