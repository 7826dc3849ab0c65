"""Parent fees as data: dated price rules, zones, municipal prices, reduced-fee applications,
monthly invoice runs with their lines, and the ERP export of a locked run.

Money is integer øre everywhere (DESIGN.md). The rules themselves are computed by the pure
engine (``engine/pricing.py``); these tables only hold what it needs, versioned by date
(norway.md §§ 2-3: "keep every rate in dated tables (valid from, zone), never in code").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst.billing.engine.money import format_nok
from oppvekst.core.models import CareService, SfoPlaceType
from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint

# -- price rules ---------------------------------------------------------------------------


class Zone(models.TextChoices):
    """The national maximum price differs by zone (norway.md § 2.2)."""

    STANDARD = "standard", _("Standard")
    SENTRALITET_5_6 = "sentralitet_5_6", _("Sentralitetsindeks 5–6")
    TILTAKSSONE = "tiltakssone", _("Tiltakssonen")


class RuleZone(models.TextChoices):
    ALL = "all", _("Alle soner")
    STANDARD = "standard", _("Standard")
    SENTRALITET_5_6 = "sentralitet_5_6", _("Sentralitetsindeks 5–6")
    TILTAKSSONE = "tiltakssone", _("Tiltakssonen")


class RuleTable(models.TextChoices):
    """The rule tables of ``rules.py`` (TABLE_NAMES), one row per dated rate."""

    KG_MAX_PRICE = "kindergarten_max_price", _("Maksimalpris barnehage")
    KG_PART_TIME = "kindergarten_part_time", _("Deltidsplass barnehage")
    KG_SIBLING = "kindergarten_sibling_discount", _("Søskenmoderasjon barnehage")
    KG_INCOME_CAP = "kindergarten_income_cap", _("Redusert foreldrebetaling (6 %)")
    KG_CORE_HOURS = "kindergarten_free_core_hours", _("Gratis kjernetid")
    BILLING_MONTHS = "billing_months", _("Betalingsmåneder")
    FOOD = "food", _("Kostpenger")
    SFO_LIST_PRICE = "sfo_list_price", _("SFO-pris")
    SFO_FREE_HOURS = "sfo_free_hours", _("Gratis SFO-timer")
    SFO_SPECIAL_FREE = "sfo_special_needs_free", _("Gratis SFO ved særskilte behov")
    SFO_INCOME_CAP = "sfo_income_cap", _("Redusert SFO-betaling (6 %)")


BillingService = CareService  # the shared choice under the name billing code reads best


class Confidence(models.TextChoices):
    """As in norway.md: [B] confirmed, [U] derived, [?] not confirmed."""

    CONFIRMED = "B", _("Bekreftet")
    DERIVED = "U", _("Utledet")
    UNCONFIRMED = "?", _("Ikke bekreftet")


class RateRule(models.Model):
    """One dated row of a price-rule table. National rows (``municipality`` empty) come from
    ``rates.json`` (data migration 0002, ``oppvekst billing_load_rates``); a municipality may
    add its own rows, which replace the national rows of the same table for their period
    (for example a larger sibling discount or other billing months).

    Only the columns the table uses are filled: ``amount_ore`` (maximum price per month, or
    the income threshold of free core hours), ``percent_bp`` (income share, or the second
    child's sibling discount; hundredths of a percent), ``third_percent_bp``, ``hours_x100``
    (free hours a week in hundredths), ages, grades, billing months."""

    municipality = models.ForeignKey(
        "core.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune (tom = nasjonal)"),
    )
    table = models.CharField(_("tabell"), max_length=40, choices=RuleTable.choices)
    rule_id = models.CharField(_("regel-id"), max_length=80)
    zone = models.CharField(_("sone"), max_length=20, choices=RuleZone.choices, default="all")
    service = models.CharField(
        _("tjeneste"), max_length=20, choices=BillingService.choices, blank=True
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    amount_ore = models.BigIntegerField(_("beløp (øre)"), null=True, blank=True)
    percent_bp = models.PositiveIntegerField(_("prosent (hundredeler)"), null=True, blank=True)
    third_percent_bp = models.PositiveIntegerField(
        _("prosent 3. barn (hundredeler)"), null=True, blank=True
    )
    hours_x100 = models.PositiveIntegerField(
        _("timer per uke (hundredeler)"), null=True, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("fra alder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("til alder"), null=True, blank=True)
    grade_from = models.PositiveSmallIntegerField(_("fra trinn"), null=True, blank=True)
    grade_to = models.PositiveSmallIntegerField(_("til trinn"), null=True, blank=True)
    unbilled_months = models.JSONField(_("betalingsfrie måneder"), default=list, blank=True)
    annual_cap_months = models.PositiveSmallIntegerField(
        _("årlig tak i måneder"), null=True, blank=True
    )
    method = models.CharField(_("metode"), max_length=40, blank=True)
    source = models.CharField(_("hjemmel"), max_length=300)
    confidence = models.CharField(
        _("sikkerhet"), max_length=1, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    confirmed = models.BooleanField(_("bekreftet"), default=True)
    note = models.TextField(_("merknad"), blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("prisregel")
        verbose_name_plural = _("prisregler")
        ordering = ["table", "valid_from", "rule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id"],
                condition=Q(municipality__isnull=True),
                name="rate_rule_national_id_unique",
            ),
            models.UniqueConstraint(
                fields=["municipality", "rule_id"],
                condition=Q(municipality__isnull=False),
                name="rate_rule_municipal_id_unique",
            ),
            models.CheckConstraint(
                condition=(Q(confidence="?") & Q(confirmed=False))
                | (~Q(confidence="?") & Q(confirmed=True)),
                name="rate_rule_confirmed_matches_confidence",
            ),
            valid_range_constraint("rate_rule_valid_range"),
        ]

    def __str__(self) -> str:
        return self.rule_id

    def as_rates_row(self) -> dict[str, Any]:
        """The row in the ``rates.json`` shape that ``rules.RuleBook.from_mapping`` reads."""
        row: dict[str, Any] = {
            "id": self.rule_id,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "zone": self.zone,
            "source": self.source,
            "confidence": self.confidence,
            "confirmed": self.confirmed,
            "note": self.note,
        }
        table = self.table
        if self.service:
            row["service"] = self.service
        if self.grade_from is not None:
            row["grade_from"], row["grade_to"] = self.grade_from, self.grade_to
        if table == RuleTable.KG_MAX_PRICE:
            row["monthly_nok"] = _nok(self.amount_ore)
        elif table in (RuleTable.KG_PART_TIME, RuleTable.SFO_FREE_HOURS):
            row["method"] = self.method
        if table == RuleTable.KG_SIBLING:
            row["second_child_percent"] = _nok(self.percent_bp)
            row["third_and_later_percent"] = _nok(self.third_percent_bp)
        elif table in (RuleTable.KG_INCOME_CAP, RuleTable.SFO_INCOME_CAP):
            row["income_percent"] = _nok(self.percent_bp)
        elif table == RuleTable.KG_CORE_HOURS:
            row["free_hours_per_week"] = _nok(self.hours_x100)
            row["min_age"], row["max_age"] = self.min_age, self.max_age
            row["income_threshold_nok"] = _nok(self.amount_ore)
        elif table == RuleTable.SFO_FREE_HOURS:
            row["free_hours_per_week"] = _nok(self.hours_x100)
        elif table == RuleTable.BILLING_MONTHS:
            row["unbilled_months"] = list(self.unbilled_months or [])
            row["annual_cap_months"] = self.annual_cap_months
        return row

    def clean(self) -> None:
        # The pure parser is the one validator: the row must parse and fit with the others.
        from oppvekst.billing.rulebook import validate_rule_row

        validate_rule_row(self)


def _nok(value: int | None) -> str | None:
    """Hundredths as a decimal string ("1200.00", "6.00"), the shape rates.json uses."""
    return None if value is None else format_nok(value)


class ZonePeriod(models.Model):
    """Which maximum-price zone a municipality is in, and when (SSB sentralitetsindeks and the
    tiltakssone both change over time, norway.md § 2.2)."""

    municipality = models.ForeignKey(
        "core.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kommune"),
    )
    zone = models.CharField(_("sone"), max_length=20, choices=Zone.choices)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    source = models.CharField(_("kilde"), max_length=300, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("prissone for kommune")
        verbose_name_plural = _("prissoner for kommuner")
        ordering = ["municipality_id", "valid_from"]
        constraints = [
            valid_range_constraint("zone_period_valid_range"),
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="zone_period_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_zone_display()} {self.valid_from}–{self.valid_to or ''}"

    def clean(self) -> None:
        _refuse_overlap(
            self, ZonePeriod.objects.filter(municipality_id=self.municipality_id), _("sone")
        )


# The SFO place types the municipality sets a monthly price for; single days are not priced
# as a place type.
PRICED_SFO_PLACE_TYPES = [
    (SfoPlaceType.FULL.value, SfoPlaceType.FULL.label),
    (SfoPlaceType.PART.value, SfoPlaceType.PART.label),
]


class MunicipalPrice(models.Model):
    """A price the municipality sets itself: an SFO place type (there is no national maximum
    price for SFO, norway.md § 3) or food money (kost, § 2.6), for one unit or, with ``unit``
    empty, for all units of the service in the municipality. The unit's own row wins."""

    class Kind(models.TextChoices):
        SFO_PLACE = "sfo_place", _("SFO-plass")
        FOOD = "food", _("Kostpenger")

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet (tom = alle)"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    service = models.CharField(_("tjeneste"), max_length=20, choices=BillingService.choices)
    place_type = models.CharField(
        _("plasstype"), max_length=10, choices=PRICED_SFO_PLACE_TYPES, blank=True
    )
    monthly_ore = models.PositiveBigIntegerField(_("pris per måned (øre)"))
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    confirmed = models.BooleanField(_("bekreftet"), default=True)
    source = models.CharField(_("vedtak/kilde"), max_length=300, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommunal pris")
        verbose_name_plural = _("kommunale priser")
        ordering = ["municipality_id", "kind", "service", "unit_id", "valid_from"]
        constraints = [
            valid_range_constraint("municipal_price_valid_range"),
            models.CheckConstraint(
                condition=(Q(kind="sfo_place") & Q(service="sfo") & ~Q(place_type=""))
                | (Q(kind="food") & Q(place_type="")),
                name="municipal_price_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_nok(self.monthly_ore)} kr"

    def clean(self) -> None:
        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": _("Priser gjelder fra den første i en måned.")})
        same = MunicipalPrice.objects.filter(
            municipality_id=self.municipality_id,
            unit=self.unit_id,
            kind=self.kind,
            service=self.service,
            place_type=self.place_type,
        )
        _refuse_overlap(self, same, _("pris"))


def _refuse_overlap(obj: Any, same: ValidityQuerySet[Any], what: Any) -> None:
    if obj.valid_from is None:
        return
    clash = same.not_ended_by(obj.valid_from).exclude(pk=obj.pk)
    if obj.valid_to is not None:
        clash = clash.filter(valid_from__lte=obj.valid_to)
    if clash.exists():
        raise ValidationError(
            _("Perioden overlapper en annen %(what)s for det samme.") % {"what": what}
        )


# -- reduced-fee applications ----------------------------------------------------------------


class ReductionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Mottatt")
    GRANTED = "granted", _("Innvilget")
    REFUSED = "refused", _("Avslått")


class ReductionApplication(models.Model):
    """A household's application for reduced parent fees for one kindergarten year
    (August–July, norway.md § 2.4): the 6 % income cap (kindergarten and SFO grades 1–4)
    and/or free core hours (kindergarten, § 2.5). Decided by a caseworker; a decision never
    applies before the month the application was made (``effective_from``)."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    applicant = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="reduction_applications",
        verbose_name=_("søker"),
    )
    children = models.ManyToManyField(
        "people.Person", related_name="reduction_applications_for", verbose_name=_("barn")
    )
    year_start = models.PositiveSmallIntegerField(_("barnehageår (start)"))
    income_ore = models.PositiveBigIntegerField(_("husholdningens inntekt (øre)"))
    reduced_fee = models.BooleanField(_("redusert foreldrebetaling (6 %)"), default=True)
    free_core_hours = models.BooleanField(_("gratis kjernetid"), default=False)
    note = models.TextField(_("merknad fra søker"), blank=True)
    submitted_at = models.DateTimeField(_("mottatt"))
    application_month = models.DateField(_("søknadsmåned"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReductionStatus.choices,
        default=ReductionStatus.SUBMITTED,
    )
    decided_by = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vedtatt av"),
    )
    decided_at = models.DateTimeField(_("vedtatt"), null=True, blank=True)
    decision_reason = models.TextField(_("begrunnelse"), blank=True)
    effective_from = models.DateField(_("gjelder fra"), null=True, blank=True)
    letter_pdf = models.BinaryField(_("vedtaksbrev"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("søknad om redusert betaling")
        verbose_name_plural = _("søknader om redusert betaling")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "status", "year_start"]),
            models.Index(fields=["applicant", "-submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reduced_fee=True) | Q(free_core_hours=True),
                name="reduction_requests_something",
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_from__gte=models.F("application_month")),
                name="reduction_not_before_application_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {self.year_label}"

    @property
    def year_label(self) -> str:
        return f"{self.year_start}/{str(self.year_start + 1)[-2:]}"

    @property
    def year_starts(self) -> dt.date:
        return dt.date(self.year_start, 8, 1)

    @property
    def earliest_effective(self) -> dt.date:
        """The first month a decision may apply from: never before the application month nor
        before the kindergarten year (norway.md § 2.4, not retroactive)."""
        return max(self.application_month, self.year_starts)

    @property
    def income_nok(self) -> str:
        return format_nok(self.income_ore)


class ReductionDocument(models.Model):
    """Documentation of the household's income (tax return, pay slips) uploaded with it."""

    application = models.ForeignKey(
        ReductionApplication, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to="billing/reduction-documents/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


# -- invoice runs ------------------------------------------------------------------------


class BillingSettings(models.Model):
    """A municipality's own choices for billing. ``separate_approver`` (on unless the
    municipality turns it off): the person who approves an invoice run is not the one who
    computed it, so every run is seen by two people before invoices go out."""

    municipality = models.OneToOneField(
        "core.Municipality",
        on_delete=models.CASCADE,
        related_name="billing_settings",
        verbose_name=_("kommune"),
    )
    separate_approver = models.BooleanField(
        _("krever to personer for å godkjenne"),
        default=True,
        help_text=_("Den som godkjenner en fakturakjøring kan ikke være den som beregnet den."),
    )

    class Meta:
        verbose_name = _("innstillinger for betaling")
        verbose_name_plural = _("innstillinger for betaling")

    def __str__(self) -> str:
        return str(self.municipality)

    @classmethod
    def separate_approver_for(cls, municipality_id: int) -> bool:
        value = (
            cls.objects.filter(municipality_id=municipality_id)
            .values_list("separate_approver", flat=True)
            .first()
        )
        return True if value is None else bool(value)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    COMPUTING = "computing", _("Beregnes")
    PREVIEW = "preview", _("Til kontroll")
    APPROVED = "approved", _("Godkjent")
    LOCKED = "locked", _("Låst")
    FAILED = "failed", _("Feilet")


class InvoiceRun(models.Model):
    """The monthly invoice run of one municipality. Computed in the background, previewed,
    approved and locked. A locked run is never edited: later changes reaching back into its
    month become correction lines in a later run."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    month = models.DateField(_("måned"))
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    zone = models.CharField(_("sone"), max_length=20, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_label = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    computed_at = models.DateTimeField(null=True, blank=True)
    computed_by = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beregnet av"),
        help_text=_("Den som startet kjøringen eller sist ba om ny beregning."),
    )
    approved_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    unconfirmed_rules = models.JSONField(default=list, blank=True)
    corrected_months = models.JSONField(default=list, blank=True)
    rules_hash = models.CharField(max_length=32, blank=True)
    child_count = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    invoice_count = models.PositiveIntegerField(default=0)
    total_ore = models.BigIntegerField(default=0)  # invoiced by the municipality
    correction_ore = models.BigIntegerField(default=0)
    private_compensation_ore = models.BigIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("fakturakjøring")
        verbose_name_plural = _("fakturakjøringer")
        ordering = ["-month", "municipality_id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month"], name="invoice_run_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status == RunStatus.LOCKED

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class LineKind(models.TextChoices):
    CHARGE = "charge", _("Månedens betaling")
    CORRECTION = "correction", _("Korreksjon")


class InvoiceLine(models.Model):
    """One line of a run: a rule's amount for one child, one payer and one month (``period``;
    earlier than the run's month for correction lines). Lines of private kindergartens are
    not invoiced by the municipality (``invoiced`` false): they are the basis of the list of
    reductions the municipality compensates the kindergarten for.

    An append-only table written in bulk (about 100,000 rows a month in a large municipality):
    its references carry no database constraint (``db_constraint=False``), because deferred
    foreign-key checks of every row at commit cost more than the whole computation; the one
    writer (``services._write_run``) writes ids it has just read, and the referenced rows are
    PROTECTed at the ORM level."""

    run = models.ForeignKey(
        InvoiceRun, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    payer = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    placement_id = models.BigIntegerField(null=True, blank=True)
    service = models.CharField(max_length=20, choices=BillingService.choices)
    period = models.DateField()
    kind = models.CharField(max_length=20, choices=LineKind.choices, default=LineKind.CHARGE)
    rule_id = models.CharField(max_length=80)
    rule_table = models.CharField(max_length=40, choices=RuleTable.choices)
    source = models.CharField(max_length=300)
    amount_ore = models.BigIntegerField()
    share_percent = models.PositiveSmallIntegerField(default=100)
    is_food = models.BooleanField(default=False)
    invoiced = models.BooleanField(default=True)
    confirmed = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["run", "payer"]),
            models.Index(fields=["municipality", "period", "child"]),
            models.Index(fields=["unit", "run"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {format_nok(self.amount_ore)}"


class Invoice(models.Model):
    """What one payer owes in one run: the run's invoiced lines with that payer (the lines
    are found by run and payer)."""

    run = models.ForeignKey(InvoiceRun, on_delete=models.CASCADE, related_name="invoices")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    # Bulk-written with the run's lines; see InvoiceLine on db_constraint.
    payer = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    customer_number = models.CharField(max_length=20)
    order_number = models.CharField(max_length=30)
    total_ore = models.BigIntegerField(default=0)
    previous_total_ore = models.BigIntegerField(null=True, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    correction_ore = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("faktura")
        verbose_name_plural = _("fakturaer")
        ordering = ["run_id", "order_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "payer"], name="invoice_one_per_payer"),
        ]
        indexes = [models.Index(fields=["payer", "run"])]

    def __str__(self) -> str:
        return self.order_number

    @property
    def changed(self) -> bool:
        return self.previous_total_ore is not None and self.previous_total_ore != self.total_ore


class InvoiceChange(models.Model):
    """Why a child's amount for a payer differs from last month: reason codes with their
    numbers (``reasons``), rendered in the user's language by ``explain.py``."""

    run = models.ForeignKey(InvoiceRun, on_delete=models.CASCADE, related_name="changes")
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    payer = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    previous_ore = models.BigIntegerField()
    current_ore = models.BigIntegerField()
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["run", "payer"]), models.Index(fields=["run", "child"])]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.previous_ore} → {self.current_ore}"

    @property
    def difference_ore(self) -> int:
        return self.current_ore - self.previous_ore


class ChildBasis(models.Model):
    """A fingerprint of everything a child's fees depend on (placements, guardians, decisions,
    the household's other children, the price rules) when a run was computed. The next run
    recomputes a locked month only for children whose fingerprint changed since; that keeps
    the search for correction lines cheap."""

    run = models.ForeignKey(
        InvoiceRun, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    child_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["run", "child_id"])]

    def __str__(self) -> str:
        return f"{self.child_id}:{self.fingerprint}"


class BillingCustomer(models.Model):
    """The payer's customer number in the municipality's ERP (stable from run to run)."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "person"], name="customer_unique"),
            models.UniqueConstraint(
                fields=["municipality", "number"], name="customer_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.number)


class ErpExport(models.Model):
    """The invoice basis of a locked run, written once when the run is locked."""

    run = models.OneToOneField(InvoiceRun, on_delete=models.PROTECT, related_name="export")
    csv_file = models.FileField(upload_to="billing/erp/")
    json_file = models.FileField(upload_to="billing/erp/")
    csv_sha256 = models.CharField(max_length=64)
    json_sha256 = models.CharField(max_length=64)
    invoice_count = models.PositiveIntegerField()
    line_count = models.PositiveIntegerField()
    control_total_ore = models.BigIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ERP {self.run}"
