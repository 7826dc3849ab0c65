"""Demo data for admission: an open main admission for the next kindergarten year with
capacity per unit and a few hundred submitted applications (popularity skewed toward a few
kindergartens near home, five wishes each, some priority claims), admission criteria as data,
and a baby sibling in the guardian persona's family who can apply.

Called once at the end of the demo generator's run(); deterministic for the generator's seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from oppvekst import clock
from oppvekst.admission import adapters
from oppvekst.admission.engine import rights
from oppvekst.admission.models import (
    AdmissionCriterion,
    AdmissionRound,
    AdmissionService,
    AdmissionSettings,
    Application,
    ApplicationStatus,
    ClaimKind,
    ClaimStatus,
    CriterionKind,
    PriorityClaim,
    RoundCapacity,
    RoundKind,
    Wish,
)
from oppvekst.admission.task_sources import claim_tasks_publish_many
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.demo import names
from oppvekst.demo.models import DemoPersona
from oppvekst.people.identity import make_number
from oppvekst.people.models import AddressProtection, Guardianship, Person
from oppvekst.placements.models import Placement, Service

APPLICATIONS_AT_SCALE_1 = 1200
MIN_APPLICATIONS = 150
SEAT_RATIO = 0.85  # seats per applicant: some popular kindergartens stay oversubscribed
MUNICIPAL_CRITERIA = [
    CriterionKind.STRAIN,
    CriterionKind.SIBLING,
    CriterionKind.LAST_YEAR,
    CriterionKind.MINORITY_LANGUAGE,
]
PLACE_SIZES = [(100, Decimal("41"), 85), (80, Decimal("33"), 10), (60, Decimal("25"), 5)]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rad = math.radians
    a = (
        math.sin(rad(lat2 - lat1) / 2) ** 2
        + math.cos(rad(lat1)) * math.cos(rad(lat2)) * math.sin(rad(lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class _NewChild:
    person: Person
    guardians: list[tuple[Person, bool]]  # (guardian, parental responsibility)
    sibling_unit: int | None = None


class _Builder:
    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.scale = scale
        self.today = clock.today()
        year = self.today.year if self.today.month >= 8 else self.today.year - 1
        self.admission_year = year + 1
        self.used_ids: set[str] = {
            n
            for n in Person.objects.exclude(identity_number=None).values_list(
                "identity_number", flat=True
            )
            if n
        }
        self.persons: list[Person] = []
        self.guardianships: list[Guardianship] = []

    def identity(self, birth: dt.date) -> str:
        while True:
            number = make_number(birth, self.rng.randint(500, 999), synthetic=True)
            if number is not None and number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def birth(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def person(self, muni: Municipality, birth: dt.date, last: str, like: Person | None) -> Person:
        girl = self.rng.random() < 0.49
        p = Person(
            identity_number=self.identity(birth),
            first_name=self.rng.choice(names.GIRLS if girl else names.BOYS),
            last_name=last,
            birth_date=birth,
            municipality=muni,
        )
        if like is not None:
            for key in (
                "street_address",
                "postal_code",
                "postal_town",
                "household_key",
                "latitude",
                "longitude",
                "school_district_id",
                "basic_statistical_unit",
                "address_protection",
            ):
                setattr(p, key, getattr(like, key))
        else:
            place = names.PLACES[muni.number]
            code, town = self.rng.choice(place["postal"])
            lat, lon = place["centre"]
            p.street_address = f"{self.rng.choice(names.STREETS)} {self.rng.randint(1, 140)}"
            p.postal_code, p.postal_town = code, town
            p.household_key = f"{muni.number}-adm-{len(self.persons)}"
            p.latitude = lat + self.rng.uniform(-0.03, 0.03)
            p.longitude = lon + self.rng.uniform(-0.05, 0.05)
        self.persons.append(p)
        return p

    def new_family(self, muni: Municipality, birth: dt.date) -> _NewChild:
        last = self.rng.choice(names.SURNAMES)
        child = self.person(muni, birth, last, None)
        mother = self.person(
            muni, self.birth(dt.date(1984, 1, 1), dt.date(2000, 1, 1)), last, child
        )
        guardians = [(mother, True)]
        if self.rng.random() < 0.85:
            father = self.person(
                muni, self.birth(dt.date(1980, 1, 1), dt.date(1999, 1, 1)), last, child
            )
            father.first_name = self.rng.choice(names.BOYS)
            guardians.append((father, True))
        mother.first_name = self.rng.choice(names.GIRLS)
        for guardian, _resp in guardians:
            guardian.email = f"{guardian.first_name.lower()}.{len(self.persons)}@example.no"
        return _NewChild(child, guardians)

    def relate(self, new: _NewChild) -> None:
        for guardian, responsibility in new.guardians:
            self.guardianships.append(
                Guardianship(
                    child=new.person,
                    guardian=guardian,
                    parental_responsibility=responsibility,
                    daily_care=True,
                    resident=True,
                    residence_share_percent=100,
                    valid_from=new.person.birth_date,
                )
            )


def _sibling_families(muni: Municipality) -> list[tuple[Person, int, list[tuple[Person, bool]]]]:
    """Children in kindergarten now (not protected) with their unit and guardians."""
    placed = {
        p.child_id: p.unit_id
        for p in Placement.objects.filter(
            municipality=muni, service=Service.KINDERGARTEN, valid_to__gte=dt.date(2028, 7, 31)
        ).exclude(child__address_protection__in=[AddressProtection.STRICT])
    }
    guardians: dict[int, list[tuple[Person, bool]]] = defaultdict(list)
    for g in Guardianship.objects.filter(child_id__in=list(placed)).select_related("guardian"):
        guardians[g.child_id].append((g.guardian, g.parental_responsibility))
    children = Person.objects.filter(pk__in=list(placed)).order_by("pk")
    return [(c, placed[c.pk], guardians[c.pk]) for c in children if guardians[c.pk]]


def _persona_baby(builder: _Builder) -> Person | None:
    """A baby sibling (born January 2026) in the guardian persona's family: free to apply."""
    persona = DemoPersona.objects.filter(slug="guardian").select_related("user__person").first()
    if persona is None or persona.user.person is None:
        return None
    mother = persona.user.person
    youngest = Person.objects.filter(guardianships__guardian=mother).order_by("-birth_date").first()
    if youngest is None or youngest.municipality is None:
        return None
    links = list(Guardianship.objects.filter(child=youngest).select_related("guardian"))
    baby = builder.person(youngest.municipality, dt.date(2026, 1, 14), youngest.last_name, youngest)
    baby.first_name = "Emil"
    builder.relate(_NewChild(baby, [(g.guardian, g.parental_responsibility) for g in links]))
    return baby


