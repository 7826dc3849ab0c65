"""Applications, priority claims, admission criteria, admission rounds, capacity and offers.

Domain: shared/domain/norway.md §1.2–§1.7 (kindergarten) and §3 (SFO). Every row that belongs
to a municipality carries its key directly (DESIGN.md "Scale").
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.core.models import CareService, SfoPlaceType

MAX_WISHES = 5


def default_place_sizes() -> list[dict[str, Any]]:
    """Place sizes a municipality offers (domain §1.6: 100/80/60/50 %; ≥ 41 h is full time)."""
    return [
        {"percent": 100, "hours": "41"},
        {"percent": 80, "hours": "33"},
        {"percent": 60, "hours": "25"},
        {"percent": 50, "hours": "20.5"},
    ]


AdmissionService = CareService  # the shared choice under the name admission code reads best


class AgeGroup(models.TextChoices):
    """Capacity groups: under/over 3 by the 1 August rule (domain §1.7); SFO has one group."""

    UNDER3 = "under3", _("Under 3 år")
    OVER3 = "over3", _("Over 3 år")
    ALL = "all", _("Alle")


class AdmissionSettings(models.Model):
    """A municipality's own admission rules (its vedtekter): place sizes, reply time, notice."""

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="admission_settings"
    )
    place_sizes = models.JSONField(_("plasstørrelser"), default=default_place_sizes)
    offer_reply_days = models.PositiveSmallIntegerField(_("svarfrist (dager)"), default=8)
    notice_months = models.PositiveSmallIntegerField(_("oppsigelsestid (måneder)"), default=1)

    class Meta:
        verbose_name = _("opptaksinnstillinger")
        verbose_name_plural = _("opptaksinnstillinger")

    def __str__(self) -> str:
        return str(self.municipality_id)


class RoundKind(models.TextChoices):
    MAIN = "main", _("Hovedopptak")
    ADDITIONAL = "additional", _("Suppleringsopptak")
    ROLLING = "rolling", _("Løpende opptak")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Åpen (ikke kjørt)")
    PREVIEWED = "previewed", _("Prøvekjørt")
    COMMITTED = "committed", _("Vedtak fattet")


