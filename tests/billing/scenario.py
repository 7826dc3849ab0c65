"""A small, fully deterministic municipality for billing tests and the golden files.

Testvik (9901), standard zone; a municipal and a private kindergarten, a school with SFO.

* Fjell: Hanne and Ola live together with Emma (kindergarten, 5), Jonas (kindergarten, 3) and
  Sara (SFO, 2nd grade). Hanne is billed (first at the children's address).
* Berg/Lund: shared residence 50/50 (two addresses). Mia in the private kindergarten, Liv in a
  part-time SFO place (1st grade, 60 %).
* Dahl: Kari alone with Theo (private kindergarten, 80 %), reduced fee and free core hours
  granted from October 2026 (income 180 000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from oppvekst.billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceRun,
    ReductionApplication,
    ReductionStatus,
    RunStatus,
)
from oppvekst.billing.services import (
    billing_setup_municipality,
    invoice_run_approve,
    invoice_run_compute,
    invoice_run_lock,
    invoice_run_start,
)
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.people.identity import make_number
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement
from oppvekst.placements.services import placement_create

SINCE = dt.date(2020, 1, 1)


def _orgnr(base: str) -> str:
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    for last in range(10):
        digits = base[:7] + str(last)
        check = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
        if check != 10:
            return digits + str(check)
    raise AssertionError(base)


def _person(first: str, last: str, birth: dt.date, household: str, **extra: object) -> Person:
    for individual in range(600, 1000):
        number = make_number(birth, individual, synthetic=True)
        if number and not Person.objects.filter(identity_number=number).exists():
            break
    return Person.objects.create(
        identity_number=number,
        first_name=first,
        last_name=last,
        birth_date=birth,
        household_key=household,
        street_address=str(extra.pop("street", "Fjordveien 1")),
        postal_code="9990",
        postal_town="Testvik",
        **extra,
    )


def _guardian(
    child: Person, guardian: Person, *, resident: bool = True, share: int = 100
) -> Guardianship:
    return Guardianship.objects.create(
        child=child,
        guardian=guardian,
        parental_responsibility=True,
        daily_care=resident,
        resident=resident,
        residence_share_percent=share,
        valid_from=max(SINCE, child.birth_date),
    )


@dataclass
class Town:
    municipality: Municipality
    kindergarten: Unit
    private: Unit
    school: Unit
    sfo: Unit
    hanne: Person
    ola: Person
    emma: Person
    jonas: Person
    sara: Person
    ingrid: Person
    per: Person
    mia: Person
    liv: Person
    kari: Person
    theo: Person
    jonas_place: Placement


def build_town() -> Town:
    m = Municipality.objects.create(name="Testvik", number="9901", valid_from=dt.date(2000, 1, 1))

    def unit(name: str, kind: str, owner: str, base: str, **extra: object) -> Unit:
        return Unit.objects.create(
            municipality=m,
            kind=kind,
            owner=owner,
            name=name,
            organisation_number=_orgnr(base),
            **extra,
        )

    kindergarten = unit("Solsikken barnehage", UnitKind.KINDERGARTEN, Owner.MUNICIPAL, "8100001")
    private = unit("Lønnebakken barnehage", UnitKind.KINDERGARTEN, Owner.PRIVATE, "8100002")
    school = unit(
        "Testvik skole", UnitKind.SCHOOL, Owner.MUNICIPAL, "8100003", first_grade=1, last_grade=7
    )
    sfo = unit("Testvik skole SFO", UnitKind.SFO, Owner.MUNICIPAL, "8100004", school=school)
    billing_setup_municipality(
        municipality=m,
        sfo_prices_ore={"full": 300_000, "part": 180_000},
        sfo_food_ore=20_000,
        kindergarten_food_ore={"municipal": 40_000, "private": 50_000},
    )

    hanne = _person("Hanne", "Fjell", dt.date(1988, 2, 3), "9901-A")
    ola = _person("Ola", "Fjell", dt.date(1986, 7, 8), "9901-A")
    emma = _person("Emma", "Fjell", dt.date(2021, 5, 2), "9901-A")
    jonas = _person("Jonas", "Fjell", dt.date(2023, 2, 10), "9901-A")
    sara = _person("Sara", "Fjell", dt.date(2019, 4, 1), "9901-A")
    for child in (emma, jonas, sara):
        _guardian(child, hanne)
        _guardian(child, ola)

    ingrid = _person("Ingrid", "Berg", dt.date(1990, 1, 15), "9901-B1", street="Bakken 2")
    per = _person("Per", "Lund", dt.date(1989, 11, 30), "9901-B2", street="Lia 7")
    mia = _person("Mia", "Berg", dt.date(2022, 6, 15), "9901-B1", street="Bakken 2")
    liv = _person("Liv", "Berg", dt.date(2020, 9, 9), "9901-B1", street="Bakken 2")
    for child in (mia, liv):
        _guardian(child, ingrid, share=50)
        _guardian(child, per, share=50)

    kari = _person("Kari", "Dahl", dt.date(1995, 3, 3), "9901-C", street="Strandgata 5")
    theo = _person("Theo", "Dahl", dt.date(2022, 1, 20), "9901-C", street="Strandgata 5")
    _guardian(theo, kari)

    year = dt.date(2026, 8, 1)
    placement_create(
        child=emma, unit=kindergarten, valid_from=dt.date(2022, 8, 1), weekly_hours=Decimal(41)
    )
    jonas_place = placement_create(
        child=jonas, unit=kindergarten, valid_from=dt.date(2024, 8, 1), weekly_hours=Decimal(41)
    )
    placement_create(
        child=sara,
        unit=sfo,
        valid_from=year,
        valid_to=dt.date(2027, 7, 31),
        weekly_hours=Decimal(20),
    )
    placement_create(
        child=mia, unit=private, valid_from=dt.date(2023, 8, 1), weekly_hours=Decimal(41)
    )
    placement_create(
        child=liv,
        unit=sfo,
        valid_from=year,
        valid_to=dt.date(2027, 7, 31),
        place_percent=60,
        weekly_hours=Decimal(12),
    )
    placement_create(
        child=theo,
        unit=private,
        valid_from=dt.date(2023, 8, 1),
        place_percent=80,
        weekly_hours=Decimal(33),
    )
    application = ReductionApplication.objects.create(
        municipality=m,
        applicant=kari,
        year_start=2026,
        income_ore=180_000_00,
        reduced_fee=True,
        free_core_hours=True,
        submitted_at=dt.datetime(2026, 10, 2, 10, tzinfo=dt.UTC),
        application_month=dt.date(2026, 10, 1),
        status=ReductionStatus.GRANTED,
        decided_at=dt.datetime(2026, 10, 9, 10, tzinfo=dt.UTC),
        effective_from=dt.date(2026, 10, 1),
    )
    application.children.set([theo])
    return Town(
        municipality=m,
        kindergarten=kindergarten,
        private=private,
        school=school,
        sfo=sfo,
        hanne=hanne,
        ola=ola,
        emma=emma,
        jonas=jonas,
        sara=sara,
        ingrid=ingrid,
        per=per,
        mia=mia,
        liv=liv,
        kari=kari,
        theo=theo,
        jonas_place=jonas_place,
    )


def run_month(municipality: Municipality, month: dt.date, *, lock: bool = True) -> InvoiceRun:
    """Start, compute (as the background task would), approve and lock one month's run."""
    run = invoice_run_start(municipality=municipality, month=month, started_by=None)
    invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW, run.error
    if lock:
        run = invoice_run_approve(run=run, by=None, expected_version=run.version)
        run = invoice_run_lock(run=run, by=None, expected_version=run.version)
    return run


def invoice_total(run: InvoiceRun, payer: Person) -> int:
    invoice = Invoice.objects.filter(run=run, payer=payer).first()
    return 0 if invoice is None else invoice.total_ore


def lines_of(run: InvoiceRun, child: Person, **filters: object) -> list[tuple[str, str, int]]:
    return [
        (line.period.strftime("%Y-%m"), line.rule_id, line.amount_ore)
        for line in InvoiceLine.objects.filter(run=run, child=child, **filters).order_by(
            "period", "kind", "pk"
        )
    ]
