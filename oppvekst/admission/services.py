"""Changes in admission: applications, priority claims, rounds, offers.

Each function runs in one transaction. Where seats are at stake the row locks are taken in
the house order unit → child → application → offer (DESIGN.md); a round is committed under a
lock on the round row, so two caseworkers can never commit it twice. Every status change
notifies the child's guardians with parental responsibility (portal + e-mail via the outbox).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.admission import adapters, task_sources
from oppvekst.admission.engine import matching, rights
from oppvekst.admission.models import (
    MAX_WISHES,
    AdmissionCriterion,
    AdmissionRound,
    AdmissionService,
    AdmissionSettings,
    AgeGroup,
    Application,
    ApplicationStatus,
    ClaimKind,
    ClaimStatus,
    CriterionKind,
    Offer,
    OfferStatus,
    PriorityClaim,
    RoundCapacity,
    RoundKind,
    RoundOutcome,
    RoundStatus,
    SfoPlaceType,
    Wish,
)
from oppvekst.core.models import Municipality, Unit, UnitKind
from oppvekst.documents import sniff_upload
from oppvekst.errors import ConflictError, DomainError, NotFoundError
from oppvekst.jobs import services as jobs
from oppvekst.people.models import Guardianship, Person
from oppvekst.people.selectors import siblings
from oppvekst.placements.models import Placement, Service
from oppvekst.placements.services import (
    placement_cancel,
    placement_change_size,
    placement_create,
    placement_end,
    placement_terminate,
)
from oppvekst.workspace.services import notify

SOURCE = "admission"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"pdf", "png", "jpg", "jpeg"}
SFO_PERCENT = {SfoPlaceType.FULL: 100, SfoPlaceType.PART: 60}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SERVICE_UNIT_KIND = {AdmissionService.KINDERGARTEN: UnitKind.KINDERGARTEN, "sfo": UnitKind.SFO}

log = logging.getLogger(__name__)


class VersionConflict(ConflictError):
    code = "version_conflict"


# -- small helpers ---------------------------------------------------------------------------


def admission_settings(municipality_id: int) -> AdmissionSettings:
    """The municipality's settings; the defaults (not saved) when it has none."""
    found = AdmissionSettings.objects.filter(municipality_id=municipality_id).first()
    return found or AdmissionSettings(municipality_id=municipality_id)


def place_size_options(municipality_id: int) -> list[tuple[int, Decimal]]:
    out = []
    for row in admission_settings(municipality_id).place_sizes:
        out.append((int(row["percent"]), Decimal(str(row["hours"]))))
    return out


def guardians_of(child_id: int, day: dt.date | None = None) -> list[Person]:
    """Guardians with parental responsibility today: both see and act, both are told."""
    on = day or clock.today()
    return [
        g.guardian
        for g in Guardianship.objects.active_on(on)
        .filter(child_id=child_id, parental_responsibility=True)
        .select_related("guardian")
        .order_by("guardian_id")
    ]


def _tell(
    *, child: Person, municipality_id: int, event: str, title: str, body: str, url: str
) -> None:
    notify(
        recipients=guardians_of(child.pk),
        source=SOURCE,
        title=title,
        body=body,
        url=url,
        dedupe_key=f"{SOURCE}:{event}",
        municipality_id=municipality_id,
    )


def application_url(application_id: int) -> str:
    return f"/portal/soknader/{application_id}/"


def offer_url(offer_id: int) -> str:
    return f"/portal/tilbud/{offer_id}/"


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _lock_application(application_id: int) -> Application:
    try:
        return (
            Application.objects.select_for_update(of=("self",))
            .select_related("child", "round")
            .get(pk=application_id)
        )
    except Application.DoesNotExist as exc:
        raise NotFoundError(_("Fant ikke søknaden.")) from exc


