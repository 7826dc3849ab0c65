"""Changes in daily kindergarten and SFO life. One transaction each; keyword-only arguments.

Access is decided by the caller (views and API ask `oppvekst.access.policy`); services check the
facts: the child is placed in the unit that day, the pick-up person is on the list, the undo is
within its window, a holiday follows the owner's rule (domain/operations.md §3).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.attendance.engine import holidays
from oppvekst.attendance.models import (
    Absence,
    AbsenceReason,
    Attendance,
    ChildNote,
    Consent,
    ConsentPurpose,
    EmergencyContact,
    NoteKind,
    PickupAuthorization,
    PickupRestriction,
    StaffPresence,
)
from oppvekst.attendance.selectors import holiday_rule_for, pickup_options
from oppvekst.core.models import Group, GroupKind, Unit
from oppvekst.daterange import active_q
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement

# Staff may take back a tap for a few minutes (a wrong child, a double tap on a slow network).
UNDO_WINDOW = dt.timedelta(minutes=5)
# A guardian reports at most a year ahead; longer leave is a placement change.
MAX_ABSENCE_DAYS = 366
DAYCARE_SERVICES = ("kindergarten", "sfo")


class NotPlaced(DomainError):
    code = "not_placed"


def _placement(child: Person, unit: Unit, day: dt.date) -> Placement:
    placement = (
        Placement.objects.active_on(day)
        .filter(child=child, unit=unit)
        .filter(service__in=DAYCARE_SERVICES)
        .first()
    )
    if placement is None:
        raise NotPlaced(
            _("%(name)s har ikke plass i %(unit)s denne dagen.")
            % {"name": child.full_name, "unit": unit.name}
        )
    return placement


# -- check-in and check-out -------------------------------------------------------------------


def attendance_check_in(
    *, child: Person, unit: Unit, by: Person | None, at: dt.datetime | None = None
) -> Attendance:
    """Check the child in. A repeat (double tap, retried request) returns the same row."""
    moment = at or clock.now()
    day = moment.astimezone(clock.OSLO).date()
    placement = _placement(child, unit, day)
    existing = Attendance.objects.filter(child=child, unit=unit, day=day).first()
    if existing is not None:
        if existing.checked_out_at is not None:
            raise ConflictError(
                _("%(name)s er allerede hentet i dag. Angre hentingen først om barnet er tilbake.")
                % {"name": child.full_name},
                code="already_checked_out",
            )
        return existing
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                child=child,
                unit=unit,
                municipality_id=unit.municipality_id,
                group_id=placement.group_id,
                day=day,
                checked_in_at=moment,
                checked_in_by=by,
            )
    except IntegrityError:
        # A racing request checked the child in first: same result (idempotent).
        return Attendance.objects.get(child=child, unit=unit, day=day)


def attendance_check_out(
    *,
    child: Person,
    unit: Unit,
    by: Person | None,
    picked_up_by: str,
    at: dt.datetime | None = None,
) -> Attendance:
    """Check the child out to a person on the pick-up list: a guardian, an authorised person,
    or today's one-off name (operations.md §3.1: the kindergarten releases the child only to
    those the parents have approved). `picked_up_by` is an option key from `pickup_options`
    ("guardian:ID", "pickup:ID") or a name on the list."""
    moment = at or clock.now()
    day = moment.astimezone(clock.OSLO).date()
    with transaction.atomic():
        record = (
            Attendance.objects.select_for_update().filter(child=child, unit=unit, day=day).first()
        )
        if record is None:
            raise ConflictError(
                _("%(name)s er ikke sjekket inn i dag.") % {"name": child.full_name},
                code="not_checked_in",
            )
        options = pickup_options(child, day)
        wanted = picked_up_by.strip()
        choice = next(
            (o for o in options if o.key == wanted or o.name.casefold() == wanted.casefold()),
            None,
        )
        if record.checked_out_at is not None:
            if choice is not None and record.picked_up_by == choice.name:
                return record  # the same check-out again (idempotent)
            raise ConflictError(
                _("%(name)s er allerede hentet.") % {"name": child.full_name},
                code="already_checked_out",
            )
        if choice is None:
            raise DomainError(
                _(
                    "«%(who)s» står ikke på hentelisten til %(name)s i dag. Barnet kan ikke "
                    "hentes av denne personen; kontakt foresatte."
                )
                % {"who": wanted or "–", "name": child.full_name},
                code="not_on_pickup_list",
                fields={"picked_up_by": _("Velg en person fra hentelisten.")},
            )
        record.checked_out_at = max(moment, record.checked_in_at)
        record.checked_out_by = by
        record.picked_up_by = choice.name
        record.pickup_id = choice.authorization_id
        record.save(update_fields=["checked_out_at", "checked_out_by", "picked_up_by", "pickup"])
        return record


def attendance_undo(*, record: Attendance, now: dt.datetime | None = None) -> Attendance | None:
    """Take back the last tap within the undo window: a check-out is reopened, a check-in is
    removed (returns None)."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().filter(pk=record.pk).first()
        if locked is None:
            return None  # already undone (a repeated undo changes nothing)
        last = locked.checked_out_at or locked.checked_in_at
        if moment - last > UNDO_WINDOW:
            raise DomainError(
                _("Det er for sent å angre (mer enn %(minutes)s minutter siden).")
                % {"minutes": int(UNDO_WINDOW.total_seconds() // 60)},
                code="undo_too_late",
            )
        if locked.checked_out_at is not None:
            locked.checked_out_at = None
            locked.checked_out_by = None
            locked.picked_up_by = ""
            locked.pickup_id = None
            locked.save(
                update_fields=["checked_out_at", "checked_out_by", "picked_up_by", "pickup"]
            )
            return locked
        locked.delete()
        return None


def staff_presence_arrive(
    *, person: Person, unit: Unit, at: dt.datetime | None = None
) -> StaffPresence:
    moment = at or clock.now()
    day = moment.astimezone(clock.OSLO).date()
    presence, _created = StaffPresence.objects.get_or_create(
        person=person, unit=unit, day=day, defaults={"arrived_at": moment}
    )
    if presence.left_at is not None:
        presence.left_at = None
        presence.save(update_fields=["left_at"])
    return presence


def staff_presence_leave(*, person: Person, unit: Unit, at: dt.datetime | None = None) -> None:
    moment = at or clock.now()
    StaffPresence.objects.filter(
        person=person, unit=unit, day=moment.astimezone(clock.OSLO).date(), left_at__isnull=True
    ).update(left_at=moment)


# -- absence and holidays -----------------------------------------------------------------------


def _norwegian_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")


def _holiday_problems(child: Person, first: dt.date, last: dt.date, today: dt.date) -> None:
    placement = (
        Placement.objects.filter(child=child, service="kindergarten")
        .filter(active_q(first) | active_q(last))
        .select_related("unit")
        .first()
    )
    if placement is None:
        return  # holiday rules are the kindergarten owners' (operations.md §3.2)
    rule = holiday_rule_for(placement.unit)
    if rule is None:
        return
    # School starts in August of the year the child turns 6 (norway.md §4).
    school_starter = first.year - child.birth_date.year == 6
    problems = holidays.check_registration(
        rule, first=first, last=last, registered_on=today, school_starter=school_starter
    )
    for problem in problems:
        if problem.code == "after_deadline":
            raise DomainError(
                _(
                    "Fristen for å melde sommerferie var %(deadline)s. Ta kontakt med barnehagen "
                    "for å endre ferieplanen."
                )
                % {
                    "deadline": dt.date.fromisoformat(problem.params["deadline"]).strftime(
                        "%d.%m.%Y"
                    )
                },
                code="holiday_after_deadline",
                fields={"first_day": _("Fristen for ferieplanen er ute.")},
            )
        if problem.code == "school_starter_cutoff":
            raise DomainError(
                _("Skolestartere må avslutte ferien i barnehagen innen %(cutoff)s.")
                % {"cutoff": _norwegian_date(problem.params["cutoff"])},
                code="holiday_school_starter",
                fields={"last_day": _("Ferien må slutte før skolestart.")},
            )


def absence_report(
    *,
    child: Person,
    first_day: dt.date,
    last_day: dt.date,
    reason: str,
    note: str = "",
    reported_by: Person | None,
    staff: bool = False,
) -> Absence:
    """Record an absence for every unit the child attends in the period. Guardians report from
    today on; staff may also record a day already begun (a phone call after check-in time)."""
    today = clock.today()
    fields: dict[str, object] = {}
    if reason not in AbsenceReason.values:
        fields["reason"] = _("Velg syk, ferie eller annet.")
    if last_day < first_day:
        fields["last_day"] = _("Til-dato kan ikke være før fra-dato.")
    elif (last_day - first_day).days >= MAX_ABSENCE_DAYS:
        fields["last_day"] = _("Fravær kan meldes for høyst ett år om gangen.")
    if first_day < today and not staff:
        fields["first_day"] = _("Fravær kan ikke meldes tilbake i tid.")
    if len(note) > 300:
        fields["note"] = _("Merknaden kan ha høyst 300 tegn.")
    if fields:
        raise DomainError(_("Fraværet kan ikke registreres."), fields=fields)  # type: ignore[arg-type]
    placement = (
        Placement.objects.not_ended_by(first_day)
        .filter(child=child, valid_from__lte=last_day)
        .order_by("valid_from")
        .first()
    )
    if placement is None:
        raise DomainError(
            _("%(name)s har ingen plass i denne perioden.") % {"name": child.full_name},
            code="not_placed",
            fields={"first_day": _("Barnet har ingen plass i perioden.")},
        )
    if reason == AbsenceReason.HOLIDAY:
        _holiday_problems(child, first_day, last_day, today)
    with transaction.atomic():
        # Serialise reports for one child, so two guardians cannot report the same days twice.
        Person.objects.select_for_update().only("pk").get(pk=child.pk)
        clash = (
            Absence.objects.filter(child=child, cancelled_at__isnull=True)
            .filter(first_day__lte=last_day, last_day__gte=first_day)
            .first()
        )
        if clash is not None:
            raise ConflictError(
                _("Det er allerede meldt fravær %(first)s–%(last)s.")
                % {
                    "first": clash.first_day.strftime("%d.%m.%Y"),
                    "last": clash.last_day.strftime("%d.%m.%Y"),
                },
                code="absence_overlap",
                fields={"first_day": _("Overlapper med fravær som allerede er meldt.")},
            )
        return Absence.objects.create(
            child=child,
            municipality_id=placement.municipality_id,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            note=note.strip(),
            reported_by=reported_by,
            reported_at=clock.now(),
        )


def absence_cancel(*, absence: Absence) -> Absence:
    """Withdraw an absence that has not begun, or shorten one under way to end yesterday."""
    today = clock.today()
    with transaction.atomic():
        locked = Absence.objects.select_for_update().get(pk=absence.pk)
        if locked.cancelled_at is not None:
            return locked
        if locked.last_day < today:
            raise DomainError(_("Fravær som er over, kan ikke trekkes tilbake."), code="past")
        if locked.first_day >= today:
            locked.cancelled_at = clock.now()
            locked.save(update_fields=["cancelled_at"])
        else:
            locked.last_day = today - dt.timedelta(days=1)
            locked.save(update_fields=["last_day"])
        return locked


# -- pick-up list ---------------------------------------------------------------------------------


def pickup_authorization_add(
    *,
    child: Person,
    name: str,
    relation: str = "",
    phone: str = "",
    note: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    one_off: bool = False,
    granted_by: Person | None,
) -> PickupAuthorization:
    """A person who may pick the child up, or (`one_off`) "picked up by X" for one day."""
    today = clock.today()
    start = valid_from or today
    end = start if one_off else valid_to
    fields: dict[str, object] = {}
    if not name.strip():
        fields["name"] = _("Skriv navnet på den som skal hente.")
    if len(name) > 150:
        fields["name"] = _("Navnet kan ha høyst 150 tegn.")
    if len(phone) > 20:
        fields["phone"] = _("Telefonnummeret kan ha høyst 20 tegn.")
    if start < today:
        fields["valid_from"] = _("Datoen kan ikke være tilbake i tid.")
    if end is not None and end < start:
        fields["valid_to"] = _("Til-dato kan ikke være før fra-dato.")
    if fields:
        raise DomainError(_("Hentetillatelsen kan ikke lagres."), fields=fields)  # type: ignore[arg-type]
    return PickupAuthorization.objects.create(
        child=child,
        name=" ".join(name.split()),
        relation=relation.strip()[:60],
        phone=phone.strip(),
        note=note.strip()[:200],
        one_off=one_off,
        valid_from=start,
        valid_to=end,
        granted_by=granted_by,
        created_at=clock.now(),
    )


def pickup_authorization_withdraw(*, authorization: PickupAuthorization) -> PickupAuthorization:
    if authorization.withdrawn_at is None:
        authorization.withdrawn_at = clock.now()
        authorization.save(update_fields=["withdrawn_at"])
    return authorization


def pickup_restriction_record(
    *,
    child: Person,
    description: str,
    basis: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    recorded_by: Person | None,
) -> PickupRestriction:
    if not description.strip() or not basis.strip():
        raise DomainError(
            _("Beskriv begrensningen og grunnlaget for den."),
            fields={"description": _("Må fylles ut."), "basis": _("Må fylles ut.")},
        )
    return PickupRestriction.objects.create(
        child=child,
        description=description.strip(),
        basis=basis.strip()[:150],
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )


# -- departments --------------------------------------------------------------------------------


def department_create(
    *, unit: Unit, name: str, min_age: int | None = None, max_age: int | None = None
) -> Group:
    """A department (avdeling) of a kindergarten or a group of an SFO."""
    name = " ".join(name.split())
    fields: dict[str, object] = {}
    if not name:
        fields["name"] = _("Gi avdelingen et navn.")
    elif len(name) > 100:
        fields["name"] = _("Navnet kan ha høyst 100 tegn.")
    if min_age is not None and max_age is not None and min_age > max_age:
        fields["max_age"] = _("Til-alder kan ikke være lavere enn fra-alder.")
    if unit.kind not in DAYCARE_SERVICES:
        fields["unit"] = _("Bare barnehager og SFO har avdelinger her.")
    if fields:
        raise DomainError(_("Avdelingen kan ikke lagres."), fields=fields)  # type: ignore[arg-type]
    with transaction.atomic():
        Unit.objects.select_for_update().only("pk").get(pk=unit.pk)
        kind = GroupKind.DEPARTMENT if unit.kind == "kindergarten" else GroupKind.SFO_GROUP
        today = clock.today()
        if Group.objects.active_on(today).filter(unit=unit, kind=kind, name__iexact=name).exists():
            raise ConflictError(
                _("Det finnes allerede en avdeling som heter «%(name)s».") % {"name": name},
                code="department_exists",
                fields={"name": _("Navnet er i bruk.")},
            )
        return Group.objects.create(
            unit=unit,
            municipality_id=unit.municipality_id,
            kind=kind,
            name=name,
            min_age=min_age,
            max_age=max_age,
            valid_from=today,
        )


def department_move(*, placement: Placement, group: Group, from_day: dt.date) -> Placement:
    """Move a child to another department of the same unit from a date: the placement ends the
    day before and a new one (same place size and hours) starts in the new group. A placement
    that has not begun yet simply changes group. Lock order: unit → group → child."""
    if group.unit_id != placement.unit_id:
        raise DomainError(
            _("Barnet kan bare flyttes til en avdeling i samme enhet."),
            fields={"group": _("Velg en avdeling i samme enhet.")},
        )
    if group.pk == placement.group_id:
        raise DomainError(
            _("Barnet går allerede på denne avdelingen."),
            fields={"group": _("Velg en annen avdeling.")},
        )
    if from_day < clock.today():
        raise DomainError(
            _("Flyttingen kan ikke starte tilbake i tid."),
            fields={"from_day": _("Velg i dag eller en senere dato.")},
        )
    with transaction.atomic():
        Unit.objects.select_for_update().only("pk").get(pk=placement.unit_id)
        Group.objects.select_for_update().only("pk").get(pk=group.pk)
        Person.objects.select_for_update().only("pk").get(pk=placement.child_id)
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.valid_to is not None and locked.valid_to < from_day:
            raise DomainError(
                _("Plassen slutter før flyttedatoen."),
                fields={"from_day": _("Plassen slutter før denne datoen.")},
            )
        if locked.valid_from >= from_day:
            locked.group = group
            locked.save(update_fields=["group"])
            return locked
        end, locked.valid_to = locked.valid_to, from_day - dt.timedelta(days=1)
        locked.save(update_fields=["valid_to"])
        return Placement.objects.create(
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            unit_id=locked.unit_id,
            group=group,
            service=locked.service,
            place_percent=locked.place_percent,
            weekly_hours=locked.weekly_hours,
            valid_from=from_day,
            valid_to=end,
        )


# -- the child's record -----------------------------------------------------------------------


def child_note_add(*, child: Person, kind: str, text: str, by: Person | None) -> ChildNote:
    text = " ".join(text.split())
    fields: dict[str, object] = {}
    if kind not in NoteKind.values:
        fields["kind"] = _("Velg allergi, kosthold eller helseopplysning.")
    if not text:
        fields["text"] = _("Skriv opplysningen.")
    elif len(text) > 500:
        fields["text"] = _("Teksten kan ha høyst 500 tegn.")
    if fields:
        raise DomainError(_("Opplysningen kan ikke lagres."), fields=fields)  # type: ignore[arg-type]
    return ChildNote.objects.create(
        child=child, kind=kind, text=text, recorded_by=by, recorded_at=clock.now()
    )


def child_note_remove(*, note: ChildNote) -> ChildNote:
    if note.removed_at is None:
        note.removed_at = clock.now()
        note.save(update_fields=["removed_at"])
    return note


def consent_set(*, child: Person, guardian: Person, purpose: str, granted: bool) -> Consent:
    """Record one guardian's answer; an unchanged answer writes nothing (idempotent)."""
    if purpose not in ConsentPurpose.values:
        raise DomainError(_("Ukjent formål."), fields={"purpose": _("Ukjent formål.")})
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=child.pk)
        current = (
            Consent.objects.filter(child=child, guardian=guardian, purpose=purpose)
            .order_by("-at", "-pk")
            .first()
        )
        if current is not None and current.granted == granted:
            return current
        return Consent.objects.create(
            child=child, guardian=guardian, purpose=purpose, granted=granted, at=clock.now()
        )


def emergency_contact_add(
    *, child: Person, name: str, relation: str, phone: str, by: Person | None
) -> EmergencyContact:
    name = " ".join(name.split())
    phone = phone.strip()
    fields: dict[str, object] = {}
    if not name:
        fields["name"] = _("Skriv navnet.")
    if not phone:
        fields["phone"] = _("Skriv telefonnummeret.")
    elif len(phone) > 20:
        fields["phone"] = _("Telefonnummeret kan ha høyst 20 tegn.")
    if fields:
        raise DomainError(_("Nødkontakten kan ikke lagres."), fields=fields)  # type: ignore[arg-type]
    return EmergencyContact.objects.create(
        child=child,
        name=name[:150],
        relation=relation.strip()[:60],
        phone=phone,
        added_by=by,
        added_at=clock.now(),
    )


def guardian_contact_update(*, guardian: Person, phone: str, email: str) -> Person:
    """A guardian keeps their own phone and e-mail up to date (the unit's contact list)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    phone, email = phone.strip(), email.strip()
    fields: dict[str, object] = {}
    if len(phone) > 20:
        fields["phone"] = _("Telefonnummeret kan ha høyst 20 tegn.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fields["email"] = _("Skriv en gyldig e-postadresse.")
    if fields:
        raise DomainError(_("Kontaktopplysningene kan ikke lagres."), fields=fields)  # type: ignore[arg-type]
    guardian.phone, guardian.email = phone, email
    guardian.save(update_fields=["phone", "email"])
    return guardian
