"""Changes to placements. One transaction each; the child row is locked so two racing
requests for the same child are serialised (lock order: unit → group → child, DESIGN.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from oppvekst.core.models import Group, Unit
from oppvekst.daterange import DateRange, overlap_q
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement, Service

SERVICE_FOR_UNIT_KIND = {
    "kindergarten": Service.KINDERGARTEN,
    "school": Service.SCHOOL,
    "sfo": Service.SFO,
}


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
    service = SERVICE_FOR_UNIT_KIND[unit.kind]
    try:
        with transaction.atomic():
            # Serialise all placement changes for this child.
            Person.objects.select_for_update().only("pk").get(pk=child.pk)
            clash = (
                Placement.objects.filter(child=child, service=service)
                .filter(overlap_q(period))
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