def _check_version(app: Application, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != app.version:
        raise VersionConflict(
            _(
                "Søknaden er endret av noen andre (for eksempel den andre forelderen) mens du "
                "hadde den åpen. Last inn siden på nytt og gjør endringen igjen."
            )
        )


def _bump(app: Application, fields: list[str]) -> None:
    app.version += 1
    app.updated_at = clock.now()
    app.save(update_fields=[*fields, "version", "updated_at"])


def is_editable(app: Application, today: dt.date | None = None) -> bool:
    """Drafts always; submitted applications until the deadline of their main admission, or
    (late and rolling applications) while they wait (domain §1.3)."""
    day = today or clock.today()
    if app.status == ApplicationStatus.DRAFT:
        return True
    if app.status != ApplicationStatus.SUBMITTED:
        return False
    rnd = app.round
    if rnd is None:
        return True
    return rnd.status != RoundStatus.COMMITTED and day <= rnd.deadline


def _require_editable(app: Application) -> None:
    if not is_editable(app):
        raise DomainError(
            _("Søknaden kan ikke endres lenger (søknadsfristen er ute eller opptaket er kjørt)."),
            code="not_editable",
        )


def kindergarten_places(child_id: int, day: dt.date) -> list[Placement]:
    return list(
        Placement.objects.not_ended_by(day)
        .filter(child_id=child_id, service=Service.KINDERGARTEN)
        .select_related("unit")
        .order_by("valid_from")
    )


# -- validation ------------------------------------------------------------------------------


@dataclass
class ApplicationInput:
    desired_start: dt.date | None = None
    place_percent: int | None = None
    weekly_hours: Decimal | None = None
    wishes: Sequence[int] | None = None
    school_id: int | None = None
    sfo_place_type: str | None = None
    sfo_days: Sequence[str] | None = None
    note: str | None = None


def _validate_size(
    municipality_id: int, percent: int, hours: Decimal | None, fields: dict[str, Any]
) -> None:
    options = place_size_options(municipality_id)
    if not any(p == percent and (hours is None or h == hours) for p, h in options):
        fields["place_size"] = _("Velg en av plasstørrelsene kommunen tilbyr.")


def _validate_wishes(
    *, service: str, municipality_id: int, unit_ids: Sequence[int], fields: dict[str, Any]
) -> list[Unit]:
    if len(unit_ids) > MAX_WISHES:
        fields["wishes"] = _("Du kan ha høyst fem ønsker.")
        return []
    if len(set(unit_ids)) != len(unit_ids):
        fields["wishes"] = _("Den samme barnehagen kan bare stå én gang.")
        return []
    units = {
        u.pk: u
        for u in Unit.objects.filter(
            pk__in=list(unit_ids),
            municipality_id=municipality_id,
            kind=SERVICE_UNIT_KIND[service],
        )
    }
    if len(units) != len(unit_ids):
        fields["wishes"] = _("Ett av ønskene er ikke en barnehage i kommunen.")
        return []
    return [units[i] for i in unit_ids]


def sfo_grade(birth_date: dt.date, start: dt.date) -> int:
    """The grade on ``start``: 1st grade from August of the year the child turns 6."""
    return start.year - birth_date.year - 5 + (0 if start.month >= 8 else -1)


def _validate(app: Application, data: ApplicationInput) -> dict[str, Any]:
    """Apply `data` to `app` (unsaved) and return field errors (empty when all is well)."""
    fields: dict[str, Any] = {}
    today = clock.today()
    if data.desired_start is not None:
        app.desired_start = data.desired_start
    if app.desired_start < today:
        fields["desired_start"] = _("Ønsket oppstart kan ikke være tilbake i tid.")
    elif app.desired_start > today + dt.timedelta(days=2 * 366):
        fields["desired_start"] = _("Du kan søke høyst to år fram i tid.")
    if data.note is not None:
        app.note = data.note.strip()[:2000]
    if app.service == AdmissionService.KINDERGARTEN:
        if data.place_percent is not None:
            app.place_percent = data.place_percent
            app.weekly_hours = data.weekly_hours
        _validate_size(app.municipality_id, app.place_percent, app.weekly_hours, fields)
        if rights.school_start(app.child.birth_date) <= app.desired_start:
            fields["desired_start"] = _("Barnet begynner på skolen før denne datoen.")
        if app.desired_start < app.child.birth_date + dt.timedelta(days=180):
            fields["desired_start"] = _("Barnet er for ungt til å begynne i barnehage da.")
    else:
        if data.school_id is not None:
            app.school_id = data.school_id
        if data.sfo_place_type is not None:
            app.sfo_place_type = data.sfo_place_type
        if data.sfo_days is not None:
            app.sfo_days = ",".join(d for d in WEEKDAYS if d in set(data.sfo_days))
        if app.sfo_place_type not in SfoPlaceType.values:
            fields["sfo_place_type"] = _("Velg type SFO-plass.")
        elif app.sfo_place_type == SfoPlaceType.DAYS:
            days = [d for d in app.sfo_days.split(",") if d]
            if not 1 <= len(days) <= 4:
                fields["sfo_days"] = _("Velg én til fire dager (fem dager er hel plass).")
            app.place_percent = 20 * max(1, len(days))
        else:
            app.sfo_days = ""
            app.place_percent = SFO_PERCENT[SfoPlaceType(app.sfo_place_type)]
        app.weekly_hours = None
        grade = sfo_grade(app.child.birth_date, app.desired_start)
        if not 1 <= grade <= 7:
            fields["desired_start"] = _("SFO er for 1.–4. trinn (1.–7. ved særskilte behov).")
        elif grade > 4 and not app.note:
            fields["note"] = _("For 5.–7. trinn: beskriv de særskilte behovene.")
        school = sfo = None
        if app.school_id is not None:
            school = Unit.objects.filter(pk=app.school_id, kind=UnitKind.SCHOOL).first()
            sfo = Unit.objects.filter(school_id=app.school_id, kind=UnitKind.SFO).first()
        if school is None or sfo is None:
            fields["school"] = _("Velg en skole som har SFO.")
    return fields


# -- applications ----------------------------------------------------------------------------


def _sfo_of(school_id: int | None) -> Unit:
    sfo = Unit.objects.filter(school_id=school_id, kind=UnitKind.SFO).order_by("pk").first()
    if sfo is None:
        raise DomainError(
            _("Søknaden kan ikke lagres."),
            code="invalid",
            fields={"school": _("Velg en skole som har SFO.")},
        )
    return sfo


def _set_wishes(app: Application, units: Sequence[Unit]) -> None:
    Wish.objects.filter(application=app).delete()
    Wish.objects.bulk_create(
        [Wish(application=app, unit=u, rank=rank) for rank, u in enumerate(units, start=1)]
    )


def application_create(
    *,
    child: Person,
    service: str,
    by: Person,
    desired_start: dt.date,
    place_percent: int = 100,
    weekly_hours: Decimal | None = None,
    wishes: Sequence[int] = (),
    school_id: int | None = None,
    sfo_place_type: str = "",
    sfo_days: Sequence[str] = (),
    note: str = "",
    idempotency_key: str = "",
) -> tuple[Application, bool]:
    """A new draft. (application, created): a repeat with the same idempotency key returns the
    first application, whichever guardian sends it."""
    key = idempotency_key.strip()[:100]
    if key:
        existing = Application.objects.filter(child=child, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    if service not in AdmissionService.values:
        raise DomainError(_("Ukjent tjeneste."), code="invalid", fields={"service": _("Ukjent.")})
    municipality_id = child.municipality_id or by.municipality_id
    if municipality_id is None:
        raise DomainError(_("Barnet har ingen bostedskommune i folkeregisteret."), code="invalid")
    now = clock.now()
    app = Application(
        municipality_id=municipality_id,
        child=child,
        service=service,
        desired_start=desired_start,
        place_percent=place_percent,
        weekly_hours=weekly_hours,
        created_by=by,
        idempotency_key=key,
        created_at=now,
        updated_at=now,
    )
    fields = _validate(
        app,
        ApplicationInput(
            school_id=school_id,
            sfo_place_type=sfo_place_type,
            sfo_days=sfo_days,
            note=note,
        ),
    )
    units: list[Unit] = []
    if service == AdmissionService.KINDERGARTEN:
        units = _validate_wishes(
            service=service, municipality_id=municipality_id, unit_ids=wishes, fields=fields
        )
        app.is_transfer = bool(kindergarten_places(child.pk, desired_start))
    if fields:
        raise DomainError(_("Søknaden kan ikke lagres."), code="invalid", fields=fields)
    if service == AdmissionService.SFO:
        open_sfo = Application.objects.filter(
            child=child, service=service, status__in=[ApplicationStatus.SUBMITTED]
        )
        if open_sfo.exists():
            raise ConflictError(_("Barnet har allerede en SFO-søknad til behandling."))
    try:
        with transaction.atomic():
            app.save()
            if service == AdmissionService.SFO:
                units = [_sfo_of(app.school_id)]
            _set_wishes(app, units)
    except IntegrityError:
        if key:
            existing = Application.objects.filter(child=child, idempotency_key=key).first()
            if existing is not None:
                return existing, False
        raise
    return app, True


def application_save_draft(
    *, application_id: int, by: Person, expected_version: int | None, data: ApplicationInput
) -> Application:
    """Change an application (a draft, or a submitted one until the deadline)."""
    with transaction.atomic():
        app = _lock_application(application_id)
        _check_version(app, expected_version)
        _require_editable(app)
        fields = _validate(app, data)
        units: list[Unit] | None = None
        if data.wishes is not None and app.service == AdmissionService.KINDERGARTEN:
            units = _validate_wishes(
                service=app.service,
                municipality_id=app.municipality_id,
                unit_ids=data.wishes,
                fields=fields,
            )
        if fields:
            raise DomainError(_("Søknaden kan ikke lagres."), code="invalid", fields=fields)
        if units is not None:
            _set_wishes(app, units)
        if app.service == AdmissionService.SFO and data.school_id is not None:
            _set_wishes(app, [_sfo_of(app.school_id)])
        _bump(
            app,
            [
                "desired_start",
                "place_percent",
                "weekly_hours",
                "school",
                "sfo_place_type",
                "sfo_days",
                "note",
            ],
        )
        if app.status == ApplicationStatus.SUBMITTED:
            _tell(
                child=app.child,
                municipality_id=app.municipality_id,
                event=f"app:{app.pk}:v{app.version}:changed",
                title=_("Søknaden for %(child)s er endret") % {"child": app.child.first_name},
                body=_("%(who)s endret søknaden.") % {"who": by.full_name},
                url=application_url(app.pk),
            )
        return app


def _open_main_round(app: Application, day: dt.date) -> AdmissionRound | None:
    year = app.desired_start.year if app.desired_start.month >= 8 else app.desired_start.year - 1
    return (
        AdmissionRound.objects.filter(
            municipality_id=app.municipality_id,
            service=app.service,
            kind=RoundKind.MAIN,
            start_date__gte=dt.date(year, 8, 1),
            start_date__lte=adapters.kindergarten_year_end(year),
        )
        .exclude(status=RoundStatus.COMMITTED)
        .order_by("start_date")
        .first()
    )


def application_submit(
    *, application_id: int, by: Person, expected_version: int | None
) -> Application:
    with transaction.atomic():
        app = _lock_application(application_id)
        _check_version(app, expected_version)
        if app.status == ApplicationStatus.SUBMITTED:
            return app  # a repeat of the same submission
        if app.status != ApplicationStatus.DRAFT:
            raise DomainError(_("Bare et utkast kan sendes inn."), code="not_draft")
        fields = _validate(app, ApplicationInput())
        if not app.wishes.exists():
            fields["wishes"] = _("Velg minst én barnehage.")
        if fields:
            raise DomainError(_("Søknaden kan ikke sendes ennå."), code="invalid", fields=fields)
        now = clock.now()
        today = clock.today()
        main = _open_main_round(app, today)
        app.on_time = main is not None and today <= main.deadline
        app.round = main if app.on_time else None
        app.tiebreak = adapters.tiebreak_for(app.child.birth_date, late=not app.on_time)
        app.status = ApplicationStatus.SUBMITTED
        app.submitted_at = now
        _bump(app, ["status", "submitted_at", "round", "on_time", "tiebreak"])
        service = app.get_service_display()
        if app.on_time and main is not None:
            body = _(
                "Søknaden er mottatt og er med i %(round)s. Du kan endre den fram til "
                "søknadsfristen %(deadline)s."
            ) % {"round": main.name, "deadline": _fmt(main.deadline)}
        else:
            body = _("Søknaden er mottatt og står på venteliste til neste opptak.")
        _tell(
            child=app.child,
            municipality_id=app.municipality_id,
            event=f"app:{app.pk}:submitted",
            title=_("Søknad om %(service)s for %(child)s er sendt")
            % {"service": service.lower(), "child": app.child.first_name},
            body=body,
            url=application_url(app.pk),
        )
        task_sources.claim_tasks_publish(app)
        return app


def application_withdraw(
    *, application_id: int, by: Person, expected_version: int | None = None
) -> Application:
    """Withdraw: pending offers are declined; a family that holds an accepted place and waits
    for a higher wish keeps the place and leaves the waiting lists."""
    app0 = Application.objects.filter(pk=application_id).only("child_id").first()
    if app0 is None:
        raise NotFoundError(_("Fant ikke søknaden."))
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=app0.child_id)
        app = _lock_application(application_id)
        _check_version(app, expected_version)
        if app.status == ApplicationStatus.WITHDRAWN:
            return app
        if app.status not in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.OFFERED,
            ApplicationStatus.ACCEPTED,
        ):
            raise DomainError(_("Søknaden er ferdig behandlet og kan ikke trekkes."), code="done")
        now = clock.now()
        Offer.objects.filter(application=app, status=OfferStatus.PENDING).update(
            status=OfferStatus.DECLINED, answered_at=now, answered_by=by
        )
        holds = Offer.objects.filter(application=app, status=OfferStatus.ACCEPTED).exists()
        app.status = ApplicationStatus.PLACED if holds else ApplicationStatus.WITHDRAWN
        _bump(app, ["status"])
        _tell(
            child=app.child,
            municipality_id=app.municipality_id,
            event=f"app:{app.pk}:withdrawn",
            title=_("Søknaden for %(child)s er trukket") % {"child": app.child.first_name},
            body=_("%(who)s trakk søknaden.") % {"who": by.full_name},
            url=application_url(app.pk),
        )
        task_sources.application_tasks_close(app)
        return app


