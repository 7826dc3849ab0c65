"""Synthetic daily life for the demo municipality: holiday rules, pick-up lists, a restriction,
reported absences, and a morning of check-ins and staff present in every kindergarten and SFO
on the demo day, so every leader's page shows live figures. Bulk inserts only (fast)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from oppvekst import clock
from oppvekst.attendance.models import (
    Absence,
    AbsenceReason,
    Attendance,
    ChildNote,
    Consent,
    ConsentPurpose,
    EmergencyContact,
    HolidayRule,
    PickupAuthorization,
    PickupRestriction,
    StaffPresence,
)
from oppvekst.core.models import Municipality
from oppvekst.demo import names
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship
from oppvekst.placements.models import Placement
from oppvekst.staff.models import Employment, Position

PRESENT_STAFF = {
    Position.PEDAGOGICAL_LEADER,
    Position.ASSISTANT,
    Position.SFO_STAFF,
    Position.DEPARTMENT_LEADER,
}
RELATIONS = ("bestemor", "bestefar", "tante", "onkel", "nabo", "storesøster")


def _at(day: dt.date, minutes_after_seven: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=clock.OSLO) + dt.timedelta(
        minutes=minutes_after_seven
    )


def build_attendance_demo(rng: random.Random) -> dict[str, int]:
    day = clock.today()
    now = clock.now()
    if Attendance.objects.filter(day=day).exists():
        return {}
    for municipality in Municipality.objects.all():
        HolidayRule.objects.get_or_create(
            municipality=municipality,
            unit=None,
            defaults={
                "window_start": "06-16",
                "window_end": "08-16",
                "deadline": "04-01",
                "school_starter_cutoff": "07-31",
            },
        )
    # The guardian persona's family starts the day without demo rows: the browser tests and the
    # guided tour begin from a clean morning.
    persona = DemoPersona.objects.filter(slug="guardian").select_related("user__person").first()
    persona_ids: set[int] = set()
    if persona is not None and persona.user.person is not None:
        persona_ids = set(
            Guardianship.objects.filter(guardian=persona.user.person).values_list(
                "child_id", flat=True
            )
        )
    # Units the demo's leaders log in to: every second child is in, the rest still expected,
    # so a leader's first visit has both live figures and children to check in.
    persona_units = set(
        Employment.objects.filter(
            person__user__demopersona__isnull=False, position=Position.PRINCIPAL
        ).values_list("unit_id", flat=True)
    )
    seen_in_unit: dict[int, int] = {}
    placements = list(
        Placement.objects.active_on(day)
        .filter(service__in=["kindergarten", "sfo"])
        .exclude(child_id__in=persona_ids)
        .values_list("child_id", "unit_id", "municipality_id", "group_id", "service")
        .order_by("pk")
    )
    weekday = day.weekday() < 5
    attendances: list[Attendance] = []
    absences: list[Absence] = []
    pickups: list[PickupAuthorization] = []
    seen_children: set[int] = set()
    latest = max(0, int((now - _at(day, 0)).total_seconds() // 60))
    for child_id, unit_id, municipality_id, group_id, service in placements:
        roll = rng.random()
        first_time = child_id not in seen_children
        seen_children.add(child_id)
        if unit_id in persona_units:
            seen_in_unit[unit_id] = seen_in_unit.get(unit_id, 0) + 1
            pickups.append(
                PickupAuthorization(
                    child_id=child_id,
                    name=f"{rng.choice(names.GIRLS)} {rng.choice(names.SURNAMES)}",
                    relation="bestemor",
                    phone=f"9{rng.randrange(1000000, 9999999)}",
                    valid_from=day - dt.timedelta(days=100),
                    created_at=now - dt.timedelta(days=100),
                )
            )
            if weekday and seen_in_unit[unit_id] % 2 == 0:
                attendances.append(
                    Attendance(
                        child_id=child_id,
                        unit_id=unit_id,
                        municipality_id=municipality_id,
                        group_id=group_id,
                        day=day,
                        checked_in_at=_at(day, rng.randrange(0, max(1, min(150, latest)))),
                    )
                )
            continue
        if first_time and roll < 0.05:
            absences.append(
                Absence(
                    child_id=child_id,
                    municipality_id=municipality_id,
                    first_day=day,
                    last_day=day + dt.timedelta(days=rng.choice((0, 0, 1, 2))),
                    reason=AbsenceReason.ILLNESS,
                    note=rng.choice(("", "Feber", "Omgangssyke", "Forkjølet")),
                    reported_at=_at(day, rng.randrange(0, 60)),
                )
            )
            continue
        if first_time and roll < 0.08:
            start = day + dt.timedelta(days=rng.randrange(5, 40))
            absences.append(
                Absence(
                    child_id=child_id,
                    municipality_id=municipality_id,
                    first_day=start,
                    last_day=start + dt.timedelta(days=4),
                    reason=AbsenceReason.HOLIDAY,
                    reported_at=now - dt.timedelta(days=rng.randrange(1, 20)),
                )
            )
        if service == "kindergarten" and first_time and rng.random() < 0.35:
            pickups.append(
                PickupAuthorization(
                    child_id=child_id,
                    name=f"{rng.choice(names.GIRLS + names.BOYS)} {rng.choice(names.SURNAMES)}",
                    relation=rng.choice(RELATIONS),
                    phone=f"9{rng.randrange(1000000, 9999999)}",
                    valid_from=day - dt.timedelta(days=rng.randrange(10, 300)),
                    created_at=now - dt.timedelta(days=rng.randrange(10, 300)),
                )
            )
        # Kindergarten: most children by half past nine; SFO: the morning SFO before school.
        share, window = (0.85, 150) if service == "kindergarten" else (0.3, 70)
        if not weekday or rng.random() > share:
            continue
        arrived = _at(day, rng.randrange(0, max(1, min(window, latest))))
        attendances.append(
            Attendance(
                child_id=child_id,
                unit_id=unit_id,
                municipality_id=municipality_id,
                group_id=group_id,
                day=day,
                checked_in_at=arrived,
            )
        )
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    Absence.objects.bulk_create(absences, batch_size=2000)
    PickupAuthorization.objects.bulk_create(pickups, batch_size=2000)
    staff = [
        StaffPresence(
            person_id=person_id,
            unit_id=unit_id,
            day=day,
            arrived_at=_at(day, rng.randrange(0, max(1, min(120, latest)))),
        )
        for person_id, unit_id in Employment.objects.active_on(day)
        .filter(position__in=PRESENT_STAFF, unit__kind__in=["kindergarten", "sfo"])
        .values_list("person_id", "unit_id")
        if weekday and rng.random() < 0.9
    ]
    StaffPresence.objects.bulk_create(staff, batch_size=2000)
    restricted = next(
        (
            p
            for p in placements
            if p[4] == "kindergarten" and p[0] not in persona_ids and p[1] not in persona_units
        ),
        None,
    )
    if restricted is not None:
        PickupRestriction.objects.create(
            child_id=restricted[0],
            description="Den ene forelderen skal ikke hente barnet (midlertidig kjennelse).",
            basis="Tingretten, midlertidig avgjørelse",
            valid_from=day - dt.timedelta(days=30),
            recorded_at=now - dt.timedelta(days=30),
        )
    notes, consents, contacts = _records(rng, placements, persona_ids, now)
    return {
        "notes": notes,
        "consents": consents,
        "emergency_contacts": contacts,
        "attendances": len(attendances),
        "absences": len(absences),
        "pickups": len(pickups),
        "staff_present": len(staff),
    }


ALLERGIES = ("Nøtter", "Melk (laktose)", "Egg", "Gluten (cøliaki)", "Fisk", "Pollen")
DIETS = ("Vegetar", "Ikke svinekjøtt", "Halal", "Laktosefri")


def _records(
    rng: random.Random,
    placements: Sequence[tuple[int, int, int, int | None, str]],
    skip: set[int],
    now: dt.datetime,
) -> tuple[int, int, int]:
    """Allergies and diet for some children, a few health notes, consents from most families,
    and an emergency contact for some (operations.md §3.3, §3.4)."""
    children = sorted({p[0] for p in placements if p[4] == "kindergarten"} - skip)
    guardians: dict[int, list[int]] = {}
    for child_id, guardian_id in Guardianship.objects.filter(
        child_id__in=children, parental_responsibility=True
    ).values_list("child_id", "guardian_id"):
        guardians.setdefault(child_id, []).append(guardian_id)
    notes: list[ChildNote] = []
    consents: list[Consent] = []
    contacts: list[EmergencyContact] = []
    for child_id in children:
        roll = rng.random()
        if roll < 0.08:
            notes.append(
                ChildNote(
                    child_id=child_id, kind="allergy", text=rng.choice(ALLERGIES), recorded_at=now
                )
            )
        elif roll < 0.12:
            notes.append(
                ChildNote(child_id=child_id, kind="diet", text=rng.choice(DIETS), recorded_at=now)
            )
        if rng.random() < 0.02:
            notes.append(
                ChildNote(
                    child_id=child_id,
                    kind="health",
                    text="Astma, inhalator i sekken",
                    recorded_at=now,
                )
            )
        if rng.random() < 0.7:
            for guardian_id in guardians.get(child_id, []):
                for purpose in ConsentPurpose.values:
                    consents.append(
                        Consent(
                            child_id=child_id,
                            guardian_id=guardian_id,
                            purpose=purpose,
                            granted=purpose != "press" and rng.random() < 0.85,
                            at=now - dt.timedelta(days=rng.randrange(20, 400)),
                        )
                    )
        if rng.random() < 0.3:
            contacts.append(
                EmergencyContact(
                    child_id=child_id,
                    name=f"{rng.choice(names.GIRLS + names.BOYS)} {rng.choice(names.SURNAMES)}",
                    relation=rng.choice(RELATIONS),
                    phone=f"4{rng.randrange(1000000, 9999999)}",
                    added_at=now - dt.timedelta(days=rng.randrange(20, 400)),
                )
            )
    ChildNote.objects.bulk_create(notes, batch_size=2000)
    Consent.objects.bulk_create(consents, batch_size=2000)
    EmergencyContact.objects.bulk_create(contacts, batch_size=2000)
    return len(notes), len(consents), len(contacts)
