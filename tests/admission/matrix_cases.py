"""Admission's entries in the authorization matrix (tests/access/test_matrix.py): every page
route and API operation of /opptak/ and the guardian portal, per persona, own and other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from oppvekst.admission.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    Offer,
    PriorityClaim,
    RoundOutcome,
    Wish,
)
from oppvekst.core.models import Unit
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement
from oppvekst.staff.models import Employment, Position
from tests.access.personas import Objects
from tests.conftest import DEMO_TODAY

ROUTES = {
    "opptak/",
    "opptak/soknader/",
    "opptak/soknader/<int:application_id>/",
    "opptak/krav/<int:claim_id>/vurder/",
    "opptak/krav/<int:claim_id>/dokument/",
    "opptak/runder/ny/",
    "opptak/runder/<int:round_id>/",
    "opptak/runder/<int:round_id>/kapasitet/",
    "opptak/runder/<int:round_id>/provekjoring/",
    "opptak/runder/<int:round_id>/vedtak/",
    "opptak/runder/<int:round_id>/rett-til-plass/",
    "opptak/runder/<int:round_id>/rett-til-plass/tilbud/",
    "opptak/enheter/<int:unit_id>/venteliste/",
    "opptak/enheter/<int:unit_id>/kriterier/",
    "portal/",
    "portal/soknader/ny/",
    "portal/soknader/<int:application_id>/",
    "portal/soknader/<int:application_id>/krav/",
    "portal/soknader/<int:application_id>/svar.pdf",
    "portal/tilbud/<int:offer_id>/",
    "portal/tilbud/<int:offer_id>/brev.pdf",
    "portal/plasser/<int:placement_id>/",
}
API_OPERATIONS = {
    ("GET", "/applications"),
    ("GET", "/applications/{application_id}"),
    ("POST", "/applications"),
    ("POST", "/offers/{offer_id}/accept"),
    ("POST", "/offers/{offer_id}/decline"),
}
# The POST operations are exercised per persona in tests/admission/test_api.py (the matrix
# harness sends GET requests only).

ADMISSION_STAFF = {"caseworker", "kindergarten-head", "private-kindergarten-head"}
HEADS = {"kindergarten-head", "private-kindergarten-head"}


@dataclass
class Fixture:
    own_app: Application
    own_offer: Offer
    other_app: Application  # another family, another municipality (Fet)
    claim: PriorityClaim  # a claim of a Skedsmo family (not the persona's)
    round: AdmissionRound  # Skedsmo's main admission
    other_round: AdmissionRound  # Fet's main admission
    kindergarten: Unit  # a Skedsmo kindergarten nobody of the personas leads
    other_kindergarten: Unit  # a Fet kindergarten
    head_units: dict[str, int]
    own_placement: Placement
    other_placement: Placement


def _head_unit(slug: str) -> int:
    person = DemoPersona.objects.get(slug=slug).user.person
    unit_id = Employment.objects.get(person=person, position=Position.PRINCIPAL).unit_id
    assert unit_id is not None
    return unit_id


def fixture() -> Fixture:
    """The persona family's baby applies to both heads' kindergartens and holds an offer at
    the private one. Made inside the test's transaction (rolled back afterwards)."""
    heads = {slug: _head_unit(slug) for slug in sorted(HEADS)}
    mother = DemoPersona.objects.get(slug="guardian").user.person
    assert mother is not None
    baby = (
        Person.objects.filter(guardianships__guardian=mother, birth_date__year=2026)
        .order_by("pk")
        .first()
    )
    assert baby is not None
    rnd = AdmissionRound.objects.get(municipality__number="0231")
    other_round = AdmissionRound.objects.get(municipality__number="0227")
    own = Application.objects.filter(child=baby, idempotency_key="matrix").first()
    if own is None:
        now = rnd.created_at
        own = Application.objects.create(
            municipality_id=rnd.municipality_id,
            child=baby,
            service="kindergarten",
            round=rnd,
            status=ApplicationStatus.OFFERED,
            desired_start=rnd.start_date,
            on_time=True,
            submitted_at=now,
            created_by=mother,
            idempotency_key="matrix",
            created_at=now,
            updated_at=now,
        )
        for rank, unit_id in enumerate(heads.values(), start=1):
            Wish.objects.create(application=own, unit_id=unit_id, rank=rank)
        Offer.objects.create(
            application=own,
            round=rnd,
            municipality_id=rnd.municipality_id,
            child=baby,
            unit_id=heads["private-kindergarten-head"],
            age_group="under3",
            wish_rank=1,
            start_date=rnd.start_date,
            deadline=DEMO_TODAY,
            created_at=now,
        )
        RoundOutcome.objects.create(
            round=rnd, application=own, municipality_id=rnd.municipality_id, age_group="under3"
        )
    other = Application.objects.filter(
        municipality__number="0227", status=ApplicationStatus.SUBMITTED
    ).order_by("pk")[0]
    claim = (
        PriorityClaim.objects.filter(
            municipality__number="0231", application__status=ApplicationStatus.SUBMITTED
        )
        .exclude(application__child=baby)
        .order_by("pk")[0]
    )
    kindergarten = (
        Unit.objects.filter(municipality__number="0231", kind="kindergarten", owner="municipal")
        .exclude(pk__in=heads.values())
        .order_by("pk")[0]
    )
    other_kg = Unit.objects.filter(municipality__number="0227", kind="kindergarten").first()
    assert other_kg is not None
    mine = Guardianship.objects.filter(guardian=mother).values("child_id")
    own_placement = Placement.objects.filter(
        child_id__in=mine, service="kindergarten", valid_to__gte=DEMO_TODAY
    ).first()
    other_placement = (
        Placement.objects.filter(service="kindergarten", valid_to__gte=DEMO_TODAY)
        .exclude(child_id__in=mine)
        .first()
    )
    assert own_placement is not None and other_placement is not None
    return Fixture(
        own_app=own,
        own_offer=own.offers.get(),
        other_app=other,
        claim=claim,
        round=rnd,
        other_round=other_round,
        kindergarten=kindergarten,
        other_kindergarten=other_kg,
        head_units=heads,
        own_placement=own_placement,
        other_placement=other_placement,
    )


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    f = fixture()
    staff = slug in ADMISSION_STAFF
    caseworker = slug == "caseworker"
    guardian = slug == "guardian"
    own_head_unit = f.head_units.get(slug)
    wishes = {w.unit_id for w in f.own_app.wishes.all()}
    reads_own = guardian or caseworker or (own_head_unit in wishes)
    yield "opptak/", "GET", "/opptak/", staff
    yield "opptak/soknader/", "GET", "/opptak/soknader/?q=a&sorter=name", staff
    yield (
        "opptak/soknader/<int:application_id>/",
        "GET",
        f"/opptak/soknader/{f.own_app.pk}/",
        staff and reads_own,
    )
    yield (
        "opptak/soknader/<int:application_id>/",
        "GET",
        f"/opptak/soknader/{f.other_app.pk}/",
        False,
    )
    yield (
        "opptak/krav/<int:claim_id>/vurder/",
        "POST",
        f"/opptak/krav/{f.claim.pk}/vurder/",
        (caseworker),
    )
    yield (
        "opptak/krav/<int:claim_id>/dokument/",
        "GET",
        f"/opptak/krav/{f.claim.pk}/dokument/",
        False,  # no document there; access with a document: test_pages.py
    )
    yield "opptak/runder/ny/", "POST", "/opptak/runder/ny/", caseworker
    for rnd, ours in ((f.round, True), (f.other_round, False)):
        base = f"/opptak/runder/{rnd.pk}/"
        yield "opptak/runder/<int:round_id>/", "GET", base, staff and ours
        yield (
            "opptak/runder/<int:round_id>/kapasitet/",
            "POST",
            base + "kapasitet/",
            staff and ours,
        )
        yield (
            "opptak/runder/<int:round_id>/provekjoring/",
            "GET",
            base + "provekjoring/",
            caseworker and ours,
        )
        yield "opptak/runder/<int:round_id>/vedtak/", "POST", base + "vedtak/", caseworker and ours
        yield (
            "opptak/runder/<int:round_id>/rett-til-plass/",
            "GET",
            base + "rett-til-plass/",
            caseworker and ours,
        )
        yield (
            "opptak/runder/<int:round_id>/rett-til-plass/tilbud/",
            "POST",
            base + "rett-til-plass/tilbud/",
            caseworker and ours,
        )
    units = [(f.kindergarten.pk, caseworker), (f.other_kindergarten.pk, False)]
    if own_head_unit is not None:
        units.append((own_head_unit, True))
    for unit_id, expected in units:
        for part in ("venteliste", "kriterier"):
            yield (
                f"opptak/enheter/<int:unit_id>/{part}/",
                "GET",
                f"/opptak/enheter/{unit_id}/{part}/",
                expected,
            )
        yield (
            "opptak/enheter/<int:unit_id>/kriterier/",
            "POST",
            f"/opptak/enheter/{unit_id}/kriterier/",
            expected,
        )
    # A private kindergarten's criteria are its own: only its head edits them, not the
    # municipality's caseworkers (who may read them).
    private_unit = f.head_units.get("private-kindergarten-head")
    if private_unit is not None:
        yield (
            "opptak/enheter/<int:unit_id>/kriterier/",
            "POST",
            f"/opptak/enheter/{private_unit}/kriterier/",
            slug == "private-kindergarten-head",
        )
    yield "portal/", "GET", "/portal/", guardian
    yield "portal/soknader/ny/", "GET", "/portal/soknader/ny/?tjeneste=sfo", guardian
    for app, own in ((f.own_app, True), (f.other_app, False)):
        yield (
            "portal/soknader/<int:application_id>/",
            "GET",
            f"/portal/soknader/{app.pk}/",
            guardian and own,
        )
        yield (
            "portal/soknader/<int:application_id>/krav/",
            "POST",
            f"/portal/soknader/{app.pk}/krav/",
            guardian and own,
        )
        yield (
            "portal/soknader/<int:application_id>/svar.pdf",
            "GET",
            f"/portal/soknader/{app.pk}/svar.pdf",
            own and (guardian or caseworker),
        )
    offer_unit = f.own_offer.unit_id
    reads_offer = guardian or caseworker or own_head_unit == offer_unit
    yield "portal/tilbud/<int:offer_id>/", "GET", f"/portal/tilbud/{f.own_offer.pk}/", reads_offer
    yield (
        "portal/tilbud/<int:offer_id>/brev.pdf",
        "GET",
        f"/portal/tilbud/{f.own_offer.pk}/brev.pdf",
        reads_offer,
    )
    for placement, own in ((f.own_placement, True), (f.other_placement, False)):
        yield (
            "portal/plasser/<int:placement_id>/",
            "GET",
            f"/portal/plasser/{placement.pk}/",
            guardian and own,
        )


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    f = fixture()
    own_head_unit = f.head_units.get(slug)
    wishes = {w.unit_id for w in f.own_app.wishes.all()}
    reads_own = slug in ("guardian", "caseworker") or own_head_unit in wishes
    yield "/applications", "/api/v1/applications?limit=5", True
    yield "/applications/{application_id}", f"/api/v1/applications/{f.own_app.pk}", reads_own
    yield "/applications/{application_id}", f"/api/v1/applications/{f.other_app.pk}", False