# -- priority claims -------------------------------------------------------------------------


def _sibling_there(app: Application, unit_id: int) -> bool:
    """A brother or sister (derived from guardianship and household, people.selectors) has a
    kindergarten place at the unit on the wanted start date: the sibling criterion can be
    verified from our own data."""
    ids = [s.pk for s in siblings(app.child, clock.today())]
    return (
        Placement.objects.active_on(app.desired_start)
        .filter(child_id__in=ids, unit_id=unit_id)
        .exists()
    )


def claim_add(
    *,
    application_id: int,
    by: Person,
    kind: str,
    unit_id: int | None = None,
    description: str = "",
    document: UploadedFile | None = None,
) -> PriorityClaim:
    fields: dict[str, Any] = {}
    if kind not in ClaimKind.values:
        fields["kind"] = _("Velg grunnlag for prioritet.")
    if kind in (ClaimKind.SIBLING, ClaimKind.EMPLOYEE_CHILD) and not unit_id:
        fields["unit"] = _("Velg barnehagen dette gjelder.")
    if document is not None:
        suffix = (document.name or "").rsplit(".", 1)[-1].lower()
        if suffix not in DOCUMENT_TYPES:
            fields["document"] = _("Dokumentet må være PDF, PNG eller JPG.")
        elif (document.size or 0) > MAX_DOCUMENT_BYTES:
            fields["document"] = _("Dokumentet kan være høyst 10 MB.")
        elif sniff_upload(document) is None:
            fields["document"] = _("Dokumentet må være PDF, PNG eller JPG.")
    if fields:
        raise DomainError(_("Kravet kan ikke lagres."), code="invalid", fields=fields)
    with transaction.atomic():
        app = _lock_application(application_id)
        _require_editable(app)
        if (
            unit_id
            and not Unit.objects.filter(
                pk=unit_id, municipality_id=app.municipality_id, kind=UnitKind.KINDERGARTEN
            ).exists()
        ):
            raise DomainError(
                _("Kravet kan ikke lagres."),
                code="invalid",
                fields={"unit": _("Velg en barnehage i kommunen.")},
            )
        claim = PriorityClaim(
            application=app,
            municipality_id=app.municipality_id,
            kind=kind,
            unit_id=unit_id if kind in (ClaimKind.SIBLING, ClaimKind.EMPLOYEE_CHILD) else None,
            description=description.strip()[:2000],
            created_at=clock.now(),
        )
        if document is not None:
            claim.document_name = (document.name or "")[:200]
            claim.document.save(document.name or "dokument", document, save=False)
        if kind == ClaimKind.SIBLING and unit_id and _sibling_there(app, unit_id):
            claim.status = ClaimStatus.APPROVED
            claim.decided_at = clock.now()
            claim.reason = _("Bekreftet automatisk: søsken har plass i barnehagen ved oppstart.")
        claim.save()
        _bump(app, [])
        if app.status == ApplicationStatus.SUBMITTED:
            task_sources.claim_tasks_publish(app)
        return claim


