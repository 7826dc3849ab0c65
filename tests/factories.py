"""Small builders for test data, going through the same code paths as the product."""

from __future__ import annotations

import datetime as dt
import itertools

from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.people.identity import make_number
from oppvekst.people.models import Person

_counter = itertools.count(1)


def orgnr() -> str:
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        base = f"8{next(_counter):07d}"
        check = (11 - sum(w * int(d) for w, d in zip(weights, base, strict=True)) % 11) % 11
        if check != 10:
            return base + str(check)


def municipality(name: str = "Testkommune", number: str = "9999") -> Municipality:
    return Municipality.objects.create(name=name, number=number, valid_from=dt.date(2000, 1, 1))


def unit(muni: Municipality, kind: str = UnitKind.KINDERGARTEN, **extra: object) -> Unit:
    if kind == UnitKind.SCHOOL:
        extra.setdefault("first_grade", 1)
        extra.setdefault("last_grade", 7)
    return Unit.objects.create(
        municipality=muni,
        kind=kind,
        owner=str(extra.pop("owner", Owner.MUNICIPAL)),
        name=f"Enhet {next(_counter)}",
        organisation_number=orgnr(),
        **extra,
    )


def person(
    birth: dt.date = dt.date(2021, 3, 4), first: str = "Test", last: str = "Testesen"
) -> Person:
    for individual in itertools.count(500 + next(_counter) % 400):
        number = make_number(birth, individual % 1000, synthetic=True)
        if number and not Person.objects.filter(identity_number=number).exists():
            break
    return Person.objects.create(
        identity_number=number, first_name=first, last_name=last, birth_date=birth
    )
