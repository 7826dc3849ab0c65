from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from oppvekst.people.identity import parse
from oppvekst.people.models import Person

pytestmark = pytest.mark.django_db

UNITS = {
    "0231": {
        "school": 19,
        "special_school": 1,
        "private_school": 1,
        "kindergarten_municipal": 19,
        "kindergarten_private": 27,
        "sfo": 12,
    },
    "0226": {
        "school": 7,
        "special_school": 1,
        "private_school": 0,
        "kindergarten_municipal": 5,
        "kindergarten_private": 13,
        "sfo": 6,
    },
    "0227": {
        "school": 5,
        "special_school": 0,
        "private_school": 0,
        "kindergarten_municipal": 4,
        "kindergarten_private": 5,
        "sfo": 4,
    },
}


def stats() -> dict:
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_stats_json_has_the_contract_shape_and_unit_counts() -> None:
    data = stats()
    by_number = {m["number"]: m for m in data["municipalities"]}
    assert set(by_number) == set(UNITS)
    assert [m["name"] for m in data["municipalities"]] == ["Skedsmo", "Sørum", "Fet"]
    for number, units in UNITS.items():
        m = by_number[number]
        assert m["units"] == units
        for key in (
            "groups",
            "children",
            "pupils",
            "sfo_children",
            "guardians",
            "employees",
            "placements",
        ):
            assert isinstance(m[key], int) and m[key] > 0


def test_population_is_scaled_and_plausible() -> None:
    # The session fixture made the demo at scale 0.05: about 475 pupils, 200 in kindergarten.
    total = {
        k: sum(m[k] for m in stats()["municipalities"])
        for k in ("pupils", "children", "sfo_children")
    }
    assert 400 <= total["pupils"] <= 560
    assert 160 <= total["children"] <= 240
    assert 80 <= total["sfo_children"] <= 170


def test_every_identity_number_is_synthetic_and_valid() -> None:
    numbers = list(Person.objects.values_list("identity_number", flat=True))
    assert numbers and len(numbers) == len(set(numbers))
    assert all(n and parse(n, allow_synthetic=True).synthetic for n in numbers)


def test_demo_has_protected_addresses_and_all_guardianship_kinds() -> None:
    from oppvekst.people.models import Guardianship

    assert Guardianship.objects.filter(residence_share_percent=50).exists()
    assert Guardianship.objects.filter(resident=False).exists()


def test_demo_refuses_to_run_twice_without_if_empty() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo", "--no-progress")
    out = StringIO()
    call_command("demo", "--if-empty", "--no-progress", stdout=out)
    assert "skipped" in out.getvalue()


def test_generation_is_deterministic_for_a_seed() -> None:
    from oppvekst.demo.generator import Generator

    def sample(seed: int) -> list[str]:
        g = Generator(seed=seed, scale=0.02)
        from oppvekst.core.models import Municipality

        muni = Municipality(name="X", number="0231")
        fams = g.build_families(muni, 1.0)
        return [g.persons[i].identity_number or "" for f in fams[:20] for i in f.children]

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def test_personas_exist_with_their_roles() -> None:
    from oppvekst.access.roles import role_names
    from oppvekst.demo.models import DemoPersona
    from oppvekst.placements.models import Placement

    personas = {p.slug: p.user.person for p in DemoPersona.objects.select_related("user__person")}
    assert set(personas) == {
        "guardian",
        "teacher",
        "principal",
        "kindergarten-head",
        "private-kindergarten-head",
        "caseworker",
        "admin",
    }
    assert "guardian" in role_names(personas["guardian"])
    services = set(
        Placement.objects.filter(child__guardianships__guardian=personas["guardian"]).values_list(
            "service", flat=True
        )
    )
    assert services == {"kindergarten", "school", "sfo"}
    assert "contact_teacher" in role_names(personas["teacher"])
    assert "unit_leader" in role_names(personas["principal"])
    assert "unit_leader" in role_names(personas["kindergarten-head"])
    assert "private_kindergarten_head" in role_names(personas["private-kindergarten-head"])
    assert "caseworker" in role_names(personas["caseworker"])
    assert "system_admin" in role_names(personas["admin"])