def claim_remove(*, claim_id: int, by: Person) -> None:
    claim = PriorityClaim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError(_("Fant ikke kravet."))
    with transaction.atomic():
        app = _lock_application(claim.application_id)
        _require_editable(app)
        if claim.document:
            claim.document.delete(save=False)
        task_sources.claim_task_close(claim.pk)
        claim.delete()
        _bump(app, [])


def claim_verify(*, claim_id: int, by: Person, approve: bool, reason: str = "") -> PriorityClaim:
    """A caseworker approves or rejects a priority claim; a rejection needs a reason."""
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(
            _("Skriv en begrunnelse for avslaget."),
            code="invalid",
            fields={"reason": _("Begrunnelse må fylles ut ved avslag.")},
        )
    claim0 = PriorityClaim.objects.filter(pk=claim_id).first()
    if claim0 is None:
        raise NotFoundError(_("Fant ikke kravet."))
    with transaction.atomic():
        app = _lock_application(claim0.application_id)
        claim = PriorityClaim.objects.select_for_update().get(pk=claim_id)
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
            raise DomainError(
                _("Søknaden er allerede behandlet i et opptak."), code="already_decided"
            )
        new_status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
        if claim.status == new_status and claim.reason == reason:
            return claim
        claim.status = new_status
        claim.decided_by = by
        claim.decided_at = clock.now()
        claim.reason = reason
        claim.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        _bump(app, [])
        task_sources.claim_task_close(claim.pk)
        title = (
            _("Prioritet godkjent for %(child)s")
            if approve
            else _("Prioritet avslått for %(child)s")
        ) % {"child": app.child.first_name}
        _tell(
            child=app.child,
            municipality_id=app.municipality_id,
            event=f"claim:{claim.pk}:{claim.status}:{app.version}",
            title=title,
            body=f"{claim.get_kind_display()}. {reason}".strip(),
            url=application_url(app.pk),
        )
        return claim


# -- criteria --------------------------------------------------------------------------------


def criteria_set(
    *, municipality_id: int, unit_id: int | None, kinds: Sequence[str]
) -> list[AdmissionCriterion]:
    """Replace a kindergarten's (or, with no unit, the municipality's) ordered criteria.
    § 18 is not listed: it always comes first (domain §1.4)."""
    clean = [k for k in dict.fromkeys(kinds) if k]
    unknown = [k for k in clean if k not in CriterionKind.values]
    if unknown:
        raise DomainError(
            _("Ukjent kriterium."), code="invalid", fields={"kinds": ", ".join(unknown)}
        )
    with transaction.atomic():
        if unit_id is not None:
            Unit.objects.select_for_update().get(pk=unit_id)
        existing = AdmissionCriterion.objects.filter(municipality_id=municipality_id)
        if unit_id is None:
            existing = existing.filter(unit__isnull=True)
        else:
            existing = existing.filter(unit_id=unit_id)
        existing.delete()
        return AdmissionCriterion.objects.bulk_create(
            [
                AdmissionCriterion(
                    municipality_id=municipality_id,
                    unit_id=unit_id,
                    position=i,
                    kind=k,
                    label=str(CriterionKind(k).label),
                )
                for i, k in enumerate(clean, start=1)
            ]
        )


# -- rounds ----------------------------------------------------------------------------------


def remaining_seats(rnd: AdmissionRound) -> dict[tuple[int, str], int]:
    """Seats left after a committed round: its seats minus offers waiting for an answer or
    accepted. Declined and lapsed offers give their seat back (domain §1.3)."""
    taken = Counter(
        Offer.objects.filter(
            round=rnd, status__in=[OfferStatus.PENDING, OfferStatus.ACCEPTED]
        ).values_list("unit_id", "age_group")
    )
    return {
        (c.unit_id, c.age_group): max(0, c.seats - taken[(c.unit_id, c.age_group)])
        for c in RoundCapacity.objects.filter(round=rnd)
    }


