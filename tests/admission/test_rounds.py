"""Rounds: the dry-run preview, commit with offers and explanations, further rounds, the
criteria as data (§ 18 first), and the right-to-place report."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst.access.policy import Actor, actor_for_user
from oppvekst.admission import selectors, services
from oppvekst.admission.models import (
    AdmissionCriterion,
    ApplicationStatus,
    ClaimKind,
    ClaimStatus,
    CriterionKind,
    Offer,
    RoundKind,
    RoundOutcome,
    RoundStatus,
)
from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.models import AddressProtection
from oppvekst.workspace.models import Notification
from tests.admission import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> builders.World:
    return builders.world(seats=1, private_seats=1)


def actor_for(person) -> Actor:
    return actor_for_user(builders.user_for(person))


def _approved(app, kind: str, unit=None) -> None:
    claim = services.claim_add(
        application_id=app.pk, by=app.created_by, kind=kind, unit_id=unit.pk if unit else None
    )
    claim.status = ClaimStatus.APPROVED
    claim.save()


def test_preview_is_a_dry_run_with_fill_rates_and_unplaced_right_holders(
    w: builders.World,
) -> None:
    apps = []
    for month in (1, 2, 3, 4):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, month, 10))
        apps.append(builders.apply(child, mum, [w.kg[0]]))
    preview = services.round_preview(round_id=w.round.pk)
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.PREVIEWED
    assert not Offer.objects.filter(round=w.round).exists()
    assert preview["applicants"] == 4 and preview["assigned"] == 1
    first = next(u for u in preview["units"] if u["id"] == w.kg[0].pk)
    assert first["fill_rate"] == 100 and first["first_wishes"] == 4
    # oldest first within the same priority (domain §1.4)
    assert [r[1] for r in preview["rows"] if r[0] == apps[0].pk] == [w.kg[0].pk]
    assert set(preview["unplaced_right_holders"]) == {a.pk for a in apps[1:]}
    assert all(a.status == ApplicationStatus.SUBMITTED for a in apps)


def test_commit_needs_a_preview_and_can_only_happen_once(w: builders.World) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 10))
    builders.apply(child, mum, [w.kg[0]])
    with pytest.raises(DomainError) as err:
        services.round_commit(round_id=w.round.pk, by=w.caseworker, early_reason="test")
    assert err.value.code == "preview_first"
    builders.run(w.round, w.caseworker)
    with pytest.raises(ConflictError):
        services.round_commit(round_id=w.round.pk, by=w.caseworker, early_reason="test")
    with pytest.raises(ConflictError):
        services.round_preview(round_id=w.round.pk)
    assert Offer.objects.filter(round=w.round).count() == 1


def test_changing_capacity_after_a_preview_asks_for_a_new_preview(w: builders.World) -> None:
    services.round_preview(round_id=w.round.pk)
    services.round_capacity_set(
        round_id=w.round.pk, unit_id=w.kg[0].pk, age_group="under3", seats=4
    )
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.DRAFT


def test_commit_never_exceeds_capacity_and_explains_every_higher_wish(w: builders.World) -> None:
    apps = []
    for month in range(1, 8):
        child, (mum, _dad) = builders.family(w.muni, dt.date(2026, month, 10))
        apps.append(builders.apply(child, mum, [w.kg[0], w.kg[1], w.kg[2], w.private]))
    result = builders.run(w.round, w.caseworker)
    assert result.offers == 4 and result.unplaced == 3
    for unit in [*w.kg, w.private]:
        assert Offer.objects.filter(round=w.round, unit=unit).count() <= 1
    second = Offer.objects.get(application=apps[1])
    assert second.unit == w.kg[1] and second.wish_rank == 2
    assert second.explanation[0]["unit_id"] == w.kg[0].pk
    assert second.explanation[0]["reason"] == "full"
    assert second.explanation[0]["cutoff_birth_date"] == "2026-01-10"
    assert RoundOutcome.objects.filter(round=w.round).count() == 7
    last = apps[-1]
    last.refresh_from_db()
    assert last.status == ApplicationStatus.SUBMITTED  # stays on the waiting list
    assert Notification.objects.filter(
        dedupe_key=f"admission:round:{w.round.pk}:app:{last.pk}:none"
    ).exists()


def test_section_18_goes_first_even_at_a_private_kindergarten_without_criteria(
    w: builders.World,
) -> None:
    old, (mum, _dad) = builders.family(w.muni, dt.date(2026, 1, 1))
    young, (mum2, _dad2) = builders.family(w.muni, dt.date(2026, 6, 1))
    a_old = builders.apply(old, mum, [w.private])
    a_young = builders.apply(young, mum2, [w.private])
    _approved(a_young, ClaimKind.DISABILITY)
    builders.run(w.round, w.caseworker)
    assert Offer.objects.get(round=w.round).application_id == a_young.pk
    outcome = RoundOutcome.objects.get(application=a_old)
    assert outcome.unit_id is None and outcome.explanation[0]["cutoff_class"] == 0


def test_the_kindergartens_own_criteria_order_decides(w: builders.World) -> None:
    # The private unit ranks employees' children first; a sibling claim counts only where the
    # sibling is, and the municipality's criteria do not apply to private units.
    services.criteria_set(
        municipality_id=w.muni.pk, unit_id=None, kinds=[CriterionKind.MINORITY_LANGUAGE]
    )
    services.criteria_set(
        municipality_id=w.muni.pk, unit_id=w.private.pk, kinds=[CriterionKind.EMPLOYEE_CHILD]
    )
    a, (ma, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    b, (mb, _) = builders.family(w.muni, dt.date(2026, 5, 1))
    app_a = builders.apply(a, ma, [w.private])
    app_b = builders.apply(b, mb, [w.private])
    _approved(app_a, ClaimKind.MINORITY_LANGUAGE)
    _approved(app_b, ClaimKind.EMPLOYEE_CHILD, w.private)
    builders.run(w.round, w.caseworker)
    assert Offer.objects.get(round=w.round).application_id == app_b.pk
    assert list(
        AdmissionCriterion.objects.filter(unit=w.private).values_list("position", "kind")
    ) == [(1, "employee_child")]


def test_a_further_round_starts_with_the_seats_left_and_declines_give_seats_back(
    w: builders.World,
) -> None:
    children = [builders.family(w.muni, dt.date(2026, m, 1)) for m in (1, 2)]
    apps = [builders.apply(c, g[0], [w.kg[0]]) for c, g in children]
    builders.run(w.round, w.caseworker)
    offer = Offer.objects.get(application=apps[0])
    services.offer_decline(offer_id=offer.pk, by=children[0][1][0])
    assert services.remaining_seats(w.round)[(w.kg[0].pk, "under3")] == 1
    rnd2 = services.round_create(
        municipality=w.muni,
        service="kindergarten",
        kind=RoundKind.ADDITIONAL,
        name="Supplering",
        deadline=dt.date(2027, 4, 1),
        start_date=builders.AUG,
    )
    assert rnd2.capacities.get(unit=w.kg[0]).seats == 1
    builders.run(rnd2, w.caseworker)
    assert Offer.objects.get(round=rnd2).application_id == apps[1].pk


def test_only_one_main_round_per_year_and_one_open_round_at_a_time(w: builders.World) -> None:
    with pytest.raises(ConflictError):
        services.round_create(
            municipality=w.muni,
            service="kindergarten",
            kind=RoundKind.MAIN,
            name="Nok et",
            deadline=dt.date(2027, 3, 1),
            start_date=builders.AUG,
        )
    with pytest.raises(ConflictError):
        services.round_create(
            municipality=w.muni,
            service="kindergarten",
            kind=RoundKind.ROLLING,
            name="Løpende",
            deadline=dt.date(2027, 5, 1),
            start_date=dt.date(2027, 9, 1),
        )


def test_right_to_place_report_proposes_nearest_kindergartens_with_free_seats(
    w: builders.World,
) -> None:
    # kg[0] is wanted by both; kg[2] has a free seat and is nearest the second child's home.
    first, (m1, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    second, (m2, _) = builders.family(w.muni, dt.date(2026, 2, 1), lat=59.97)
    late, (m3, _) = builders.family(w.muni, dt.date(2026, 3, 1))
    builders.apply(first, m1, [w.kg[0]])
    app2 = builders.apply(second, m2, [w.kg[0]])
    with builders.clock_frozen(dt.date(2027, 3, 10)):
        builders.apply(late, m3, [w.kg[0]])
    builders.run(w.round, w.caseworker)
    rows = selectors.right_to_place_report(actor_for(w.caseworker), w.round)
    assert [r.application_id for r in rows] == [app2.pk]
    assert rows[0].right_from == dt.date(2027, 8, 1)
    assert rows[0].proposals[0].unit == w.kg[2]
    assert all(p.unit != w.kg[0] for p in rows[0].proposals)


@pytest.mark.parametrize("level", [AddressProtection.CONFIDENTIAL, AddressProtection.STRICT])
def test_right_to_place_report_derives_no_distance_or_ranking_from_a_protected_home(
    w: builders.World, level: str
) -> None:
    first, (m1, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    second, (m2, _) = builders.family(w.muni, dt.date(2026, 2, 1), lat=59.97)
    builders.apply(first, m1, [w.kg[0]])
    builders.apply(second, m2, [w.kg[0]])
    second.address_protection = level
    second.save()
    builders.run(w.round, w.caseworker)
    (row,) = selectors.right_to_place_report(actor_for(w.caseworker), w.round)
    assert row.child == second
    assert all(p.km is None for p in row.proposals)
    # Not nearest first: the order is by free seats and name, the same wherever the home is.
    assert row.proposals == sorted(row.proposals, key=lambda p: (-p.free, p.unit.name))


def test_waiting_list_positions_are_explained(w: builders.World) -> None:
    a, (ma, _) = builders.family(w.muni, dt.date(2026, 1, 1))
    b, (mb, _) = builders.family(w.muni, dt.date(2026, 5, 1))
    app_a = builders.apply(a, ma, [w.kg[0]])
    app_b = builders.apply(b, mb, [w.kg[1], w.kg[0]])
    _approved(app_b, ClaimKind.CHILD_WELFARE)
    lists = selectors.waiting_lists(w.kg[0], "kindergarten")
    rows = lists.by_group["under3"]
    assert [r.application.pk for r in rows] == [app_b.pk, app_a.pk]
    assert rows[0].priority_class == 0 and "§ 18" in rows[0].priority_label
    assert rows[1].birth_date == dt.date(2026, 1, 1) and rows[1].wish_rank == 1
    positions = selectors.wish_positions(app_a)
    assert (positions[w.kg[0].pk].position, positions[w.kg[0].pk].of) == (2, 2)


def test_an_sfo_round_offers_places_at_the_schools_sfo(w: builders.World) -> None:
    school = builders.factories.unit(w.muni, "school")
    sfo = builders.factories.unit(w.muni, "sfo", school=school)
    child, (mum, _dad) = builders.family(w.muni, dt.date(2021, 3, 3))  # 1st grade in 2027
    app, _ = services.application_create(
        child=child,
        service="sfo",
        by=mum,
        desired_start=builders.AUG,
        school_id=school.pk,
        sfo_place_type="part",
    )
    services.application_submit(application_id=app.pk, by=mum, expected_version=None)
    rnd = services.round_create(
        municipality=w.muni,
        service="sfo",
        kind=RoundKind.MAIN,
        name="SFO 2027",
        deadline=dt.date(2027, 4, 1),
        start_date=builders.AUG,
    )
    services.round_capacity_set(round_id=rnd.pk, unit_id=sfo.pk, age_group="all", seats=10)
    builders.run(rnd, w.caseworker)
    offer = Offer.objects.get(round=rnd)
    assert (offer.unit, offer.age_group, offer.place_percent) == (sfo, "all", 60)
    placement = services.offer_accept(offer_id=offer.pk, by=mum)
    assert placement.service == "sfo" and placement.valid_to == dt.date(2031, 7, 31)


def test_a_transfer_applicant_is_not_counted_as_an_unplaced_right_holder(
    w: builders.World,
) -> None:
    child, (mum, _dad) = builders.family(w.muni, dt.date(2025, 2, 2))
    services.placement_create(child=child, unit=w.kg[2], valid_from=dt.date(2026, 8, 1))
    builders.apply(child, mum, [w.private])
    other, (m2, _) = builders.family(w.muni, dt.date(2025, 1, 1))
    builders.apply(other, m2, [w.private])
    preview = services.round_preview(round_id=w.round.pk)
    assert preview["assigned"] == 1 and preview["unplaced_right_holders"] == []
