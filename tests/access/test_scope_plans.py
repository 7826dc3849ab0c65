"""The rule for children reached through placements is one both query planners evaluate once per
query, not once per child, whether or not the database has statistics (a caseworker's list of
children took 22 s on SQLite without them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from oppvekst.access.actor import actor_for_user
from oppvekst.access.policy import scope
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person

pytestmark = pytest.mark.django_db

STAFF = ["caseworker", "principal", "kindergarten-head", "teacher"]


def _plan(qs: Any) -> str:
    return qs.explain()


@pytest.mark.parametrize("slug", STAFF)
def test_children_a_staff_member_reaches_are_found_without_a_per_child_subquery(slug: str):
    actor = actor_for_user(DemoPersona.objects.get(slug=slug).user)
    children = scope(actor, "child.read_basic", Person.objects.all())
    plan = _plan(children.values("pk"))
    if connection.vendor == "sqlite":
        assert "CORRELATED" not in plan, plan
    else:
        # A hashed subplan runs once; a plain SubPlan in a filter runs per row.
        uses = [line for line in plan.splitlines() if "SubPlan" in line and "(" in line]
        assert all("hashed SubPlan" in line for line in uses), plan
    assert children.exists()


@pytest.mark.parametrize("slug", STAFF)
def test_the_rule_reaches_the_same_children_as_their_placements(slug: str):
    """The rewritten rule keeps its meaning: children placed (or within the grace month) where
    the actor works, and a caseworker's residents."""
    from oppvekst.access.builders import STAFF_GRACE
    from oppvekst.placements.models import Placement

    actor = actor_for_user(DemoPersona.objects.get(slug=slug).user)
    reached = set(
        scope(actor, "child.read_basic", Person.objects.all()).values_list("pk", flat=True)
    )
    placements = Placement.objects.filter(valid_to__isnull=True) | Placement.objects.filter(
        valid_to__gte=actor.day - STAFF_GRACE
    )
    expected: set[int] = set()
    for role in actor.roles:
        if role.name == "caseworker" and role.municipality_id:
            expected |= set(
                placements.filter(municipality_id=role.municipality_id).values_list(
                    "child_id", flat=True
                )
            )
            expected |= set(
                Person.objects.filter(municipality_id=role.municipality_id).values_list(
                    "pk", flat=True
                )
            )
        if role.group_id and role.name in {
            "contact_teacher",
            "teacher",
            "pedagogical_leader",
            "department_staff",
            "sfo_staff",
        }:
            expected |= set(
                placements.filter(group_id=role.group_id).values_list("child_id", flat=True)
            )
        if role.unit_id and role.name in {
            "unit_leader",
            "administrative",
            "private_kindergarten_head",
        }:
            expected |= set(
                placements.filter(unit_id=role.unit_id).values_list("child_id", flat=True)
            )
    assert expected
    assert reached == expected