def round_create(
    *,
    municipality: Municipality,
    service: str,
    kind: str,
    name: str,
    deadline: dt.date,
    start_date: dt.date,
) -> AdmissionRound:
    """A new round. A further round starts from the seats the last committed round of the same
    kindergarten year left free."""
    fields: dict[str, Any] = {}
    if service not in AdmissionService.values:
        fields["service"] = _("Ukjent tjeneste.")
    if kind not in RoundKind.values:
        fields["kind"] = _("Ukjent type opptak.")
    if not name.strip():
        fields["name"] = _("Navn må fylles ut.")
    if start_date < deadline:
        fields["start_date"] = _("Oppstart kan ikke være før søknadsfristen.")
    if fields:
        raise DomainError(_("Opptaket kan ikke opprettes."), code="invalid", fields=fields)
    with transaction.atomic():
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        rnd = AdmissionRound(
            municipality=municipality,
            service=service,
            kind=kind,
            name=name.strip()[:120],
            deadline=deadline,
            start_date=start_date,
        )
        year = rnd.kindergarten_year
        same_year = AdmissionRound.objects.filter(
            municipality=municipality,
            service=service,
            start_date__gte=dt.date(year, 8, 1),
            start_date__lte=adapters.kindergarten_year_end(year),
        )
        if kind == RoundKind.MAIN and same_year.filter(kind=RoundKind.MAIN).exists():
            raise ConflictError(_("Det finnes allerede et hovedopptak for dette barnehageåret."))
        if same_year.exclude(status=RoundStatus.COMMITTED).exists():
            raise ConflictError(_("Kjør ferdig det åpne opptaket før du oppretter et nytt."))
        previous = same_year.filter(status=RoundStatus.COMMITTED).order_by("-committed_at").first()
        rnd.save()
        if previous is not None:
            RoundCapacity.objects.bulk_create(
                [
                    RoundCapacity(
                        round=rnd,
                        municipality=municipality,
                        unit_id=unit_id,
                        age_group=age,
                        seats=seats,
                    )
                    for (unit_id, age), seats in sorted(remaining_seats(previous).items())
                ]
            )
        return rnd


def _lock_round(round_id: int) -> AdmissionRound:
    try:
        return AdmissionRound.objects.select_for_update().get(pk=round_id)
    except AdmissionRound.DoesNotExist as exc:
        raise NotFoundError(_("Fant ikke opptaket.")) from exc


def round_capacity_set(*, round_id: int, unit_id: int, age_group: str, seats: int) -> RoundCapacity:
    """Seats for one unit and age group. Changing capacity makes an earlier preview stale."""
    if seats < 0 or seats > 10000:
        raise DomainError(
            _("Antall plasser må være 0 eller mer."),
            code="invalid",
            fields={"seats": _("Ugyldig antall.")},
        )
    with transaction.atomic():
        rnd = _lock_round(round_id)
        if rnd.status == RoundStatus.COMMITTED:
            raise ConflictError(_("Opptaket er kjørt; kapasiteten kan ikke endres."))
        valid_groups = (
            [AgeGroup.ALL]
            if rnd.service == AdmissionService.SFO
            else [AgeGroup.UNDER3, AgeGroup.OVER3]
        )
        if age_group not in valid_groups:
            raise DomainError(_("Ukjent aldersgruppe."), code="invalid")
        unit = Unit.objects.filter(
            pk=unit_id, municipality_id=rnd.municipality_id, kind=SERVICE_UNIT_KIND[rnd.service]
        ).first()
        if unit is None:
            raise NotFoundError(_("Fant ikke enheten."))
        row, _created = RoundCapacity.objects.update_or_create(
            round=rnd,
            unit=unit,
            age_group=age_group,
            defaults={"seats": seats, "municipality_id": rnd.municipality_id},
        )
        if rnd.status == RoundStatus.PREVIEWED:
            rnd.status = RoundStatus.DRAFT
            rnd.save(update_fields=["status"])
        return row


@dataclass
class Solved:
    instance: adapters.Instance
    result: matching.MatchResult
    seconds: float


def _solve(rnd: AdmissionRound, *, lock: bool) -> Solved:
    instance = adapters.load(rnd, lock=lock)
    started = time.perf_counter()
    result = matching.solve(instance.units, [a.applicant for a in instance.applicants])
    return Solved(instance, result, time.perf_counter() - started)


def _summary(solved: Solved) -> dict[str, Any]:
    instance, result = solved.instance, solved.result
    assigned: Counter[tuple[int, str]] = Counter()
    first: Counter[int] = Counter()
    all_wishes: Counter[int] = Counter()
    rows: list[list[Any]] = []
    unplaced_right: list[int] = []
    for item in instance.applicants:
        unit = result.assignments.get(item.applicant.id)
        unit_id = int(unit) if unit is not None else None
        for unit_key in item.applicant.choices:
            all_wishes[int(unit_key)] += 1
        if item.applicant.choices:
            first[int(item.applicant.choices[0])] += 1
        if unit_id is not None:
            assigned[(unit_id, item.age_group)] += 1
        elif item.has_right:
            unplaced_right.append(item.application.pk)
        rows.append(
            [
                item.application.pk,
                unit_id,
                item.wish_ranks.get(unit_id) if unit_id is not None else None,
                item.has_right,
                item.age_group,
            ]
        )
    units = []
    for unit_id in sorted(
        set(instance.capacity) | set(all_wishes),
        key=lambda u: (-first[u], -all_wishes[u], u),
    ):
        row = instance.unit_rows.get(unit_id)
        seats = instance.capacity.get(unit_id, {})
        got = {age: assigned[(unit_id, age)] for age in seats}
        total_seats = sum(seats.values())
        total_got = sum(assigned[(unit_id, age)] for age in ("under3", "over3", "all"))
        units.append(
            {
                "id": unit_id,
                "name": row.name if row else str(unit_id),
                "owner": row.owner if row else "",
                "seats": seats,
                "assigned": got,
                "seats_total": total_seats,
                "assigned_total": total_got,
                "fill_rate": round(100 * total_got / total_seats) if total_seats else 0,
                "first_wishes": first[unit_id],
                "wishes": all_wishes[unit_id],
            }
        )
    return {
        "generated_at": clock.now().isoformat(),
        "seconds": round(solved.seconds, 4),
        "applicants": len(instance.applicants),
        "assigned": sum(assigned.values()),
        "seats": sum(sum(c.values()) for c in instance.capacity.values()),
        "pending_claims": instance.pending_claims,
        "units": units,
        "rows": rows,
        "unplaced_right_holders": unplaced_right,
    }


def round_preview(*, round_id: int) -> dict[str, Any]:
    """The dry run: who would get what, fill rate per unit, unplaced right-holders, and the
    wishes-vs-places figures. Writes nothing but the stored preview."""
    with transaction.atomic():
        rnd = _lock_round(round_id)
        if rnd.status == RoundStatus.COMMITTED:
            raise ConflictError(_("Opptaket er allerede kjørt."))
        summary = _summary(_solve(rnd, lock=False))
        rnd.preview = summary
        rnd.previewed_at = clock.now()
        rnd.status = RoundStatus.PREVIEWED
        rnd.save(update_fields=["preview", "previewed_at", "status"])
        return summary


@dataclass
class CommitResult:
    round_id: int
    offers: int
    unplaced: int
    seconds: float