def build_admission_demo(rng: random.Random, scale: float) -> dict[str, int]:
    """Admission demo data for every municipality of the demo. Returns counts."""
    builder = _Builder(random.Random(rng.random()), scale)
    r = builder.rng
    year = builder.admission_year
    municipalities = list(Municipality.objects.order_by("pk"))
    population = dict(
        Person.objects.filter(municipality__in=municipalities)
        .values_list("municipality_id")
        .annotate(n=Count("pk"))
    )
    total_population = sum(population.values()) or 1
    total = max(MIN_APPLICATIONS, round(APPLICATIONS_AT_SCALE_1 * scale))

    # Opening hours vary a little, so the guardians' filter has something to filter.
    kindergartens = list(Unit.objects.filter(kind=UnitKind.KINDERGARTEN).order_by("pk"))
    for unit in kindergartens:
        unit.opens_at = r.choice((dt.time(6, 45), dt.time(7, 0), dt.time(7, 0), dt.time(7, 30)))
        unit.closes_at = r.choice(
            (dt.time(16, 30), dt.time(17, 0), dt.time(17, 0), dt.time(17, 15))
        )
    Unit.objects.bulk_update(kindergartens, ["opens_at", "closes_at"])

    baby = _persona_baby(builder)
    planned: list[tuple[Municipality, AdmissionRound, _NewChild, bool]] = []
    rounds: dict[int, AdmissionRound] = {}
    criteria: list[AdmissionCriterion] = []
    for muni in municipalities:
        AdmissionSettings.objects.get_or_create(municipality=muni)
        rounds[muni.pk] = AdmissionRound.objects.create(
            municipality=muni,
            service=AdmissionService.KINDERGARTEN,
            kind=RoundKind.MAIN,
            name=f"Hovedopptak barnehage {year}",
            deadline=dt.date(year, 3, 1),
            start_date=dt.date(year, 8, 1),
        )
        criteria += [
            AdmissionCriterion(
                municipality=muni, position=i, kind=k, label=str(CriterionKind(k).label)
            )
            for i, k in enumerate(MUNICIPAL_CRITERIA, start=1)
        ]
        private = [
            u for u in kindergartens if u.municipality_id == muni.pk and u.owner == Owner.PRIVATE
        ]
        for unit in private[::2]:
            own = [CriterionKind.SIBLING, CriterionKind.EMPLOYEE_CHILD]
            criteria += [
                AdmissionCriterion(
                    municipality=muni,
                    unit=unit,
                    position=i,
                    kind=k,
                    label=str(CriterionKind(k).label),
                )
                for i, k in enumerate(own, start=1)
            ]
        share = population.get(muni.pk, 0) / total_population
        count = max(10, round(total * share))
        siblings = _sibling_families(muni)
        r.shuffle(siblings)
        for _ in range(count):
            roll = r.random()
            if roll < 0.3 and siblings:
                older, unit_id, links = siblings.pop()
                birth = builder.birth(dt.date(year - 2, 6, 1), dt.date(year - 1, 11, 1))
                child = builder.person(muni, birth, older.last_name, older)
                planned.append((muni, rounds[muni.pk], _NewChild(child, links, unit_id), False))
            elif roll < 0.38:
                birth = builder.birth(dt.date(year - 4, 1, 1), dt.date(year - 2, 6, 1))
                planned.append((muni, rounds[muni.pk], builder.new_family(muni, birth), True))
            else:
                birth = builder.birth(dt.date(year - 2, 3, 1), dt.date(year - 1, 11, 1))
                planned.append((muni, rounds[muni.pk], builder.new_family(muni, birth), False))
    AdmissionCriterion.objects.bulk_create(criteria)
    for _muni, _rnd, new, _moved in planned:
        builder.relate(new)
    Person.objects.bulk_create(builder.persons, batch_size=2000)
    for g in builder.guardianships:
        g.child_id, g.guardian_id = g.child.pk, g.guardian.pk
    Guardianship.objects.bulk_create(builder.guardianships, batch_size=2000)

    units_by_muni: dict[int, list[Unit]] = defaultdict(list)
    for unit in kindergartens:
        units_by_muni[unit.municipality_id].append(unit)
    popularity: dict[int, float] = {}
    for units in units_by_muni.values():
        order = list(units)
        r.shuffle(order)
        for rank, unit in enumerate(order, start=1):
            weight = 1.0 / rank**0.9  # a few kindergartens are wanted by many
            popularity[unit.pk] = weight * (0.25 if unit.is_family_kindergarten else 1.0)

    now = clock.now()
    applications: list[Application] = []
    wish_units: list[list[int]] = []
    for index, (muni, rnd, new, _moved) in enumerate(planned):
        child = new.person
        units = units_by_muni[muni.pk]
        lat, lon = child.latitude or 0.0, child.longitude or 0.0

        def score(u: Unit, lat: float = lat, lon: float = lon) -> float:
            km = _km(lat, lon, u.latitude or lat, u.longitude or lon)
            return popularity[u.pk] * math.exp(-km / 2.0)

        pool = list(units)
        picked: list[int] = []
        if new.sibling_unit is not None and r.random() < 0.7:
            picked.append(new.sibling_unit)
            pool = [u for u in pool if u.pk != new.sibling_unit]
        while len(picked) < min(5, len(units)) and pool:
            weights = [score(u) + 1e-9 for u in pool]
            choice = r.choices(pool, weights=weights)[0]
            picked.append(choice.pk)
            pool.remove(choice)
        turns_one = rights.first_birthday(child.birth_date)
        start = dt.date(year, 8, 1)
        if turns_one > dt.date(year, 8, 31):
            start = rights.last_day_of_month(turns_one) + dt.timedelta(days=1)
        percent, hours = r.choices(
            [(p, h) for p, h, _w in PLACE_SIZES], weights=[w for _p, _h, w in PLACE_SIZES]
        )[0]
        draft = r.random() < 0.03
        submitted = now - dt.timedelta(days=r.randrange(1, 50), minutes=r.randrange(600))
        applications.append(
            Application(
                municipality=muni,
                child=child,
                service=AdmissionService.KINDERGARTEN,
                round=None if draft else rnd,
                status=ApplicationStatus.DRAFT if draft else ApplicationStatus.SUBMITTED,
                desired_start=start,
                place_percent=percent,
                weekly_hours=hours,
                on_time=not draft,
                tiebreak=adapters.tiebreak_for(child.birth_date, late=False),
                submitted_at=None if draft else submitted,
                created_by=new.guardians[0][0],
                idempotency_key=f"demo-{index}",
                created_at=submitted,
                updated_at=submitted,
            )
        )
        wish_units.append(picked)
    Application.objects.bulk_create(applications, batch_size=1000)
    wishes = [
        Wish(application=app, unit_id=unit_id, rank=rank)
        for app, picked in zip(applications, wish_units, strict=True)
        for rank, unit_id in enumerate(picked, start=1)
    ]
    Wish.objects.bulk_create(wishes, batch_size=2000)

    claims: list[PriorityClaim] = []
    for app, (_muni, _rnd, new, _moved), picked in zip(
        applications, planned, wish_units, strict=True
    ):
        roll = r.random()
        base = {"application": app, "municipality_id": app.municipality_id, "created_at": now}
        if new.sibling_unit is not None and new.sibling_unit in picked:
            claims.append(
                PriorityClaim(
                    **base,
                    kind=ClaimKind.SIBLING,
                    unit_id=new.sibling_unit,
                    status=ClaimStatus.APPROVED,
                    decided_at=now,
                    reason="Bekreftet automatisk: søsken har plass i barnehagen ved oppstart.",
                )
            )
        if roll < 0.03:
            claims.append(
                PriorityClaim(
                    **base,
                    kind=r.choice([ClaimKind.DISABILITY, ClaimKind.CHILD_WELFARE]),
                    description="Vedtak og uttalelse fra fagperson er sendt med.",
                    status=ClaimStatus.APPROVED if roll < 0.02 else ClaimStatus.PENDING,
                    decided_at=now if roll < 0.02 else None,
                )
            )
        elif roll < 0.08:
            claims.append(
                PriorityClaim(
                    **base,
                    kind=ClaimKind.STRAIN,
                    description="Alvorlig sykdom i familien; legeerklæring ettersendes.",
                )
            )
        elif roll < 0.11:
            claims.append(
                PriorityClaim(
                    **base,
                    kind=ClaimKind.MINORITY_LANGUAGE,
                    status=ClaimStatus.APPROVED,
                    decided_at=now,
                )
            )
    PriorityClaim.objects.bulk_create(claims, batch_size=2000)
    claim_tasks_publish_many(claims)  # the caseworkers' work list, as the services would make it

    # Capacity: about SEAT_RATIO seats per applicant in each age group, spread over the
    # kindergartens by their size today (family kindergartens are small).
    size = dict(
        Placement.objects.filter(service=Service.KINDERGARTEN, valid_to__gte=dt.date(year, 7, 31))
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    demand: dict[tuple[int, str], int] = defaultdict(int)
    for app in applications:
        group = rights.age_group(app.child.birth_date, dt.date(year, 8, 1))
        demand[(app.municipality_id, group)] += 1
    capacity: list[RoundCapacity] = []
    for muni in municipalities:
        units = units_by_muni[muni.pk]
        for group in ("under3", "over3"):
            seats = round(demand[(muni.pk, group)] * SEAT_RATIO)
            weights = [
                (size.get(u.pk, 0) + 3)
                * (0.4 if u.is_family_kindergarten else 1.0)
                * r.uniform(0.5, 1.5)
                for u in units
            ]
            total_weight = sum(weights) or 1.0
            shares = [seats * w / total_weight for w in weights]
            whole = [int(s) for s in shares]
            left = seats - sum(whole)
            for i in sorted(range(len(units)), key=lambda i: whole[i] - shares[i])[:left]:
                whole[i] += 1
            capacity += [
                RoundCapacity(
                    round=rounds[muni.pk], municipality=muni, unit=u, age_group=group, seats=n
                )
                for u, n in zip(units, whole, strict=True)
            ]
    RoundCapacity.objects.bulk_create(capacity, batch_size=2000)
    return {
        "applications": len(applications),
        "wishes": len(wishes),
        "claims": len(claims),
        "persona_baby": baby.pk if baby is not None else 0,
    }
