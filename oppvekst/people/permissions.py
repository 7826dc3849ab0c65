"""Actions on a child's data and who may take them (DESIGN.md "Access"; norway.md §6.1)."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import (
    FAMILY,
    GROUP_ROLES,
    GROUP_SENSITIVE_ROLES,
    NOTHING,
    UNIT_LEADERS,
    UNIT_ROLES,
    address_cleared,
    caseworker_of_municipality,
    family_of_child,
    guardian_of_child,
    has_role,
    not_strictly_protected,
    staff_where_child_is_placed,
)
from oppvekst.access.roles import RoleName
from oppvekst.people.models import AddressProtection, IdentityReview, Person


class ChildAction(StrEnum):
    READ_BASIC = "child.read_basic"
    READ_SENSITIVE = "child.read_sensitive"
    READ_ADDRESS = "child.read_address"
    READ_LOCATION = "child.read_location"
    UPDATE = "child.update"
    READ_ACCESS_LOG = "child.read_access_log"
    READ_UNIT_ACCESS_LOG = "child.read_unit_access_log"
    CREATE = "child.create"
    SEARCH = "children.search"
    REVIEW_IDENTITY = "identity_review.decide"


class ChildAuditEvent(StrEnum):
    """Reads that are audited but are not access actions of their own."""

    READ = "child.read"  # the child's page or API record, as a whole


def children_basic(actor: Actor) -> Q:
    return family_of_child(actor) | staff_where_child_is_placed(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES
    )


def children_sensitive(actor: Actor) -> Q:
    return guardian_of_child(actor) | staff_where_child_is_placed(
        actor, group_names=GROUP_SENSITIVE_ROLES, unit_names=UNIT_ROLES
    )


def children_address(actor: Actor) -> Q:
    """Address: own family always; staff with sensitive access only for unprotected children;
    protected addresses only for a cleared caseworker (norway.md §6.1)."""
    unprotected = Q(address_protection=AddressProtection.NONE)
    staff = staff_where_child_is_placed(
        actor, group_names=GROUP_SENSITIVE_ROLES, unit_names=UNIT_ROLES
    )
    if address_cleared(actor):
        return guardian_of_child(actor) | staff
    return guardian_of_child(actor) | (staff & unprotected)


def children_location(actor: Actor) -> Q:
    """The child's unit and group: withheld for strengt fortrolig from everyone but the family,
    the staff where the child is placed, and a cleared caseworker (norway.md §6.1)."""
    near = family_of_child(actor) | staff_where_child_is_placed(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES, caseworker=False
    )
    if address_cleared(actor):
        return near | children_basic(actor)
    return near | (children_basic(actor) & not_strictly_protected())


def children_update(actor: Actor) -> Q:
    return staff_where_child_is_placed(actor, group_names=set(), unit_names={RoleName.UNIT_LEADER})


def unit_access_log(actor: Actor) -> Q:
    """Unit leaders see who looked at children of their unit (rows filtered by target)."""
    return staff_where_child_is_placed(
        actor, group_names=set(), unit_names=UNIT_LEADERS, caseworker=False
    )


def identity_reviews(actor: Actor) -> Q:
    """A second caseworker of the municipality, cleared for protected addresses, checks a hand
    registration that touched a number outside the registering caseworker's reach."""
    if not address_cleared(actor) or actor.person is None:
        return NOTHING
    return caseworker_of_municipality(actor) & ~Q(requested_by_id=actor.person.pk)


registry.object_rule(ChildAction.READ_BASIC, Person, children_basic)
registry.object_rule(ChildAction.READ_SENSITIVE, Person, children_sensitive)
registry.object_rule(ChildAction.READ_ADDRESS, Person, children_address)
registry.object_rule(ChildAction.READ_LOCATION, Person, children_location)
registry.object_rule(ChildAction.UPDATE, Person, children_update)
registry.object_rule(ChildAction.READ_ACCESS_LOG, Person, guardian_of_child)
registry.object_rule(ChildAction.READ_UNIT_ACCESS_LOG, Person, unit_access_log)
registry.object_rule(ChildAction.REVIEW_IDENTITY, IdentityReview, identity_reviews)
registry.capability(
    ChildAction.SEARCH, lambda a: has_role(a, *GROUP_ROLES, *UNIT_ROLES, RoleName.CASEWORKER)
)
registry.capability(ChildAction.CREATE, lambda a: has_role(a, RoleName.CASEWORKER))
registry.audit_events(ChildAuditEvent)

__all__ = ["FAMILY", "ChildAction"]