def round_commit(*, round_id: int, by: Person, early_reason: str = "") -> CommitResult:
    """Run the round for real: offers with answer deadlines, outcomes with explanations, and
    letters to every family. The round row is locked first; a committed round is refused.

    Before the application deadline a round is committed only with ``early_reason``: families
    who apply in time have a right to be considered (barnehageloven § 16, norway.md § 1.2), so
    an early decision is an exception whose reason is kept on the round and logged."""
    started = time.perf_counter()
    early_reason = early_reason.strip()
    with transaction.atomic():
        rnd = _lock_round(round_id)
        if rnd.status == RoundStatus.COMMITTED:
            raise ConflictError(_("Opptaket er allerede kjørt."), code="already_committed")
        if rnd.status != RoundStatus.PREVIEWED:
            raise DomainError(
                _("Prøvekjør opptaket og se over resultatet før du fatter vedtak."),
                code="preview_first",
            )
        if clock.today() <= rnd.deadline:
            if not early_reason:
                raise DomainError(
                    _(
                        "Søknadsfristen (%(day)s) er ikke ute. Vedtak før fristen krever at du"
                        " krysser av for unntak og skriver en begrunnelse."
                    )
                    % {"day": _fmt(rnd.deadline)},
                    code="before_deadline",
                    fields={"early_reason": _("Skriv hvorfor vedtaket fattes før fristen.")},
                )
            rnd.early_commit_reason = early_reason[:2000]
            log.warning(
                "admission round %s committed before its deadline %s by person %s: %s",
                rnd.pk,
                rnd.deadline,
                by.pk,
                rnd.early_commit_reason,
            )
        solved = _solve(rnd, lock=True)
        instance, result = solved.instance, solved.result
        book = adapters.CriteriaBook.load(rnd.municipality_id, set(instance.unit_rows))
        now = clock.now()
        today = clock.today()
        reply_days = admission_settings(rnd.municipality_id).offer_reply_days
        deadline = today + dt.timedelta(days=reply_days)
        offers: list[Offer] = []
        outcomes: list[RoundOutcome] = []
        for item in instance.applicants:
            app = item.application
            unit = result.assignments.get(item.applicant.id)
            unit_id = int(unit) if unit is not None else None
            why = adapters.explanation(result, item, instance, book)
            outcomes.append(
                RoundOutcome(
                    round=rnd,
                    application=app,
                    municipality_id=rnd.municipality_id,
                    unit_id=unit_id,
                    age_group=item.age_group,
                    has_right=item.has_right,
                    explanation=why,
                )
            )
            if unit_id is not None:
                offers.append(
                    Offer(
                        application=app,
                        round=rnd,
                        municipality_id=rnd.municipality_id,
                        child_id=app.child_id,
                        unit_id=unit_id,
                        age_group=item.age_group,
                        wish_rank=item.wish_ranks.get(unit_id),
                        start_date=item.start_date,
                        place_percent=app.place_percent,
                        weekly_hours=app.weekly_hours,
                        deadline=deadline,
                        explanation=why,
                        created_at=now,
                    )
                )
        RoundOutcome.objects.bulk_create(outcomes, batch_size=1000)
        Offer.objects.bulk_create(offers, batch_size=1000)
        task_sources.offer_tasks_publish(offers)
        offered_ids = [o.application_id for o in offers]
        for start in range(0, len(offered_ids), 1000):
            Application.objects.filter(pk__in=offered_ids[start : start + 1000]).update(
                status=ApplicationStatus.OFFERED, version=F("version") + 1, updated_at=now
            )
        # The round has decided its applications: claims still waiting are no one's work now.
        task_sources.round_claim_tasks_close(rnd.pk)
        rnd.status = RoundStatus.COMMITTED
        rnd.committed_at = now
        rnd.committed_by = by
        rnd.save(update_fields=["status", "committed_at", "committed_by", "early_commit_reason"])
        # The letters go out from the worker; the task row is written in this transaction,
        # so they are sent exactly when the round is committed (with the immediate backend
        # they are written right here).
        from oppvekst.admission.tasks import notify_round

        notify_round.enqueue(round_id=rnd.pk)
    return CommitResult(
        round_id=rnd.pk,
        offers=len(offers),
        unplaced=len(instance.applicants) - len(offers),
        seconds=time.perf_counter() - started,
    )


def round_notify(*, round_id: int) -> int:
    """Offer letters to every family with an offer; in the main admission also the written
    answer to those who got no place (domain §1.3: only the main admission, only applicants
    who met the deadline). Runs as a task enqueued in the commit's own transaction, under a
    job lease: a worker that dies half-way is replaced and the rest of the families are told.
    Each family's notifications and e-mails commit together with their dedupe markers, so a
    rerun tells nobody twice and skips nobody. Returns how many families were told."""
    with jobs.lease(
        kind="admission.round_notify",
        key=round_id,
        task="oppvekst.admission.tasks.notify_round",
        kwargs={"round_id": round_id},
        label=f"Opptaksbrev, runde {round_id}",
    ) as lease:
        if lease is None:
            return 0
        return _round_notify(round_id, lease)


def _round_notify(round_id: int, lease: jobs.Lease) -> int:
    rnd = AdmissionRound.objects.get(pk=round_id)
    offers = list(Offer.objects.filter(round=rnd).select_related("unit", "child").order_by("pk"))
    silent: list[RoundOutcome] = []
    if rnd.kind == RoundKind.MAIN:
        holding = Offer.objects.filter(status=OfferStatus.ACCEPTED).exclude(round=rnd)
        silent = list(
            RoundOutcome.objects.filter(round=rnd, unit__isnull=True, application__on_time=True)
            .exclude(application__in=holding.values("application_id"))
            .select_related("application__child")
            .order_by("pk")
        )
    child_ids = [o.child_id for o in offers] + [o.application.child_id for o in silent]
    guardians: dict[int, list[Person]] = defaultdict(list)
    for g in (
        Guardianship.objects.active_on(clock.today())
        .filter(child_id__in=child_ids, parental_responsibility=True)
        .select_related("guardian")
    ):
        guardians[g.child_id].append(g.guardian)
    done = 0
    for offer in offers:
        with transaction.atomic():  # one family at a time, all its guardians together
            notify(
                recipients=guardians[offer.child_id],
                source=SOURCE,
                title=_("Tilbud om plass i %(unit)s for %(child)s")
                % {"unit": offer.unit.name, "child": offer.child.first_name},
                body=_("Oppstart %(start)s. Svar innen %(deadline)s.")
                % {"start": _fmt(offer.start_date), "deadline": _fmt(offer.deadline)},
                url=offer_url(offer.pk),
                dedupe_key=f"{SOURCE}:offer:{offer.pk}:made",
                municipality_id=rnd.municipality_id,
            )
        done += 1
        if done % 50 == 0:
            lease.save_checkpoint({"families_told": done})
    for outcome in silent:
        app = outcome.application
        with transaction.atomic():
            notify(
                recipients=guardians[app.child_id],
                source=SOURCE,
                title=_("Ingen plass til %(child)s i hovedopptaket")
                % {"child": app.child.first_name},
                body=_(
                    "Søknaden står på venteliste. Brevet forklarer hvorfor, og hvordan du kan "
                    "klage."
                ),
                url=application_url(app.pk),
                dedupe_key=f"{SOURCE}:round:{rnd.pk}:app:{app.pk}:none",
                municipality_id=rnd.municipality_id,
            )
        done += 1
        if done % 50 == 0:
            lease.save_checkpoint({"families_told": done})
    lease.save_checkpoint({"families_told": done})
    return len(offers) + len(silent)