class AdmissionRound(models.Model):
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="admission_rounds"
    )
    service = models.CharField(_("tjeneste"), max_length=20, choices=AdmissionService.choices)
    kind = models.CharField(_("type opptak"), max_length=20, choices=RoundKind.choices)
    name = models.CharField(_("navn"), max_length=120)
    deadline = models.DateField(_("søknadsfrist"))
    start_date = models.DateField(_("oppstart"))
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    preview = models.JSONField(default=dict, blank=True)
    previewed_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the round was committed before its application deadline: why (kept with the
    # round, so the early decision can be accounted for).
    early_commit_reason = models.TextField(_("begrunnelse for vedtak før fristen"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opptaksrunde")
        verbose_name_plural = _("opptaksrunder")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["municipality", "service", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def kindergarten_year(self) -> int:
        """The kindergarten year (starting 1 August) that the round's start date falls in."""
        return self.start_date.year if self.start_date.month >= 8 else self.start_date.year - 1


class RoundCapacity(models.Model):
    """Seats offered in one round at one unit for one age group (domain §1.6–§1.7)."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="capacities")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    seats = models.PositiveIntegerField(_("plasser"), default=0)

    class Meta:
        verbose_name = _("kapasitet")
        verbose_name_plural = _("kapasitet")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "age_group"], name="round_capacity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.age_group}: {self.seats}"


class CriterionKind(models.TextChoices):
    """Admission criteria a kindergarten's vedtekter may use (domain §1.4). § 18 is not one of
    them: it always comes first, everywhere."""

    SIBLING = "sibling", _("Søsken i barnehagen")
    STRAIN = "strain", _("Familien har særlig stor belastning (dokumentert)")
    LAST_YEAR = "last_year", _("Siste år før skolestart")
    MINORITY_LANGUAGE = "minority_language", _("Minoritetsspråklig familie / introduksjonsprogram")
    EMPLOYEE_CHILD = "employee_child", _("Barn av ansatte (bedriftsplass)")
    SINGLE_PARENT = "single_parent", _("Enslig forsørger")


# Criteria the system decides from its own data (no claim, no document).
AUTOMATIC_CRITERIA = {CriterionKind.LAST_YEAR}


class AdmissionCriterion(models.Model):
    """One step of a kindergarten's ordered admission criteria, as data. `unit` empty: the
    municipality's criteria for its own (municipal) kindergartens. Private kindergartens set
    their own; without them only § 18 applies there (domain §1.4)."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="admission_criteria",
    )
    position = models.PositiveSmallIntegerField(_("rekkefølge"))
    kind = models.CharField(_("kriterium"), max_length=30, choices=CriterionKind.choices)
    label = models.CharField(_("tekst"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("opptakskriterium")
        verbose_name_plural = _("opptakskriterier")
        ordering = ["municipality_id", "unit_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "kind"], name="criterion_unique_kind"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="criterion_position_min"),
        ]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt, venter på opptak")
    OFFERED = "offered", _("Tilbud gitt")
    ACCEPTED = "accepted", _("Tilbud akseptert, står på venteliste for høyere ønsker")
    DECLINED = "declined", _("Tilbud avslått")
    WITHDRAWN = "withdrawn", _("Trukket")
    PLACED = "placed", _("Har fått plass")
    LAPSED = "lapsed", _("Svarfristen gikk ut")


# Applications the matching considers (the waiting list, domain §1.3).
WAITING_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED)
OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
)


class Application(models.Model):
    """An application for a kindergarten or SFO place. `version` guards against two guardians
    (or a guardian and a caseworker) overwriting each other's changes."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="applications"
    )
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="admission_applications"
    )
    service = models.CharField(_("tjeneste"), max_length=20, choices=AdmissionService.choices)
    round = models.ForeignKey(
        AdmissionRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("opptak"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    desired_start = models.DateField(_("ønsket oppstart"))
    place_percent = models.PositiveSmallIntegerField(_("plasstørrelse (%)"), default=100)
    weekly_hours = models.DecimalField(
        _("timer per uke"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # SFO (domain §3): the school, the kind of place and, for single days, which days.
    school = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sfo_place_type = models.CharField(
        _("type SFO-plass"), max_length=10, choices=SfoPlaceType.choices, blank=True
    )
    sfo_days = models.CharField(_("dager"), max_length=40, blank=True)
    is_transfer = models.BooleanField(_("bytte av barnehage"), default=False)
    on_time = models.BooleanField(_("søkt innen fristen"), default=False)
    tiebreak = models.FloatField(default=0)
    note = models.TextField(_("merknad"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("søknad")
        verbose_name_plural = _("søknader")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "service", "status"]),
            models.Index(fields=["child", "service"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="application_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(place_percent__gte=1, place_percent__lte=100),
                name="application_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} – {self.child_id}"

    @property
    def status_text(self) -> str:
        """The status in words for the family. A sent application that a committed round
        left without an offer is no longer waiting for the admission: it is on the waiting
        list (domain/norway.md § 1.3)."""
        if self.status == ApplicationStatus.SUBMITTED and self.pk is not None:
            passed = self.outcomes.filter(round__status=RoundStatus.COMMITTED, unit__isnull=True)
            if passed.exists():
                return str(_("Ikke tilbud i opptaket, står på venteliste"))
        return str(self.get_status_display())

    @property
    def weekly_hours_display(self) -> str:
        if self.weekly_hours is None:
            return ""
        return f"{self.weekly_hours.normalize():f}".replace(".", ",")


class Wish(models.Model):
    """A ranked wish (1 = first choice); municipal and private kindergartens together (§1.5)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="wishes")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["application_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="wish_unique_rank"),
            models.UniqueConstraint(fields=["application", "unit"], name="wish_unique_unit"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_WISHES), name="wish_rank_range"
            ),
        ]
        indexes = [models.Index(fields=["unit", "rank"])]

    def __str__(self) -> str:
        return f"{self.rank}: {self.unit_id}"


class ClaimKind(models.TextChoices):
    """Priority claims. § 18 (domain §1.4) always goes first; the others count where a
    kindergarten's criteria name them."""

    DISABILITY = "s18_disability", _("§ 18: nedsatt funksjonsevne")
    CHILD_WELFARE = "s18_child_welfare", _("§ 18: vedtak etter barnevernsloven")
    SIBLING = "sibling", _("Søsken i barnehagen")
    STRAIN = "strain", _("Familien har særlig stor belastning")
    MINORITY_LANGUAGE = "minority_language", _("Minoritetsspråklig familie / introduksjonsprogram")
    EMPLOYEE_CHILD = "employee_child", _("Barn av ansatte (bedriftsplass)")
    SINGLE_PARENT = "single_parent", _("Enslig forsørger")


SECTION_18_KINDS = {ClaimKind.DISABILITY, ClaimKind.CHILD_WELFARE}


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Til behandling")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avslått")


def claim_upload_to(instance: PriorityClaim, filename: str) -> str:
    """Stored under MEDIA_ROOT with a random name: the original name (which may say something
    about the child) is kept only in `document_name`."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"admission/claims/{clock.today():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class PriorityClaim(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="claims")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("grunnlag"), max_length=30, choices=ClaimKind.choices)
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("barnehage (for søsken)"),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    document = models.FileField(_("dokumentasjon"), upload_to=claim_upload_to, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("begrunnelse"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("prioritetskrav")
        verbose_name_plural = _("prioritetskrav")
        ordering = ["application_id", "pk"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Venter på svar")
    ACCEPTED = "accepted", _("Akseptert")
    DECLINED = "declined", _("Avslått")
    LAPSED = "lapsed", _("Svarfristen gikk ut")


class Offer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    round = models.ForeignKey(AdmissionRound, on_delete=models.PROTECT, related_name="offers")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="admission_offers")
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    wish_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField(_("oppstart"))
    place_percent = models.PositiveSmallIntegerField(default=100)
    weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    deadline = models.DateField(_("svarfrist"))
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    keep_waiting = models.BooleanField(_("står på venteliste for høyere ønsker"), default=False)
    explanation = models.JSONField(default=list, blank=True)
    placement = models.ForeignKey(
        "placements.Placement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tilbud")
        verbose_name_plural = _("tilbud")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="offer_one_per_round")
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["round", "unit", "age_group", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.application_id} ({self.status})"

    @property
    def weekly_hours_display(self) -> str:
        if self.weekly_hours is None:
            return ""
        return f"{Decimal(self.weekly_hours).normalize():f}".replace(".", ",")


class RoundOutcome(models.Model):
    """What a committed round decided for one applicant, with the explanation (the cut-off at
    every wish ranked above the result). The basis for offer letters and rejection letters."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="outcomes")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="outcomes")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    has_right = models.BooleanField(default=False)
    explanation = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="outcome_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.application_id}: {self.unit_id}"
