"""A small admission world for tests: one municipality, kindergartens, families, a round."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from oppvekst.access.models import User
from oppvekst.admission import services
from oppvekst.admission.models import (
    AdmissionRound,
    AdmissionService,
    Application,
    RoundCapacity,
    RoundKind,
    RoundStatus,
)
from oppvekst.clock import frozen as clock_frozen
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.people.models import Guardianship, Person
from oppvekst.staff.models import Employment, Position
from tests import factories

__all__ = ["Guardianship", "clock_frozen", "factories"]

YEAR = 2027
DEADLINE = dt.date(YEAR, 3, 1)
AUG = dt.date(YEAR, 8, 1)
_n = itertools.count(1)


@dataclass
class World:
    muni: Municipality
    kg: list[Unit]
    private: Unit
    caseworker: Person
    round: AdmissionRound
    families: list[tuple[Person, list[Person]]] = field(default_factory=list)


def family(
    muni: Municipality, birth: dt.date, *, guardians: int = 2, lat: float = 59.95
) -> tuple[Person, list[Person]]:
    child = factories.person(birth, first=f"Barn{next(_n)}", last="Testesen")
    child.municipality = muni
    child.latitude, child.longitude = lat, 11.05
    child.household_key = f"h{child.pk}"
    child.save()
    parents = []
    for i in range(guardians):
        parent = factories.person(dt.date(1990, 1, 1 + i), first=f"Forelder{next(_n)}")
        parent.municipality = muni
        parent.email = f"forelder{parent.pk}@example.no"
        parent.save()
        Guardianship.objects.create(
            child=child, guardian=parent, valid_from=birth, parental_responsibility=True
        )
        parents.append(parent)
    return child, parents


def user_for(person: Person) -> User:
    user, _created = User.objects.get_or_create(
        username=f"u{person.pk}", defaults={"person": person}
    )
    return user


def world(*, seats: int = 2, private_seats: int = 1) -> World:
    muni = factories.municipality(name="Prøvekommune", number="9998")
    kg = []
    for i in range(3):
        unit = factories.unit(muni, UnitKind.KINDERGARTEN)
        unit.latitude, unit.longitude = 59.95 + i * 0.01, 11.05
        unit.save()
        kg.append(unit)
    private = factories.unit(muni, UnitKind.KINDERGARTEN, owner=Owner.PRIVATE)
    caseworker = factories.person(dt.date(1980, 5, 5), first="Saks", last="Behandler")
    Employment.objects.create(
        person=caseworker,
        municipality=muni,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    rnd = AdmissionRound.objects.create(
        municipality=muni,
        service=AdmissionService.KINDERGARTEN,
        kind=RoundKind.MAIN,
        name="Hovedopptak 2027",
        deadline=DEADLINE,
        start_date=AUG,
    )
    for unit in kg:
        RoundCapacity.objects.create(
            round=rnd, municipality=muni, unit=unit, age_group="under3", seats=seats
        )
    RoundCapacity.objects.create(
        round=rnd, municipality=muni, unit=private, age_group="under3", seats=private_seats
    )
    return World(muni=muni, kg=kg, private=private, caseworker=caseworker, round=rnd)


def apply(
    child: Person,
    guardian: Person,
    wishes: list[Unit],
    *,
    start: dt.date = AUG,
    submit: bool = True,
    key: str = "",
) -> Application:
    app, _created = services.application_create(
        child=child,
        service=AdmissionService.KINDERGARTEN,
        by=guardian,
        desired_start=start,
        place_percent=100,
        weekly_hours=services.Decimal("41"),
        wishes=[u.pk for u in wishes],
        idempotency_key=key,
    )
    if submit:
        app = services.application_submit(
            application_id=app.pk, by=guardian, expected_version=app.version
        )
    return app


def run(
    rnd: AdmissionRound, by: Person, early_reason: str = "Testopptak før fristen"
) -> services.CommitResult:
    """Preview and commit (the test worlds run before the deadline, hence the exception)."""
    services.round_preview(round_id=rnd.pk)
    result = services.round_commit(round_id=rnd.pk, by=by, early_reason=early_reason)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.COMMITTED
    return result