def offer_to_right_holder(*, round_id: int, application_id: int, unit_id: int, by: Person) -> Offer:
    """After a committed round: offer a right-holder left without an offer a free seat in
    ``unit_id`` (domain/norway.md § 1.2, § 1.5: the municipality must offer them a place).
    Locks the round, then the application; the seat must still be free in the round."""
    with transaction.atomic():
        rnd = _lock_round(round_id)
        if rnd.status != RoundStatus.COMMITTED:
            raise DomainError(
                _("Fatt vedtak i opptaket før du gir tilbud herfra."), code="not_committed"
            )
        outcome = (
            RoundOutcome.objects.filter(round=rnd, application_id=application_id, has_right=True)
            .select_related("application")
            .first()
        )
        if outcome is None:
            raise NotFoundError(_("Søknaden finnes ikke i dette opptaket."))
        app = _lock_application(application_id)
        if app.status != ApplicationStatus.SUBMITTED or outcome.unit_id is not None:
            raise ConflictError(_("Søknaden har allerede fått tilbud."), code="already_offered")
        free = remaining_seats(rnd).get((unit_id, outcome.age_group), 0)
        if free <= 0:
            raise ConflictError(
                _("Barnehagen har ingen ledig plass i barnets aldersgruppe lenger."),
                code="no_seat",
            )
        unit = Unit.objects.get(pk=unit_id)
        ranks = dict(app.wishes.values_list("unit_id", "rank"))
        today = clock.today()
        reply_days = admission_settings(rnd.municipality_id).offer_reply_days
        offer = Offer.objects.create(
            application=app,
            round=rnd,
            municipality_id=rnd.municipality_id,
            child_id=app.child_id,
            unit_id=unit_id,
            age_group=outcome.age_group,
            wish_rank=ranks.get(unit_id),
            start_date=max(app.desired_start, rnd.start_date),
            place_percent=app.place_percent,
            weekly_hours=app.weekly_hours,
            deadline=today + dt.timedelta(days=reply_days),
            explanation=outcome.explanation,
            created_at=clock.now(),
        )
        app.status = ApplicationStatus.OFFERED
        _bump(app, ["status"])
        _tell(
            child=app.child,
            municipality_id=rnd.municipality_id,
            event=f"offer:{offer.pk}:made",
            title=_("Tilbud om plass i %(unit)s for %(child)s")
            % {"unit": unit.name, "child": app.child.first_name},
            body=_("Oppstart %(start)s. Svar innen %(deadline)s.")
            % {"start": _fmt(offer.start_date), "deadline": _fmt(offer.deadline)},
            url=offer_url(offer.pk),
        )
        log.info("right-holder offer %s made by person %s", offer.pk, by.pk)
    return offer


# -- offers ----------------------------------------------------------------------------------


def _lock_offer_chain(offer_id: int) -> tuple[Offer, Application]:
    """Lock order: unit → child → application → offer."""
    first = Offer.objects.filter(pk=offer_id).values("unit_id", "child_id", "application_id")
    row = first.first()
    if row is None:
        raise NotFoundError(_("Fant ikke tilbudet."))
    Unit.objects.select_for_update().only("pk").get(pk=row["unit_id"])
    Person.objects.select_for_update().only("pk").get(pk=row["child_id"])
    app = _lock_application(row["application_id"])
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("unit", "round")
        .get(pk=offer_id)
    )
    return offer, app


def offer_accept(*, offer_id: int, by: Person, keep_waiting: bool = False) -> Placement:
    """Accept: the placement is created in the core (its overlap rule holds). Idempotent: a
    second accept (the other guardian, a double click, a retry) returns the same placement.
    An earlier place (a transfer, or a lower wish accepted while waiting) ends the day before
    the new one starts, or is removed if it has not started (domain §1.5)."""
    with transaction.atomic():
        offer, app = _lock_offer_chain(offer_id)
        if offer.status == OfferStatus.ACCEPTED and offer.placement_id is not None:
            placement = Placement.objects.get(pk=offer.placement_id)
            return placement
        if offer.status != OfferStatus.PENDING:
            raise ConflictError(
                _("Tilbudet er %(status)s og kan ikke aksepteres.")
                % {"status": offer.get_status_display().lower()},
                code="offer_closed",
            )
        today = clock.today()
        if today > offer.deadline:
            raise ConflictError(_("Svarfristen er ute."), code="offer_lapsed")
        seats = (
            RoundCapacity.objects.filter(
                round_id=offer.round_id, unit_id=offer.unit_id, age_group=offer.age_group
            )
            .values_list("seats", flat=True)
            .first()
        ) or 0
        accepted = Offer.objects.filter(
            round_id=offer.round_id,
            unit_id=offer.unit_id,
            age_group=offer.age_group,
            status=OfferStatus.ACCEPTED,
        ).count()
        if accepted >= seats:
            raise ConflictError(_("Enheten er full i denne aldersgruppen."), code="unit_full")
        service = Service.SFO if app.service == AdmissionService.SFO else Service.KINDERGARTEN
        for earlier in Placement.objects.not_ended_by(offer.start_date).filter(
            child_id=app.child_id, service=service
        ):
            if earlier.valid_from >= offer.start_date:
                placement_cancel(placement=earlier, today=today)
            else:
                placement_end(placement=earlier, last_day=offer.start_date - dt.timedelta(days=1))
        birth = app.child.birth_date
        if service == Service.KINDERGARTEN:
            valid_to = rights.school_start(birth) - dt.timedelta(days=1)
        else:
            valid_to = dt.date(birth.year + 10, 7, 31)  # end of 4th grade (domain §3)
        placement = placement_create(
            child=app.child,
            unit=offer.unit,
            valid_from=offer.start_date,
            valid_to=max(valid_to, offer.start_date),
            place_percent=offer.place_percent,
            weekly_hours=offer.weekly_hours,
        )
        waiting = keep_waiting and (offer.wish_rank or 1) > 1
        offer.status = OfferStatus.ACCEPTED
        offer.keep_waiting = waiting
        offer.placement = placement
        offer.answered_at = clock.now()
        offer.answered_by = by
        offer.save(
            update_fields=["status", "keep_waiting", "placement", "answered_at", "answered_by"]
        )
        task_sources.offer_task_close(offer.pk)
        app.status = ApplicationStatus.ACCEPTED if waiting else ApplicationStatus.PLACED
        _bump(app, ["status"])
        body = _("%(who)s takket ja. Oppstart %(start)s.") % {
            "who": by.full_name,
            "start": _fmt(offer.start_date),
        }
        if waiting:
            body += " " + _("Barnet står fortsatt på venteliste for høyere ønsker.")
        _tell(
            child=app.child,
            municipality_id=app.municipality_id,
            event=f"offer:{offer.pk}:accepted",
            title=_("Plass i %(unit)s er akseptert for %(child)s")
            % {"unit": offer.unit.name, "child": app.child.first_name},
            body=body,
            url=offer_url(offer.pk),
        )
        return placement


