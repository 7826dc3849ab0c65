"""The synthetic demo municipality: Skedsmo, Sørum and Fet before their merger into Lillestrøm,
with the unit counts of domain/lillestrom.md and a realistic population.

Deterministic for a seed: all randomness comes from one `random.Random(seed)`, and rows are
created in a fixed order. Fast: rows are built in memory and written with bulk_create.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction

from oppvekst import clock
from oppvekst.access.models import User
from oppvekst.core.models import (
    Group,
    GroupKind,
    Municipality,
    MunicipalityNumber,
    Owner,
    SchoolYear,
    Unit,
    UnitKind,
)
from oppvekst.core.services import school_calendar_generate
from oppvekst.demo import names
from oppvekst.demo.admission import build_admission_demo
from oppvekst.demo.attendance import build_attendance_demo
from oppvekst.demo.billing import build_billing_demo
from oppvekst.demo.models import DemoPersona
from oppvekst.people.identity import make_number
from oppvekst.people.models import AddressProtection, Guardianship, Person, Sex
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import AssignmentRole, Employment, GroupAssignment, Position

M = TypeVar("M", bound=models.Model)
Progress = Callable[[str, int], None]

# domain/lillestrom.md, "Units": per former municipality.
MUNICIPALITIES: tuple[dict[str, Any], ...] = (
    {
        "name": "Skedsmo",
        "number": "0231",
        "share": 0.645,
        "school": 19,
        "special_school": 1,
        "private_school": 1,
        "kindergarten_municipal": 19,
        "kindergarten_private": 27,
        "sfo": 12,
        "caseworkers": 8,
    },
    {
        "name": "Sørum",
        "number": "0226",
        "share": 0.22,
        "school": 7,
        "special_school": 1,
        "private_school": 0,
        "kindergarten_municipal": 5,
        "kindergarten_private": 13,
        "sfo": 6,
        "caseworkers": 3,
    },
    {
        "name": "Fet",
        "number": "0227",
        "share": 0.135,
        "school": 5,
        "special_school": 0,
        "private_school": 0,
        "kindergarten_municipal": 4,
        "kindergarten_private": 5,
        "sfo": 4,
        "caseworkers": 2,
    },
)
PUPILS_PER_GRADE = 950  # about 9,500 pupils at scale 1
KINDERGARTEN_PER_COHORT = (620, 810, 840, 860, 870)  # ages 1..5, about 4,000 children
SFO_ATTENDANCE = {1: 0.98, 2: 0.92, 3: 0.8, 4: 0.56}  # about 2,500 SFO children
CLASS_SIZE = 26
DEPARTMENT_SIZE = {"small": 9, "big": 18}
BATCH = 2000


@dataclass
class Family:
    municipality: int
    children: list[int] = field(default_factory=list)  # indexes into Generator.persons
    guardians: list[int] = field(default_factory=list)
    protection: str = AddressProtection.NONE
    persona: bool = False


class Generator:
    def __init__(self, seed: int = 1, scale: float = 1.0, progress: Progress | None = None):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.rng = random.Random(seed)
        self.scale = scale
        self.progress = progress or (lambda _label, _n: None)
        self.today = clock.today()
        self.year = SchoolYear.start_year_for(self.today)
        self.used_ids: set[str] = set()
        self.used_orgnr: set[str] = set()
        self.persons: list[Person] = []
        self.guardianships: list[Guardianship] = []
        self.placements: list[Placement] = []
        self.employments: list[Employment] = []
        self.assignments: list[tuple[int, Group, str]] = []  # employment index, group, role
        self.personas: dict[str, tuple[int, str, str]] = {}
        self._force_sfo = -1

    # -- small helpers -------------------------------------------------------------------

    def _orgnr(self) -> str:
        weights = (3, 2, 7, 6, 5, 4, 3, 2)
        while True:
            base = "9" + "".join(str(self.rng.randrange(10)) for _ in range(7))
            check = (11 - sum(w * int(d) for w, d in zip(weights, base, strict=True)) % 11) % 11
            number = base + str(check)
            if check != 10 and number not in self.used_orgnr:
                self.used_orgnr.add(number)
                return number

    def _identity(self, birth: dt.date) -> str:
        low, high = (500, 999) if birth.year >= 2000 else (0, 499)
        while True:
            number = make_number(birth, self.rng.randint(low, high), synthetic=True)
            if number is not None and number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _birth_date(self, year: int) -> dt.date:
        start = dt.date(year, 1, 1)
        return start + dt.timedelta(days=self.rng.randrange(365))

    def _person(self, muni: Municipality, birth: dt.date, girl: bool, last: str) -> int:
        first = self.rng.choice(names.GIRLS if girl else names.BOYS)
        person = Person(
            identity_number=self._identity(birth),
            first_name=first,
            last_name=last,
            birth_date=birth,
            sex=Sex.FEMALE if girl else Sex.MALE,
            municipality=muni,
        )
        self.persons.append(person)
        return len(self.persons) - 1

    def _address(self, muni: Municipality, household: str) -> dict[str, Any]:
        place = names.PLACES[muni.number]
        code, town = self.rng.choice(place["postal"])
        lat, lon = place["centre"]
        return {
            "street_address": f"{self.rng.choice(names.STREETS)} {self.rng.randint(1, 140)}",
            "postal_code": code,
            "postal_town": town,
            "household_key": household,
            # grunnkrets: municipality number + a 4-digit basic statistical unit
            "basic_statistical_unit": f"{muni.number}{self.rng.randint(101, 160):04d}",
            "latitude": lat + self.rng.uniform(-0.03, 0.03),
            "longitude": lon + self.rng.uniform(-0.05, 0.05),
        }

    def _bulk(self, model: type[M], rows: list[M], label: str) -> list[M]:
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH])  # type: ignore[attr-defined]
            self.progress(label, len(rows[start : start + BATCH]))
        return rows

    def _n(self, value: float) -> int:
        return max(0, round(value * self.scale))

    # -- units -----------------------------------------------------------------------------

    def _unit(self, muni: Municipality, kind: str, owner: str, name: str, **extra: Any) -> Unit:
        lat, lon = names.PLACES[muni.number]["centre"]
        code, town = self.rng.choice(names.PLACES[muni.number]["postal"])
        return Unit(
            municipality=muni,
            kind=kind,
            owner=owner,
            name=name,
            organisation_number=self._orgnr(),
            street_address=f"{self.rng.choice(names.STREETS)} {self.rng.randint(1, 60)}",
            postal_code=code,
            postal_town=town,
            latitude=lat + self.rng.uniform(-0.03, 0.03),
            longitude=lon + self.rng.uniform(-0.05, 0.05),
            opens_at=dt.time(7, 0) if kind != UnitKind.SCHOOL else dt.time(8, 15),
            closes_at=dt.time(17, 0) if kind != UnitKind.SCHOOL else dt.time(14, 30),
            **extra,
        )

    def build_units(self, muni: Municipality, spec: dict[str, Any]) -> dict[str, list[Unit]]:
        places = list(names.PLACES[muni.number]["places"])
        place_iter = iter(places * 4)
        units: dict[str, list[Unit]] = defaultdict(list)
        n = spec["school"]
        lower = max(1, n // 5)
        combined = max(1, n // 8)
        primary = n - lower - combined
        for i in range(n):
            place = next(place_iter)
            if i < primary:
                grades, label = (1, 7), "skole"
            elif i < primary + combined:
                grades, label = (1, 10), "skole"
            else:
                grades, label = (8, 10), "ungdomsskole"
            units["school"].append(
                self._unit(
                    muni,
                    UnitKind.SCHOOL,
                    Owner.MUNICIPAL,
                    f"{place} {label}",
                    first_grade=grades[0],
                    last_grade=grades[1],
                )
            )
        for _ in range(spec["special_school"]):
            units["special_school"].append(
                self._unit(
                    muni,
                    UnitKind.SCHOOL,
                    Owner.MUNICIPAL,
                    f"{muni.name} spesialskole",
                    first_grade=1,
                    last_grade=10,
                    is_special_school=True,
                )
            )
        for _ in range(spec["private_school"]):
            units["private_school"].append(
                self._unit(
                    muni,
                    UnitKind.SCHOOL,
                    Owner.PRIVATE,
                    f"{muni.name} Montessoriskole",
                    first_grade=1,
                    last_grade=10,
                )
            )
        for _ in range(spec["kindergarten_municipal"]):
            units["kindergarten_municipal"].append(
                self._unit(
                    muni, UnitKind.KINDERGARTEN, Owner.MUNICIPAL, f"{next(place_iter)} barnehage"
                )
            )
        for i in range(spec["kindergarten_private"]):
            family = i % 5 == 4  # about one in five private kindergartens is a family kindergarten
            if family:
                name = f"Familiebarnehagen {self.rng.choice(names.SURNAMES)} {i}"
            else:
                chain = self.rng.choice(names.PRIVATE_KINDERGARTEN_CHAINS)
                name = f"{chain} {next(place_iter)}"
            units["kindergarten_private"].append(
                self._unit(
                    muni, UnitKind.KINDERGARTEN, Owner.PRIVATE, name, is_family_kindergarten=family
                )
            )
        Unit.objects.bulk_create(
            [u for key in ("school", "special_school", "private_school") for u in units[key]]
            + units["kindergarten_municipal"]
            + units["kindergarten_private"]
        )
        sfo_schools = [s for s in units["school"] if s.first_grade == 1][: spec["sfo"]]
        for school in sfo_schools:
            units["sfo"].append(
                self._unit(muni, UnitKind.SFO, Owner.MUNICIPAL, f"{school.name} SFO", school=school)
            )
        Unit.objects.bulk_create(units["sfo"])
        return units

    # -- families --------------------------------------------------------------------------

    def build_children(self, muni: Municipality, share: float) -> dict[int, list[int]]:
        """Children by birth year: school cohorts, then kindergarten cohorts."""
        by_year: dict[int, list[int]] = defaultdict(list)
        for grade in range(1, 11):
            birth_year = self.year - 5 - grade
            for _ in range(self._n(PUPILS_PER_GRADE * share)):
                by_year[birth_year].append(-1)
        for age, count in enumerate(KINDERGARTEN_PER_COHORT, start=1):
            for _ in range(self._n(count * share)):
                by_year[self.year - age].append(-1)
        return by_year

    def build_families(self, muni: Municipality, share: float) -> list[Family]:
        quota = {y: len(v) for y, v in self.build_children(muni, share).items()}
        years = sorted(quota)
        families: list[Family] = []
        while any(quota.values()):
            total = sum(quota.values())
            pick = self.rng.randrange(total)
            for year in years:
                pick -= quota[year]
                if pick < 0:
                    break
            size = self.rng.choices((1, 2, 3, 4), weights=(36, 44, 17, 3))[0]
            family_years = [year]
            quota[year] -= 1
            for _ in range(size - 1):
                candidates = [y for y in years if quota[y] > 0 and 1 <= abs(y - year) <= 6]
                if not candidates:
                    break
                sibling_year = self.rng.choice(candidates)
                quota[sibling_year] -= 1
                family_years.append(sibling_year)
            families.append(self._make_family(muni, sorted(family_years)))
        return families

    def _make_family(
        self, muni: Municipality, birth_years: list[int], allow_protection: bool = True
    ) -> Family:
        family = Family(municipality=muni.pk)
        roll = self.rng.random() if allow_protection else 1.0
        if roll < 0.01:
            family.protection = AddressProtection.CONFIDENTIAL
        elif roll < 0.013:
            family.protection = AddressProtection.STRICT
        last = self.rng.choice(names.SURNAMES)
        household = f"{muni.number}-{len(self.persons)}"
        address = self._address(muni, household)
        if family.protection in (AddressProtection.STRICT, AddressProtection.STRICT_ABROAD):
            # FREG keeps no address for strengt fortrolig (domain/norway.md §6.1).
            address.update(street_address="", postal_code="", postal_town="")
        oldest = min(birth_years)
        mother = self._person(muni, self._birth_date(oldest - self.rng.randint(24, 38)), True, last)
        father = self._person(
            muni, self._birth_date(oldest - self.rng.randint(25, 42)), False, last
        )
        family.guardians = [mother, father]
        for year in birth_years:
            family.children.append(
                self._person(muni, self._birth_date(year), self.rng.random() < 0.49, last)
            )
        for index in (*family.children, mother, father):
            for key, value in address.items():
                setattr(self.persons[index], key, value)
            self.persons[index].address_protection = family.protection
        self._relate(muni, family, mother, father)
        return family

    def _relate(self, muni: Municipality, family: Family, mother: int, father: int) -> None:
        """Joint or sole parental responsibility, shared residence, step-parents."""
        roll = self.rng.random()
        since = dt.date(2000, 1, 1)
        if roll < 0.72:  # parents living together
            links = [(mother, True, True, 100), (father, True, True, 100)]
        elif roll < 0.82:  # separated, joint responsibility, the child lives with one
            self._move_out(muni, father)
            links = [(mother, True, True, 100), (father, True, False, 0)]
        elif roll < 0.88:  # shared residence (delt bosted) by agreement, 50/50
            self._move_out(muni, father)
            links = [(mother, True, True, 50), (father, True, True, 50)]
        elif roll < 0.98:  # sole responsibility
            self._move_out(muni, father)
            family.guardians = [mother]
            links = [(mother, True, True, 100)]
        else:  # a step-parent with daily care but no parental responsibility
            links = [(mother, True, True, 100), (father, False, True, 100)]
        for child in family.children:
            for guardian, responsibility, resident, share in links:
                self.guardianships.append(
                    Guardianship(
                        child=self.persons[child],
                        guardian=self.persons[guardian],
                        parental_responsibility=responsibility,
                        daily_care=resident,
                        resident=resident,
                        residence_share_percent=share,
                        valid_from=max(since, self.persons[child].birth_date),
                    )
                )

    def _move_out(self, muni: Municipality, person: int) -> None:
        p = self.persons[person]
        if p.address_protection != AddressProtection.NONE:
            return  # protected families keep one (hidden) registration
        for key, value in self._address(muni, f"{muni.number}-{person}-b").items():
            setattr(p, key, value)

    # -- placements and groups -------------------------------------------------------------

    def place_children(
        self,
        muni: Municipality,
        units: dict[str, list[Unit]],
        families: list[Family],
        school_year: SchoolYear,
    ) -> dict[int, list[Group]]:
        primary = [s for s in units["school"] if s.first_grade == 1]
        lower = [s for s in units["school"] if s.last_grade == 10]
        feeder = {s.pk: (s if s.last_grade == 10 else self.rng.choice(lower)) for s in primary}
        sfo_by_school = {s.school_id: s for s in units["sfo"]}
        kindergartens = units["kindergarten_municipal"] + units["kindergarten_private"]
        kg_weights = [8 if k.is_family_kindergarten else 60 for k in kindergartens]
        pupils: dict[tuple[int, int], list[int]] = defaultdict(list)
        sfo: dict[tuple[int, int], list[int]] = defaultdict(list)
        in_kg: dict[int, list[int]] = defaultdict(list)
        for family in families:
            home = self.rng.choice(primary)
            if family.persona:
                home = next(s for s in primary if s.pk in sfo_by_school)
            kg = self.rng.choices(kindergartens, weights=kg_weights)[0]
            for child in family.children:
                person = self.persons[child]
                person.school_district = home
                grade = self.year - person.birth_date.year - 5
                if 1 <= grade <= 10:
                    school = home if grade <= 7 else feeder[home.pk]
                    roll = 1.0 if family.persona else self.rng.random()
                    if roll < 0.01 and units["special_school"]:
                        school = units["special_school"][0]
                    elif roll < 0.025 and units["private_school"]:
                        school = units["private_school"][0]
                    pupils[(school.pk, grade)].append(child)
                    sfo_unit = sfo_by_school.get(school.pk)
                    attends = grade in SFO_ATTENDANCE and (
                        self.rng.random() < SFO_ATTENDANCE[grade] or child == self._force_sfo
                    )
                    if sfo_unit and attends:
                        sfo[(sfo_unit.pk, grade)].append(child)
                elif 1 <= self.year - person.birth_date.year <= 5:
                    if self.rng.random() > 0.7:
                        kg = self.rng.choices(kindergartens, weights=kg_weights)[0]
                    in_kg[kg.pk].append(child)
        start, end = school_year.starts, school_year.ends
        by_pk = {u.pk: u for group in units.values() for u in group}
        groups_by_unit: dict[int, list[Group]] = defaultdict(list)
        class_rows: list[tuple[Group, list[int]]] = []
        for (school_pk, grade), members in sorted(pupils.items()):
            count = max(1, math.ceil(len(members) / CLASS_SIZE))
            for i in range(count):
                group = Group(
                    unit=by_pk[school_pk],
                    municipality=muni,
                    kind=GroupKind.CLASS,
                    # A, B, ... Z; a very large school (scale 10) continues with numbers.
                    name=f"{grade}{chr(65 + i)}" if i < 26 else f"{grade}-{i + 1}",
                    school_year=school_year,
                    grade=grade,
                    valid_from=start,
                    valid_to=end,
                )
                class_rows.append((group, members[i::count]))
        for (sfo_pk, grade), members in sorted(sfo.items()):
            group = Group(
                unit=by_pk[sfo_pk],
                municipality=muni,
                kind=GroupKind.SFO_GROUP,
                name=f"{grade}. trinn",
                school_year=school_year,
                grade=grade,
                valid_from=start,
                valid_to=end,
            )
            class_rows.append((group, members))
        for kg_pk, members in sorted(in_kg.items()):
            small = [c for c in members if self.year - self.persons[c].birth_date.year <= 2]
            big = [c for c in members if c not in set(small)]
            for label, kids, ages in (("small", small, (1, 2)), ("big", big, (3, 5))):
                count = max(1, math.ceil(len(kids) / DEPARTMENT_SIZE[label]))
                for i in range(count):
                    name = self.rng.choice(
                        (
                            "Blåbær",
                            "Tyttebær",
                            "Rev",
                            "Ekorn",
                            "Maur",
                            "Bjørn",
                            "Ugle",
                            "Hare",
                            "Elg",
                            "Gaupe",
                            "Sol",
                            "Måne",
                        )
                    )
                    group = Group(
                        unit=by_pk[kg_pk],
                        municipality=muni,
                        kind=GroupKind.DEPARTMENT,
                        name=f"{name} {i + 1}" if label == "big" else f"{name} (små) {i + 1}",
                        min_age=ages[0],
                        max_age=ages[1],
                        valid_from=dt.date(2000, 1, 1),
                    )
                    class_rows.append((group, kids[i::count]))
        Group.objects.bulk_create([g for g, _ in class_rows])
        for group, members in class_rows:
            groups_by_unit[group.unit_id].append(group)
            for child in members:
                self.placements.append(self._placement(muni, group, child, school_year))
        return groups_by_unit

    def _placement(
        self, muni: Municipality, group: Group, child: int, year: SchoolYear
    ) -> Placement:
        person = self.persons[child]
        kind = group.unit.kind
        percent, hours = 100, None
        if kind == UnitKind.KINDERGARTEN:
            start_year = max(person.birth_date.year + 1, self.year - 4)
            valid_from = dt.date(start_year, 8, 1)
            valid_to: dt.date | None = dt.date(person.birth_date.year + 6, 7, 31)
            hours = Decimal("41") if self.rng.random() < 0.9 else Decimal("33")
            percent = 100 if hours == Decimal("41") else 80
        else:
            valid_from, valid_to = year.starts, year.ends
            if kind == UnitKind.SFO:
                percent = 100 if self.rng.random() < 0.7 else 60
                hours = Decimal("20") if percent == 100 else Decimal("12")
        return Placement(
            child=person,
            municipality=muni,
            unit=group.unit,
            group=group,
            service=Service(kind),
            place_percent=percent,
            weekly_hours=hours,
            valid_from=valid_from,
            valid_to=valid_to,
        )

    # -- staff -----------------------------------------------------------------------------

    def build_staff(
        self,
        muni: Municipality,
        spec: dict[str, Any],
        units: dict[str, list[Unit]],
        groups_by_unit: dict[int, list[Group]],
        school_year: SchoolYear,
    ) -> None:
        since = dt.date(self.year - 3, 8, 1)

        def employ(unit: Unit | None, position: str, percent: int = 100) -> int:
            girl = self.rng.random() < 0.7
            birth = self._birth_date(self.year - self.rng.randint(24, 64))
            index = self._person(muni, birth, girl, self.rng.choice(names.SURNAMES))
            person = self.persons[index]
            for key, value in self._address(muni, f"{muni.number}-s{index}").items():
                setattr(person, key, value)
            person.email = (
                f"{person.first_name.lower()}.{index}@{muni.name.lower()}.kommune.example"
            )
            self.employments.append(
                Employment(
                    person=person,
                    municipality=muni,
                    unit=unit,
                    position=position,
                    percentage=Decimal(percent),
                    valid_from=since,
                )
            )
            return len(self.employments) - 1

        for _ in range(spec["caseworkers"]):
            employ(None, Position.CASEWORKER)
        employ(None, Position.SYSTEM_ADMIN)
        for unit in [
            u for key in ("school", "special_school", "private_school") for u in units[key]
        ]:
            employ(unit, Position.PRINCIPAL)
            classes = [g for g in groups_by_unit[unit.pk] if g.kind == GroupKind.CLASS]
            pupils = sum(1 for p in self.placements if p.unit is unit)
            employ(unit, Position.DEPUTY)
            employ(unit, Position.ADMINISTRATIVE, 80)
            teachers = [
                employ(unit, Position.TEACHER, self.rng.choice((100, 100, 80, 60)))
                for _ in range(max(len(classes), pupils // 13))
            ]
            for _ in range(max(1, pupils // 70)):
                employ(unit, Position.ASSISTANT, 60)
            for i, group in enumerate(classes):
                self.assignments.append(
                    (teachers[i % len(teachers)], group, AssignmentRole.CONTACT_TEACHER)
                )
                for extra in self.rng.sample(teachers, min(2, len(teachers))):
                    if extra != teachers[i % len(teachers)]:
                        self.assignments.append((extra, group, AssignmentRole.TEACHER))
        for unit in units["kindergarten_municipal"] + units["kindergarten_private"]:
            employ(unit, Position.PRINCIPAL)
            for group in groups_by_unit[unit.pk]:
                leader = employ(unit, Position.PEDAGOGICAL_LEADER)
                self.assignments.append((leader, group, AssignmentRole.PEDAGOGICAL_LEADER))
                for _ in range(1 if unit.is_family_kindergarten else 2):
                    staff = employ(unit, Position.ASSISTANT, self.rng.choice((100, 80)))
                    self.assignments.append((staff, group, AssignmentRole.DEPARTMENT_STAFF))
        for unit in units["sfo"]:
            employ(unit, Position.DEPARTMENT_LEADER)
            for group in groups_by_unit[unit.pk]:
                children = sum(1 for p in self.placements if p.group is group)
                for _ in range(max(1, children // 18)):
                    staff = employ(unit, Position.SFO_STAFF, self.rng.choice((50, 60, 40)))
                    self.assignments.append((staff, group, AssignmentRole.SFO_STAFF))

    # -- the whole run ---------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        school_year, _ = SchoolYear.objects.get_or_create(start_year=self.year)
        SchoolYear.objects.get_or_create(start_year=self.year + 1)
        per_muni: list[
            tuple[Municipality, dict[str, Any], dict[str, list[Unit]], list[Family]]
        ] = []
        for spec in MUNICIPALITIES:
            muni = Municipality.objects.create(
                name=spec["name"], number=spec["number"], valid_from=dt.date(1838, 1, 1)
            )
            MunicipalityNumber.objects.create(
                municipality=muni, number=spec["number"], valid_from=dt.date(1838, 1, 1)
            )
            units = self.build_units(muni, spec)
            self.progress("units", sum(len(v) for v in units.values()))
            families = self.build_families(muni, spec["share"])
            if spec["number"] == "0231":
                families.append(self._persona_family(muni))
            per_muni.append((muni, spec, units, families))
            school_calendar_generate(municipality=muni, school_year=school_year)
        groups: dict[int, dict[int, list[Group]]] = {}
        for muni, _spec, units, families in per_muni:
            groups[muni.pk] = self.place_children(muni, units, families, school_year)
        for muni, spec, units, _families in per_muni:
            self.build_staff(muni, spec, units, groups[muni.pk], school_year)
        self._bulk(Person, self.persons, "persons")
        for row in self.guardianships:
            row.child_id, row.guardian_id = row.child.pk, row.guardian.pk
        self._bulk(Guardianship, self.guardianships, "guardianships")
        for placement in self.placements:
            placement.child_id = placement.child.pk
        self._bulk(Placement, self.placements, "placements")
        for employment in self.employments:
            employment.person_id = employment.person.pk
        self._bulk(Employment, self.employments, "employments")
        rows = [
            GroupAssignment(
                employment=self.employments[e],
                person=self.employments[e].person,
                group=g,
                role=role,
                valid_from=school_year.starts,
                valid_to=school_year.ends,
            )
            for e, g, role in self.assignments
        ]
        self._bulk(GroupAssignment, rows, "assignments")
        self._create_personas(per_muni, groups)
        build_admission_demo(self.rng, self.scale)
        build_billing_demo()
        build_attendance_demo(random.Random(self.rng.getrandbits(32)))
        return {"persons": len(self.persons), "placements": len(self.placements)}

    def _persona_family(self, muni: Municipality) -> Family:
        """The `guardian` persona: children in kindergarten, SFO (grade 2) and school (grade 6)."""
        years = [self.year - 11, self.year - 7, self.year - 3]
        family = self._make_family(muni, years, allow_protection=False)
        family.persona = True
        mother = self.persons[family.guardians[0]]
        mother.first_name, mother.email = "Kari", "kari.demo@example.no"
        self.personas["guardian"] = (
            family.guardians[0],
            "Forelder",
            "Kari, med barn i barnehage, SFO og skole",
        )
        self._force_sfo = family.children[1]  # grade 2: always in SFO
        return family

    def _create_personas(
        self,
        per_muni: list[tuple[Municipality, dict[str, Any], dict[str, list[Unit]], list[Family]]],
        groups: dict[int, dict[int, list[Group]]],
    ) -> None:
        muni, _spec, _units, _families = per_muni[0]
        sfo_child = self.persons[self._force_sfo].pk
        school_pk = next(
            p.unit_id
            for p in self.placements
            if p.child_id == sfo_child and p.service == Service.SCHOOL
        )

        units_with_children = {p.unit_id for p in self.placements}

        def first_employment(match: Callable[[Employment], bool]) -> Employment:
            # A persona leads a unit that has children, whatever the scale.
            return next(
                e
                for e in self.employments
                if match(e) and (e.unit_id is None or e.unit_id in units_with_children)
            )

        contact = next(
            self.employments[e]
            for e, g, role in self.assignments
            if role == AssignmentRole.CONTACT_TEACHER and g.unit_id == school_pk
        )
        specs = {
            "teacher": (contact, "Lærer", "Kontaktlærer for én klasse"),
            "principal": (
                first_employment(
                    lambda e: e.unit_id == school_pk and e.position == Position.PRINCIPAL
                ),
                "Rektor",
                "Leder for en skole",
            ),
            "kindergarten-head": (
                first_employment(
                    lambda e: (
                        e.unit is not None
                        and e.unit.kind == UnitKind.KINDERGARTEN
                        and e.unit.owner == Owner.MUNICIPAL
                        and e.position == Position.PRINCIPAL
                    )
                ),
                "Styrer",
                "Styrer i en kommunal barnehage",
            ),
            "private-kindergarten-head": (
                first_employment(
                    lambda e: (
                        e.unit is not None
                        and e.unit.kind == UnitKind.KINDERGARTEN
                        and e.unit.owner == Owner.PRIVATE
                        and not e.unit.is_family_kindergarten
                        and e.position == Position.PRINCIPAL
                    )
                ),
                "Styrer, privat barnehage",
                "Ser bare egen barnehage og dens søkere",
            ),
            "caseworker": (
                first_employment(
                    lambda e: e.municipality_id == muni.pk and e.position == Position.CASEWORKER
                ),
                "Saksbehandler",
                "Sektorkontoret: opptak og betaling for hele kommunen",
            ),
            "admin": (
                first_employment(lambda e: e.position == Position.SYSTEM_ADMIN),
                "Systemadministrator",
                "Oppsett og brukere, ikke sensitive barnedata",
            ),
        }
        guardian_index, title, description = self.personas["guardian"]
        rows: list[tuple[str, Person, str, str]] = [
            ("guardian", self.persons[guardian_index], title, description)
        ]
        rows += [(slug, e.person, t, d) for slug, (e, t, d) in specs.items()]
        for order, (slug, person, title, description) in enumerate(rows):
            user = User.objects.create(
                username=f"demo-{slug}",
                first_name=person.first_name,
                last_name=person.last_name,
                person=person,
                is_staff=slug == "admin",
                is_superuser=slug == "admin",
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            DemoPersona.objects.create(
                slug=slug, title=title, description=description, user=user, order=order
            )


def generate(seed: int = 1, scale: float = 1.0, progress: Progress | None = None) -> dict[str, int]:
    with transaction.atomic():
        return Generator(seed=seed, scale=scale, progress=progress).run()
