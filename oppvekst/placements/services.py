"""Changes to placements. One transaction each; the child row is locked so two racing
requests for the same child are serialised (lock order: unit → group → child, DESIGN.md)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.core.models import Group, Unit
from oppvekst.daterange import DateRange
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement, Service


class PlacementOverlap(ConflictError):
    code = "placement_overlap"


def _validate(*, unit: Unit, group: Group | None, period: DateRange, place_percent: int) -> None:
    fields: dict[str, object] = {}
    if group is not None and group.unit_id != unit.pk:
        fields["group"] = _("Gruppen hører ikke til denne enheten.")
    if not 1 <= place_percent <= 100:
        fields["place_percent"] = _("Plasstørrelsen må være mellom 1 og 100 %.")
    if fields:
        raise DomainError(_("Plassen kan ikke lagres."), fields=fields)  # type: ignore[arg-type]


def placement_create(
    *,
    child: Person,
    unit: Unit,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    group: Group | None = None,
    place_percent: int = 100,
    weekly_hours: Decimal | None = None,
) -> Placement:
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(
            _("Sluttdato kan ikke være før startdato."),
            code="invalid_period",
            fields={"valid_to": _("Sluttdato kan ikke være før startdato.")},
        )
    period = DateRange(valid_from, valid_to)
    _validate(unit=unit, group=group, period=period, place_percent=place_percent)
    service = Service(unit.kind)
    try:
        with transaction.atomic():
            # Serialise all placement changes for this child.
            Person.objects.select_for_update().only("pk").get(pk=child.pk)
            clash = (
                Placement.objects.overlapping(period)
                .filter(child=child, service=service)
                .select_related("unit")
                .first()
            )
            if clash is not None:
                raise PlacementOverlap(
                    _("Barnet har allerede plass i %(unit)s i denne perioden (%(start)s–%(end)s).")
                    % {
                        "unit": clash.unit.name,
                        "start": clash.valid_from.isoformat(),
                        "end": clash.valid_to.isoformat() if clash.valid_to else "",
                    }
                )
            return Placement.objects.create(
                child=child,
                municipality_id=unit.municipality_id,
                unit=unit,
                group=group,
                service=service,
                place_percent=place_percent,
                weekly_hours=weekly_hours,
                valid_from=valid_from,
                valid_to=valid_to,
            )
    except IntegrityError as exc:
        # The PostgreSQL exclusion constraint is the last line of defence.
        if "placement_no_overlap" in str(exc):
            raise PlacementOverlap(_("Barnet har allerede plass i denne perioden.")) from exc
        raise


def placement_end(*, placement: Placement, last_day: dt.date) -> Placement:
    if last_day < placement.valid_from:
        raise DomainError(_("Sluttdato kan ikke være før startdato."), code="invalid_period")
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.valid_to is not None and locked.valid_to < last_day:
            raise DomainError(_("Plassen er allerede avsluttet før denne datoen."), code="ended")
        locked.valid_to = last_day
        locked.save(update_fields=["valid_to"])
        return locked


# -- changes asked for by guardians and by admission -------------------------------


def placement_cancel(*, placement: Placement, today: dt.date | None = None) -> None:
    """Remove a placement that has not started yet: a place given up before its first day, or
    replaced by a better wish before it began (domain §1.3, §1.5)."""
    day = today or clock.today()
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=placement.child_id)
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.valid_from <= day:
            raise DomainError(
                _("Plassen har allerede startet og kan ikke slettes; den må sies opp."),
                code="placement_started",
            )
        locked.delete()


def placement_change_size(
    *,
    placement: Placement,
    place_percent: int,
    weekly_hours: Decimal | None,
    effective_from: dt.date,
    today: dt.date | None = None,
) -> Placement:
    """A new place size from `effective_from`. A placement that has started is split there, so
    the history (and billing) keeps the old size for the days before."""
    day = today or clock.today()
    if not 1 <= place_percent <= 100:
        raise DomainError(
            _("Plassen kan ikke lagres."),
            code="invalid_size",
            fields={"place_percent": _("Plasstørrelsen må være mellom 1 og 100 %.")},
        )
    if effective_from < day:
        raise DomainError(
            _("Endringen kan ikke gjelde fra en dato som har vært."),
            code="invalid_period",
            fields={"effective_from": _("Velg i dag eller en senere dato.")},
        )
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=placement.child_id)
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.valid_to is not None and effective_from > locked.valid_to:
            raise DomainError(
                _("Plassen er avsluttet før denne datoen."),
                code="ended",
                fields={"effective_from": _("Datoen er etter at plassen slutter.")},
            )
        if locked.place_percent == place_percent and locked.weekly_hours == weekly_hours:
            return locked
        if effective_from <= locked.valid_from:
            locked.place_percent = place_percent
            locked.weekly_hours = weekly_hours
            locked.save(update_fields=["place_percent", "weekly_hours"])
            return locked
        old_end = locked.valid_to
        locked.valid_to = effective_from - dt.timedelta(days=1)
        locked.save(update_fields=["valid_to"])
        return Placement.objects.create(
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            unit_id=locked.unit_id,
            group_id=locked.group_id,
            service=locked.service,
            place_percent=place_percent,
            weekly_hours=weekly_hours,
            valid_from=effective_from,
            valid_to=old_end,
        )


def notice_last_day(*, requested_on: dt.date, notice_months: int = 1) -> dt.date:
    """The earliest last day of a place given up on `requested_on`: the notice runs in whole
    months from the first day of the next month (the usual rule in kindergarten vedtekter;
    the length is set per municipality, default one month)."""
    index = requested_on.year * 12 + (requested_on.month - 1) + notice_months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def placement_terminate(
    *,
    placement: Placement,
    requested_on: dt.date | None = None,
    notice_months: int = 1,
    last_day: dt.date | None = None,
) -> Placement | None:
    """End a place with notice. Without `last_day` the place ends as early as the notice
    allows. A place that would end before it starts is removed (returns None)."""
    day = requested_on or clock.today()
    earliest = notice_last_day(requested_on=day, notice_months=notice_months)
    chosen = last_day or earliest
    if chosen < earliest:
        raise DomainError(
            _("Oppsigelsestiden gjør at siste dag tidligst kan være %(day)s.")
            % {"day": formats.date_format(earliest, "SHORT_DATE_FORMAT")},
            code="notice_period",
            fields={"last_day": _("Siste dag er før oppsigelsestiden er ute.")},
        )
    if placement.valid_to is not None and chosen >= placement.valid_to:
        raise DomainError(
            _("Plassen slutter allerede %(day)s.")
            % {"day": formats.date_format(placement.valid_to, "SHORT_DATE_FORMAT")},
            code="ended",
            fields={"last_day": _("Plassen slutter allerede før denne datoen.")},
        )
    if chosen < placement.valid_from:
        placement_cancel(placement=placement, today=day)
        return None
    return placement_end(placement=placement, last_day=chosen)