def _close_offer(*, offer_id: int, by: Person | None, status: str) -> Offer:
    with transaction.atomic():
        offer, app = _lock_offer_chain(offer_id)
        if offer.status == status:
            return offer
        if offer.status != OfferStatus.PENDING:
            raise ConflictError(
                _("Tilbudet er %(status)s.") % {"status": offer.get_status_display().lower()},
                code="offer_closed",
            )
        offer.status = status
        offer.answered_at = clock.now()
        offer.answered_by = by
        offer.save(update_fields=["status", "answered_at", "answered_by"])
        task_sources.offer_task_close(offer.pk)
        holds = Offer.objects.filter(application=app, status=OfferStatus.ACCEPTED).exists()
        if holds:
            app.status = ApplicationStatus.PLACED
        elif status == OfferStatus.LAPSED:
            app.status = ApplicationStatus.LAPSED
        else:
            app.status = ApplicationStatus.DECLINED
        _bump(app, ["status"])
        names = {"unit": offer.unit.name, "child": app.child.first_name}
        if status == OfferStatus.LAPSED:
            title = _("Svarfristen for plassen i %(unit)s gikk ut (%(child)s)") % names
            body = _("Tilbudet regnes som avslått, og plassen går videre til neste søker.")
        else:
            title = _("Tilbudet om plass i %(unit)s er avslått (%(child)s)") % names
            body = _("%(who)s takket nei.") % {"who": by.full_name if by else ""}
        _tell(
            child=app.child,
            municipality_id=app.municipality_id,
            event=f"offer:{offer.pk}:{status}",
            title=title,
            body=body,
            url=offer_url(offer.pk),
        )
        return offer


def offer_decline(*, offer_id: int, by: Person) -> Offer:
    """Say no: the seat is free for the next round (domain §1.3)."""
    return _close_offer(offer_id=offer_id, by=by, status=OfferStatus.DECLINED)


def offers_lapse(*, today: dt.date | None = None) -> int:
    """Offers not answered by their deadline lapse (domain §1.3: no answer counts as no).
    Safe to run from several workers: each offer is closed under its own locks."""
    day = today or clock.today()
    lapsed = 0
    for offer_id in Offer.objects.filter(status=OfferStatus.PENDING, deadline__lt=day).values_list(
        "pk", flat=True
    ):
        try:
            _close_offer(offer_id=offer_id, by=None, status=OfferStatus.LAPSED)
            lapsed += 1
        except ConflictError:
            continue  # answered meanwhile
    return lapsed


# -- the guardian's own place: size and notice ------------------------------------------------


def place_change_size(
    *,
    placement: Placement,
    by: Person,
    place_percent: int,
    weekly_hours: Decimal | None,
    effective_from: dt.date,
) -> Placement:
    fields: dict[str, Any] = {}
    # Every service's sizes are checked on the server: a size the page does not offer (1 %,
    # half an hour) would otherwise price the place below what the family uses.
    if placement.service == Service.KINDERGARTEN:
        _validate_size(placement.municipality_id, place_percent, weekly_hours, fields)
    elif placement.service == Service.SFO:
        if place_percent not in SFO_PERCENT.values() or weekly_hours is not None:
            fields["place_size"] = _("Velg hel plass eller deltidsplass.")
    else:
        fields["place_size"] = _("Denne plassen har ingen plasstørrelse å endre.")
    if fields:
        raise DomainError(_("Plassen kan ikke endres."), code="invalid", fields=fields)
    with transaction.atomic():
        new = placement_change_size(
            placement=placement,
            place_percent=place_percent,
            weekly_hours=weekly_hours,
            effective_from=effective_from,
        )
        child = Person.objects.get(pk=placement.child_id)
        _tell(
            child=child,
            municipality_id=placement.municipality_id,
            event=f"placement:{placement.pk}:size:{new.pk}:{place_percent}:{effective_from}",
            title=_("Ny plasstørrelse for %(child)s") % {"child": child.first_name},
            body=_("%(who)s endret plassen til %(percent)s %% fra %(day)s.")
            % {"who": by.full_name, "percent": place_percent, "day": _fmt(effective_from)},
            url="/portal/",
        )
        return new


def place_end(
    *, placement: Placement, by: Person, last_day: dt.date | None = None
) -> Placement | None:
    """Give notice on a place; the notice period is the municipality's (default one month)."""
    months = admission_settings(placement.municipality_id).notice_months
    with transaction.atomic():
        ended = placement_terminate(placement=placement, notice_months=months, last_day=last_day)
        child = Person.objects.get(pk=placement.child_id)
        day = ended.valid_to if ended is not None and ended.valid_to else None
        _tell(
            child=child,
            municipality_id=placement.municipality_id,
            event=f"placement:{placement.pk}:end:{day}",
            title=_("Plassen for %(child)s er sagt opp") % {"child": child.first_name},
            body=(
                _("%(who)s sa opp plassen. Siste dag er %(day)s.")
                % {"who": by.full_name, "day": _fmt(day)}
                if day
                else _("%(who)s sa opp plassen før den startet.") % {"who": by.full_name}
            ),
            url="/portal/",
        )
        return ended


def parse_hours(value: str) -> Decimal | None:
    try:
        return Decimal(value.replace(",", ".")) if value.strip() else None
    except InvalidOperation:
        return None
