"""Roles follow data: they change the moment the data does, with validity periods."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst import clock
from oppvekst.access.policy import actor_for_user, can
from oppvekst.demo.models import DemoPersona
from oppvekst.placements.models import Placement
from oppvekst.staff.models import GroupAssignment
from tests.access.personas import child, objects_for

pytestmark = pytest.mark.django_db


def test_ending_the_group_assignment_removes_teacher_access_at_once() -> None:
    user = DemoPersona.objects.get(slug="teacher").user
    own = child(objects_for("teacher").own_child or 0)
    assert can(actor_for_user(user), "child.read_basic", own)
    GroupAssignment.objects.filter(person=user.person).update(
        valid_to=clock.today() - dt.timedelta(days=1)
    )
    assert not can(actor_for_user(user), "child.read_basic", own)


def test_staff_keep_access_one_month_after_the_placement_ends() -> None:
    user = DemoPersona.objects.get(slug="principal").user
    own = child(objects_for("principal").own_child or 0)
    today = clock.today()
    Placement.objects.filter(child=own, unit__employments__person=user.person).update(
        valid_to=today - dt.timedelta(days=20)
    )
    assert can(actor_for_user(user), "child.read_basic", own)
    Placement.objects.filter(child=own, unit__employments__person=user.person).update(
        valid_to=today - dt.timedelta(days=40)
    )
    assert not can(actor_for_user(user), "child.read_basic", own)


def test_system_admin_reads_no_child_data() -> None:
    admin = actor_for_user(DemoPersona.objects.get(slug="admin").user)
    assert not can(admin, "child.read_basic", child(objects_for("caseworker").own_child or 0))
    assert can(admin, "admin.configure")


def test_daily_carer_without_responsibility_gets_less() -> None:
    from oppvekst.people.models import Guardianship

    g = Guardianship.objects.filter(parental_responsibility=True).select_related("child").first()
    assert g is not None
    Guardianship.objects.filter(pk=g.pk).update(parental_responsibility=False)
    from oppvekst.access.models import User

    user = User.objects.create(username="carer", person=g.guardian)
    actor = actor_for_user(user)
    assert can(actor, "child.read_basic", g.child)
    assert not can(actor, "child.read_sensitive", g.child)
    assert not can(actor, "child.read_address", g.child)
